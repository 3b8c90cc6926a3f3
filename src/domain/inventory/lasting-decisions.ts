import type { RequestKind, RequestStatus, StoredScope } from "../requests/model";

/**
 * Decisions that outlive a backup (issue 14; DESIGN §9 "Records"): everything this service decides about
 * a subject's data, and how a restore of a backup set taken before the decision honours it. A restore
 * writes a tenant's platform records back as they were at the set's time; every decision recorded after
 * that time must still hold when it ends. This list is the one place that says how: a restore runs what
 * it names (src/app/restore/restore.ts), and test/unit/lasting-decisions.test.ts fails when a request
 * kind, a scope, or a deactivation effect that reactivation does not undo has no entry.
 */

export type ScopeType = StoredScope["type"];
/** A request kind with the scope of its subject: the unit a decision is recorded in. */
export type DecisionKey = `${RequestKind}:${ScopeType}`;

/** What re-applies a decision to the restored tenant's records (one file each, src/app/restore/reapply/). */
export const REAPPLY_HANDLERS = [
  "number_erasure",
  "key_revocation",
  "deactivation",
  "reactivation",
  "correction",
  "consent_withdrawal",
] as const;
export type ReapplyHandler = (typeof REAPPLY_HANDLERS)[number];

/** Where a restore finds the decisions made after the set's time. */
export type DecisionSource =
  /**
   * The request, applied to the platform's records after the set's time (`details.appliedAt`, written
   * by its executor just before it changes them), completed or still in progress; or, for one without
   * that field, completed after the set's time (`details.retention.closedAt`, else its audit trail).
   */
  | "applied_request"
  /** The WhatsApp-number erasure's job in `jobs`, finished after the set's time or still running. */
  | "number_erasure_job"
  /**
   * The account erasure: `account.deactivatedAt` / `account.reactivatedAt` of one reactivated since, or
   * one found open after the write-back whose deactivation has begun.
   */
  | "account_erasure";

export type Honoured =
  | {
      how: "reapplied";
      source: DecisionSource;
      /** Run in this order for each decision found. */
      handlers: readonly ReapplyHandler[];
      why: string;
      /** Statuses of the decision's request in which the restore is refused instead, with why. */
      refusedWhile?: Partial<Record<RequestStatus, string>>;
      /**
       * A decision that began while the restore ran (found open when it looks again, after the
       * write-back, though none was open when it started): these handlers re-apply what it has done to
       * the records so far, and its own course (a purge, a reactivation) continues from there.
       */
      whileOpen?: { handlers: readonly ReapplyHandler[]; why: string };
    }
  | {
      how: "outside_backup";
      why: string;
      /** The restore's answer names such decisions made since the set (they hold without re-applying). */
      listed: boolean;
    };

const NEVER_FILED = (kind: string) =>
  `No ${kind} request is about an email contact (only grievances are): nothing to honour.`;

const ERASED_KEY =
  "The tenant's account was erased: a restore would bring deleted data back, and its backup data key is destroyed. Refused.";

/** Every request kind in every scope. A kind or scope added to the model without an entry fails to compile. */
export const requestDecisions: { readonly [K in DecisionKey]: Honoured } = {
  "erasure:whatsapp_number": {
    how: "reapplied",
    source: "number_erasure_job",
    handlers: ["number_erasure"],
    why: "Data Deletion §1–§4: the number's records the set brings back are deleted or anonymised again as the inventory says, and their linked blobs deleted (never another tenant's).",
  },
  "erasure:account": {
    how: "reapplied",
    source: "account_erasure",
    handlers: ["key_revocation", "reactivation"],
    why: "Account Deletion §3, §6: an erasure cancelled by reactivation leaves API keys revoked, so keys the set brings back are revoked again; a reactivation after the set undoes the deactivation the set captured (everything but the keys).",
    whileOpen: {
      handlers: ["deactivation"],
      why: "Account Deletion §3: an account erasure whose deactivation began while the restore wrote records back (not cancelled or rejected, its deactivation snapshot taken) would find the records it disabled active again: each record the restore wrote back gets the inventory's `onDeactivation` value again (account disabled, API keys revoked, bots stopped, members' access removed). The deactivation snapshot is left as it is, so a reactivation restores the values from before the deactivation.",
    },
    refusedWhile: {
      deactivated:
        "An account erasure is open for this tenant (deactivated, in its 30-day window): reactivate the account or let the erasure finish before restoring.",
      on_hold: "An account erasure for this tenant is on legal hold: release or resolve it before restoring.",
      purging: "The tenant's account is being erased: a restore would bring deleted data back. Refused.",
      purged: ERASED_KEY,
      completed: ERASED_KEY,
    },
  },
  "erasure:contact": { how: "outside_backup", why: NEVER_FILED("erasure"), listed: false },
  "correction:account": {
    how: "reapplied",
    source: "applied_request",
    handlers: ["correction"],
    why: "Privacy Policy §6: the corrected values (owner's name, email, phone, organisation, designation) are written again to the account and the owner's member record.",
  },
  "correction:whatsapp_number": {
    how: "reapplied",
    source: "applied_request",
    handlers: ["correction"],
    why: "Privacy Policy §6: the contact's corrected name is written again to the restored tenant's conversations with the number.",
  },
  "correction:contact": { how: "outside_backup", why: NEVER_FILED("correction"), listed: false },
  "consent_withdrawal:account": {
    how: "reapplied",
    source: "applied_request",
    handlers: ["consent_withdrawal"],
    why: "Privacy Policy §7: the account's consent records the set brings back are marked withdrawn again, from the time of the withdrawal. The service's own consent ledger is not in a backup.",
  },
  "consent_withdrawal:whatsapp_number": {
    how: "reapplied",
    source: "applied_request",
    handlers: ["consent_withdrawal"],
    why: "Privacy Policy §7: the number's consent records in the restored tenant are marked withdrawn again; the erasure a withdrawal of WhatsApp messaging opens is re-applied as an erasure.",
  },
  "consent_withdrawal:contact": {
    how: "outside_backup",
    why: NEVER_FILED("consent withdrawal"),
    listed: false,
  },
  "nomination:account": {
    how: "outside_backup",
    why: "DPDP Act s.14: the nomination and the nominee's sealed contact are held in the service's own `requests` store, which platform backups neither hold nor restore; it holds as it is.",
    listed: true,
  },
  "nomination:whatsapp_number": {
    how: "outside_backup",
    why: "DPDP Act s.14: held in the number's partition of the service's own `requests` store, which platform backups neither hold nor restore.",
    listed: false,
  },
  "nomination:contact": { how: "outside_backup", why: NEVER_FILED("nomination"), listed: false },
  "access:account": {
    how: "outside_backup",
    why: "An access export reads; it changes no platform record. The export lives in the service's own storage.",
    listed: false,
  },
  "access:whatsapp_number": {
    how: "outside_backup",
    why: "An access export reads; it changes no platform record. The export lives in the service's own storage.",
    listed: false,
  },
  "access:contact": { how: "outside_backup", why: NEVER_FILED("access"), listed: false },
  "grievance:account": {
    how: "outside_backup",
    why: "A grievance and its resolution are recorded in the service's own store; what it decides is carried out as one of the requests above.",
    listed: false,
  },
  "grievance:whatsapp_number": {
    how: "outside_backup",
    why: "A grievance and its resolution are recorded in the service's own store; what it decides is carried out as one of the requests above.",
    listed: false,
  },
  "grievance:contact": {
    how: "outside_backup",
    why: "A grievance from an email contact is recorded in the service's own store only.",
    listed: false,
  },
};

/**
 * Effects of deactivation that reactivation does not undo, by inventory category (`onDeactivation` with
 * `restoreOnReactivation: false`). A set taken before the deactivation holds them undone: the handler
 * named applies the inventory's `onDeactivation` again to the records the restore wrote back.
 */
export const deactivationEffects: { readonly [category: string]: Honoured } = {
  api_keys: {
    how: "reapplied",
    source: "account_erasure",
    handlers: ["key_revocation"],
    why: "Account Deletion §6: API keys revoked at deactivation stay revoked after reactivation and must be regenerated; a key the set brings back is revoked again.",
  },
};

/** Decisions of the service that are not requests, and how a restore honours them. */
export const otherDecisions: { readonly [decision: string]: Honoured } = {
  retention_sweep: {
    how: "outside_backup",
    why: "Privacy Policy §5: a record of the set past its retention period is left out of the restore (`skippedPastRetention`), as the sweep would delete it.",
    listed: false,
  },
  legal_hold: {
    how: "outside_backup",
    why: "Account Deletion §4: holds, deadline extensions and reviews are on the requests in the service's own store, which a restore does not touch.",
    listed: false,
  },
};

export const decisionKey = (kind: RequestKind, scope: ScopeType): DecisionKey => `${kind}:${scope}`;

/** The request kinds whose `scope` decisions are re-applied from `source`. */
export function kindsFrom(source: DecisionSource, scope: ScopeType): RequestKind[] {
  return (Object.keys(requestDecisions) as DecisionKey[]).flatMap((key) => {
    const honoured = requestDecisions[key];
    const [kind, s] = key.split(":") as [RequestKind, ScopeType];
    return s === scope && honoured.how === "reapplied" && honoured.source === source ? [kind] : [];
  });
}

/** The request kinds whose `scope` decisions are held outside the backup and named in a restore's answer. */
export function listedOutside(scope: ScopeType): RequestKind[] {
  return (Object.keys(requestDecisions) as DecisionKey[]).flatMap((key) => {
    const honoured = requestDecisions[key];
    const [kind, s] = key.split(":") as [RequestKind, ScopeType];
    return s === scope && honoured.how === "outside_backup" && honoured.listed ? [kind] : [];
  });
}
