import type { Operation } from "../src/adapters/metering/operation-meter";

/**
 * What each business action may cost, per unit of work (bench/actions.ts names the unit), counted at its
 * 1× size: each store operation type, and the documents its queries return. Anything not named is 0.
 * test/e2e/operation-budgets.test.ts fails when an action goes over, so cost cannot creep back: raise a
 * budget only with a reason written beside it. `npm run bench` prints the counts these came from.
 */
export type Budget = Partial<Record<Operation | "itemsRead", number>>;

export interface ActionBudget {
  budget: Budget;
  why: string;
}

/** Every timer, when nothing is due: a few empty index-served query pages and a lease, never a scan. */
const timerBudget = (budget: Budget, why: string): ActionBudget => ({ budget, why });

export const budgets: Record<string, ActionBudget> = {
  "public create": {
    budget: { "cosmos.pointRead": 2, "cosmos.write": 4, "bus.scheduled": 2, "bus.sent": 1 },
    why: "reads: the client's and the subject's rate-limit windows; writes: the request, its first audit event (straight into first place: the id is new), the subject's verification record and the window; a reminder and an expiry scheduled; the code sent",
  },

  verify: {
    budget: { "cosmos.pointRead": 2, "cosmos.write": 5, "bus.sent": 1 },
    why: "the request and the subject's verification record by point read; writes: the verification record, the open-request slot, the request (ETag-guarded, decided on the copy just read), its audit event after the link this process last wrote, the outbox clean-up; the confirmation sent. A correction waits for staff, so no execution is queued",
  },

  "account deactivation": {
    budget: {
      "cosmos.pointRead": 13,
      "cosmos.write": 12,
      "cosmos.patch": 9,
      "cosmos.queryPage": 7,
      "bus.scheduled": 2,
      "bus.sent": 2,
      itemsRead: 11,
    },
    why: "the inventory's onDeactivation actions, each a query of the tenant's partition and a patch per record it changes (keys, members, bots: a fixed seed shape), the request and its audit, the purge message, two notices",
  },

  "account purge": {
    budget: {
      "cosmos.pointRead": 24,
      "cosmos.write": 38,
      "cosmos.patch": 4,
      "cosmos.delete": 955,
      "cosmos.queryPage": 47,
      "cosmos.crossPartitionQueryPage": 3,
      "blob.read": 4,
      "blob.write": 6,
      "blob.list": 9,
      "blob.delete": 45,
      "bus.sent": 3,
      itemsRead: 970,
    },
    why: "per 1 000 records: one delete per record (the emulator has no delete-by-partition; Azure with PLATFORM_COSMOS_PARTITION_DELETE makes one partition delete per container instead), ids listed up to 10 000 at a time, anonymised payments patched in place, one checkpoint per 1 000 records, blobs listed by prefix and deleted, the certificate and its anchor; +1 point read and +1 query page per purge (not per record): the processor register read and the request's partner fan-out looked up before the certificate (docs/processors.md)",
  },

  "WhatsApp-number erasure": {
    budget: {
      "cosmos.pointRead": 22,
      "cosmos.write": 25,
      "cosmos.delete": 42,
      "cosmos.queryPage": 11,
      "cosmos.crossPartitionQueryPage": 3,
      "blob.read": 2,
      "blob.write": 3,
      "blob.list": 1,
      "blob.delete": 2,
      "bus.scheduled": 1,
      "bus.sent": 1,
      itemsRead: 52,
    },
    why: "per tenant holding the number: the number's records found by the keyed-hash index (cross-partition, once per container), deleted or anonymised in that tenant, a tenant record and certificate line each",
  },
  "access export": {
    budget: {
      "cosmos.pointRead": 24,
      "cosmos.write": 19,
      "cosmos.delete": 2,
      "cosmos.queryPage": 19,
      "blob.read": 46,
      "blob.write": 3,
      "blob.list": 6,
      "blob.delete": 2,
      "bus.scheduled": 3,
      "bus.sent": 3,
      itemsRead: 960,
    },
    why: "per 1 000 records: every exportable record read once, a page at a time; each file read once; the ZIP written once and published; the request's life around it (create, execute, complete, notify)",
  },

  backup: {
    budget: {
      "cosmos.pointRead": 4,
      "cosmos.write": 30,
      "cosmos.patch": 1,
      "cosmos.queryPage": 17,
      "cosmos.crossPartitionQueryPage": 2,
      "blob.write": 2,
      "bus.scheduled": 1,
      "keyvault.wrap": 2,
      itemsRead: 1005,
    },
    why: "per 1 000 records (about one seeded tenant): every record read once, a page of up to 1 000 per category; one encrypted blob and one catalogue entry per tenant, with a holding record per WhatsApp number it holds (so a number's erasure finds the sets holding it); the tenant's data key wrapped",
  },

  "timer reconcileAccountPurges, nothing due": timerBudget(
    { "cosmos.write": 1, "cosmos.crossPartitionQueryPage": 3 },
    "a lease, and one empty page for each overdue state (deactivated past due, purging, on hold)",
  ),
  "timer reconcileExports, nothing due": timerBudget(
    { "cosmos.crossPartitionQueryPage": 3 },
    "one empty page per export state that could be stuck",
  ),
  "timer reconcileWhatsAppErasures, nothing due": timerBudget(
    { "cosmos.crossPartitionQueryPage": 3 },
    "one empty page per erasure state that could be stuck",
  ),
  "timer sweepUnverified, nothing due": timerBudget(
    { "cosmos.crossPartitionQueryPage": 2 },
    "one empty page of requests past their expiry, one of requests past their reminder (by creation time)",
  ),
  "timer rightsSweep, nothing due": timerBudget(
    { "cosmos.crossPartitionQueryPage": 3 },
    "one empty page of requests past a deadline, one of requests near one, one of stranded audit events",
  ),
  "timer takeDailyBackup, nothing due": timerBudget({}, "today's set exists: the schedule says so"),
  "timer reconcileBackups, nothing due": timerBudget(
    { "cosmos.crossPartitionQueryPage": 3 },
    "one empty page per backup state that could be stuck",
  ),
  "timer retentionSweep, nothing due": timerBudget({ "cosmos.write": 1 }, "its run record"),
  "timer ownRecordsSweep, nothing due": timerBudget(
    { "cosmos.write": 3, "cosmos.queryPage": 1, "cosmos.crossPartitionQueryPage": 9, itemsRead: 1 },
    "one empty page per kind of own record past its period, its run records",
  ),
  "timer dropDeadLetteredNotices, nothing due": timerBudget({}, "the dead-letter queue is empty"),
  "timer processorTasks, nothing due": timerBudget(
    { "cosmos.crossPartitionQueryPage": 1 },
    "one empty page of open partner tasks whose next action (notice, reminder, deadline) is due",
  ),
  "timer sealAuditAnchors, nothing due": timerBudget(
    { "cosmos.pointRead": 1, "cosmos.crossPartitionQueryPage": 1, "blob.read": 2 },
    "the latest anchor read, one empty page of audit events since the last sweep",
  ),
};
