import { conflict } from "../errors";
import type { RequestKind, RequestStatus } from "./model";

export const Action = [
  "verify",
  "start",
  "approve",
  "reject",
  "cancel",
  "expire",
  "hold",
  "release",
  "deactivate",
  "purge",
  "finish_purge",
  "complete",
  "retry",
] as const;
export type Action = (typeof Action)[number];

/** "resume": back to the status the request had when it was put on hold; "same": status unchanged. */
type Target = RequestStatus | "resume" | "same";
type Flow = Partial<Record<RequestStatus, Partial<Record<Action, Target>>>>;

const verification: Flow = {
  pending_verification: { verify: "verified", cancel: "cancelled", reject: "rejected", expire: "cancelled" },
};

/** Kinds that run once verified (or approved), then complete. */
const executed = (entry: Partial<Record<Action, Target>>): Flow => ({
  ...verification,
  // retry: an execution that failed before its first status change resumes from where it stopped.
  verified: { cancel: "cancelled", reject: "rejected", retry: "same", ...entry },
  in_progress: { complete: "completed", retry: "same" },
});

/** Erasure: deletion waits on a legal hold for as long as it lasts (Account Deletion §4). */
const erasureTail: Flow = {
  on_hold: { release: "resume" },
  purging: { finish_purge: "purged", retry: "same" },
  purged: { complete: "completed", retry: "same" },
};

export type FlowKey = Exclude<RequestKind, "erasure"> | "erasure:account" | "erasure:whatsapp_number";

/**
 * The one state machine (DESIGN §4), as data: for each kind, the actions allowed in each status and
 * where they lead. Anything not listed is refused with 409 naming the current status.
 */
export const flows: Record<FlowKey, Flow> = {
  // approve "same": a request a nominee filed for the principal waits, verified, for staff to review the
  // evidence (DPDP Act s.14); approval lets it run (src/app/rights/on-behalf.ts). Correction's approve is
  // its own review and covers a nominee's evidence too.
  access: executed({ start: "in_progress", approve: "same" }),
  correction: executed({ approve: "in_progress" }),
  nomination: executed({ start: "in_progress", approve: "in_progress" }),
  consent_withdrawal: executed({ start: "in_progress", approve: "same" }),
  grievance: {
    in_progress: { complete: "completed", reject: "rejected", retry: "same" },
  },
  "erasure:account": {
    ...verification,
    verified: {
      deactivate: "deactivated",
      cancel: "cancelled",
      reject: "rejected",
      hold: "on_hold",
      retry: "same",
      approve: "same",
    },
    // Cancelling a deactivated account's erasure is reactivation (Account Deletion §6).
    deactivated: { purge: "purging", cancel: "cancelled", hold: "on_hold", retry: "same" },
    ...erasureTail,
  },
  "erasure:whatsapp_number": {
    ...verification,
    verified: {
      purge: "purging",
      cancel: "cancelled",
      reject: "rejected",
      hold: "on_hold",
      retry: "same",
      approve: "same",
    },
    ...erasureTail,
  },
};

export const flowKey = (kind: RequestKind, scopeType: "account" | "whatsapp_number" | "contact"): FlowKey =>
  kind === "erasure" ? (scopeType === "account" ? "erasure:account" : "erasure:whatsapp_number") : kind;

/** The statuses a kind can be in: its initial status and every target of its flow. */
export function statusesOf(key: FlowKey): RequestStatus[] {
  const out = new Set<RequestStatus>();
  for (const [from, actions] of Object.entries(flows[key]) as [
    RequestStatus,
    Partial<Record<Action, Target>>,
  ][]) {
    out.add(from);
    for (const t of Object.values(actions)) if (t !== "resume" && t !== "same") out.add(t);
  }
  return [...out];
}

export function allowedActions(key: FlowKey, status: RequestStatus): Action[] {
  return Object.keys(flows[key][status] ?? {}) as Action[];
}

/** Where `action` takes a request in `status`, or a 409 that names the status it is in. */
export function transition(
  key: FlowKey,
  status: RequestStatus,
  action: Action,
  resumeStatus?: RequestStatus,
): RequestStatus {
  const target = flows[key][status]?.[action];
  if (target === undefined) {
    const allowed = allowedActions(key, status);
    throw conflict(
      `The request is ${status.replace(/_/g, " ")}: '${action}' is not possible now${allowed.length ? ` (possible: ${allowed.join(", ")})` : ""}.`,
      { status, action },
    );
  }
  if (target === "same") return status;
  if (target === "resume") {
    if (!resumeStatus) throw conflict("The request has no status to resume to.", { status, action });
    return resumeStatus;
  }
  return target;
}
