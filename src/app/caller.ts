/** Who is calling a use case, as the HTTP layer established it. */
export type Caller =
  | { kind: "dashboard"; subject: string; tenantId: string; role: "owner" | "admin" | "member" }
  | { kind: "staff"; subject: string; role: "support" | "privacy_officer" }
  | { kind: "public"; requestToken?: string; clientAddress?: string };

export const isStaff = (c: Caller): c is Extract<Caller, { kind: "staff" }> => c.kind === "staff";
