/**
 * The signed-in member of staff: their JWT, kept in this tab's sessionStorage only (never localStorage, a
 * cookie or the URL), so closing the tab or "Sign out" forgets it. The role is read from the token to
 * label the page and choose the menu; the API checks the token's signature and role on every call.
 */
const KEY = "console.staff-token";

export type StaffRole = "support" | "privacy_officer";
export interface Session {
  token: string;
  role: StaffRole;
  /** When the token stops working (ms since epoch), if it says. */
  expiresAt?: number;
}

export const ROLE_NAMES: Record<StaffRole, string> = {
  support: "Support",
  privacy_officer: "Privacy officer",
};

function claims(token: string): Record<string, unknown> | undefined {
  const parts = token.split(".");
  if (parts.length !== 3 || !parts[1]) return undefined;
  try {
    const b64 = parts[1].replace(/-/g, "+").replace(/_/g, "/");
    const json = new TextDecoder().decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));
    const value: unknown = JSON.parse(json);
    return value && typeof value === "object" ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The session a token would open, or the reason it cannot (said to the person signing in). */
export function sessionOf(token: string): Session | { problem: string } {
  const trimmed = token.trim();
  const c = claims(trimmed);
  if (!c) return { problem: "This is not a token: paste the whole JWT (three parts separated by dots)." };
  if (c.role !== "support" && c.role !== "privacy_officer")
    return { problem: "This token is not a staff token (support or privacy officer)." };
  const expiresAt = typeof c.exp === "number" ? c.exp * 1000 : undefined;
  if (expiresAt !== undefined && expiresAt <= Date.now()) return { problem: "This token has expired." };
  return { token: trimmed, role: c.role, ...(expiresAt !== undefined ? { expiresAt } : {}) };
}

export function currentSession(): Session | undefined {
  const token = sessionStorage.getItem(KEY);
  if (!token) return undefined;
  const s = sessionOf(token);
  if ("problem" in s) {
    sessionStorage.removeItem(KEY);
    return undefined;
  }
  return s;
}

export function keepSession(s: Session): void {
  sessionStorage.setItem(KEY, s.token);
}

export function endSession(): void {
  sessionStorage.removeItem(KEY);
}
