import type { Action } from "./state-machine";
import { isOpen, type RequestKind, type RequestStatus } from "./model";

/**
 * What a member of staff may do to a request now, in the words of the routes they would call
 * (POST v1/requests/{id}/<verb>, and `reactivate` for POST v1/accounts/{tenantId}/reactivate). The staff
 * console shows exactly these: a button for an action the caller's role would be refused (403) or that
 * the request's state would refuse (409) is never shown.
 */
export const StaffAction = [
  "approve",
  "reject",
  "extend",
  "hold",
  "release",
  "retry",
  "reactivate",
  "assign",
  "respond",
  "resolve",
] as const;
export type StaffAction = (typeof StaffAction)[number];
export type StaffRole = "support" | "privacy_officer";

/** Legal holds are the privacy officer's alone (routes hold and release). */
const OFFICER_ONLY: ReadonlySet<StaffAction> = new Set<StaffAction>(["hold", "release"]);

export interface StaffActionFacts {
  kind: RequestKind;
  scopeType: "account" | "whatsapp_number" | "contact";
  status: RequestStatus;
  /** The state machine's actions for the request's flow and status. */
  machine: readonly Action[];
  hasDeadline: boolean;
  failed: boolean;
  /** An account erasure's retention window: reactivation is possible until the purge is due. */
  purgeDueAt?: string;
  now: Date;
}

export function staffActions(facts: StaffActionFacts, role: StaffRole): StaffAction[] {
  const m = new Set(facts.machine);
  const out: StaffAction[] = [];
  const grievance = facts.kind === "grievance";
  if (m.has("approve")) out.push("approve");
  if (m.has("reject")) out.push("reject");
  if (isOpen(facts.status) && facts.hasDeadline) out.push("extend");
  if (m.has("hold")) out.push("hold");
  if (m.has("release")) out.push("release");
  // retry is possible in the machine for any running request; the use case refuses one that never failed.
  if (m.has("retry") && facts.failed) out.push("retry");
  // Cancelling a deactivated account's erasure is reactivation (Account Deletion §6), inside its window.
  if (
    facts.kind === "erasure" &&
    facts.scopeType === "account" &&
    facts.status === "deactivated" &&
    m.has("cancel") &&
    facts.purgeDueAt !== undefined &&
    Date.parse(facts.purgeDueAt) > facts.now.getTime()
  )
    out.push("reactivate");
  if (grievance && isOpen(facts.status)) out.push("assign", "respond");
  if (grievance && m.has("complete")) out.push("resolve");
  return out.filter((a) => role === "privacy_officer" || !OFFICER_ONLY.has(a));
}
