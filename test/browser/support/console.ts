import type { Page } from "playwright-core";
import { expect } from "vitest";
import type { TestHost } from "../../support/host";

/** What the staff console tests share: signing in, the data they work on, the checks every view passes. */

/** Signs in through the page's own "Sign in (local demo)" (the local host mints a dev token). */
export async function signInAsDemo(page: Page, origin: string, role: "support" | "privacy_officer") {
  await page.goto(`${origin}/console/`);
  await page.getByRole("button", { name: "Sign in (local demo)" }).waitFor();
  await page.getByLabel("Role").selectOption(role);
  await page.getByRole("button", { name: "Sign in (local demo)" }).click();
  await page.getByRole("heading", { level: 1, name: "Queue" }).waitFor();
}

/**
 * An expression evaluated in the page. Written as a string: the tests are compiled without the DOM's types
 * (they run in Node), and the page's CSP does not apply to what the DevTools protocol evaluates.
 */
export function inPage<T>(page: Page, expression: string): Promise<T> {
  return page.evaluate<T>(expression);
}

/** An attribute of the focused element (`data-action`, `name`). */
export function focused(page: Page, attribute: string): Promise<string | null> {
  return inPage(page, `document.activeElement?.getAttribute(${JSON.stringify(attribute)}) ?? null`);
}

/** Opens a console route by its hash and waits for its heading. */
export async function openView(page: Page, hash: string, heading: string | RegExp) {
  await inPage(page, `location.hash = ${JSON.stringify(hash)}`);
  await page.getByRole("heading", { level: 1, name: heading }).waitFor();
}

/** The action buttons a request page shows, by the API verb each calls. */
export async function shownActions(page: Page): Promise<string[]> {
  return page
    .locator("section.actions button[data-action]")
    .evaluateAll((bs) => bs.map((b) => b.getAttribute("data-action") ?? ""));
}

/** The audit timeline's event names as the page shows them. */
export async function timeline(page: Page): Promise<string[]> {
  return page.locator(".events .event-action").allTextContents();
}

/**
 * Console errors a test provoked on purpose (the browser logs each refused fetch, e.g. a 400 for bad
 * input); anything else is a defect.
 */
export function unexpectedErrors(errors: string[], allowedStatuses: number[] = []): string[] {
  return errors.filter((e) => {
    const m = /Failed to load resource: the server responded with a status of (\d{3})/.exec(e);
    return !(m && allowedStatuses.includes(Number(m[1])));
  });
}

export async function noHorizontalScroll(page: Page) {
  const { scroll, width } = await inPage<{ scroll: number; width: number }>(
    page,
    "({ scroll: document.documentElement.scrollWidth, width: window.innerWidth })",
  );
  expect(scroll).toBeLessThanOrEqual(width);
}

/** An account whose owner asked for deletion: deactivated, in its 30-day window. */
export async function deactivatedAccount(host: TestHost) {
  const seeded = await host.call("POST", "/_dev/seed", {
    body: { conversations: 1, messagesPerConversation: 2 },
  });
  expect(seeded.status).toBe(201);
  const t = seeded.body as { tenantId: string; ownerToken: string };
  const created = await host.call("POST", "/v1/requests", {
    token: t.ownerToken,
    body: { kind: "erasure", scope: { type: "account", tenantId: t.tenantId }, language: "hi" },
  });
  expect(created.body.status).toBe("deactivated");
  return { tenantId: t.tenantId, id: created.body.id as string };
}

let client = 0;
export async function fileGrievance(host: TestHost, email: string, summary: string) {
  const res = await host.call("POST", "/v1/requests", {
    headers: { "x-forwarded-for": `10.99.${Math.floor(client / 250)}.${client++ % 250}` },
    body: { kind: "grievance", contact: { email }, details: { summary } },
  });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

export const breachBody = (discoveredAt: string) => ({
  discoveredAt,
  nature: "A support export with contact names and numbers was readable by a wrong link for two hours.",
  dataCategories: ["conversations", "messages"],
  principalsAffected: { estimated: 120 },
  likelyConsequences: "Someone may have seen your name and number.",
  measuresTaken: "We disabled the link within two hours and rotated keys.",
  safetySteps: "Do not share codes with anyone who messages you.",
});

export const processorEntry = {
  processorId: "chat-archive",
  name: "Chat Archive Ltd",
  purpose: "Archiving conversations on our instructions",
  categories: ["conversations", "messages"],
  location: { country: "IN" },
  contractReference: "DPA-2026-07",
  channel: { type: "email", contactName: "Privacy desk", address: "desk@partner.example" },
  confirmWithin: "PT72H",
  tenants: "all",
};
