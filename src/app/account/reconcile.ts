import type { RequestDoc } from "../../domain/requests/model";
import type { Condition } from "../../ports/document-store";
import type { AppContext } from "../context";
import { type RunOptions, startRun } from "../operations";
import { issueCertificate } from "./certificate";
import { purgeAccount } from "./purge";
import { readPurgeJob } from "./purge-job";

/** A purge whose checkpoint has not moved for this long is taken to have died, and is resumed. */
export const STALE_PURGE_MS = 15 * 60_000;

export interface ReconcileReport {
  /** The run record (src/app/operations/run-record.ts): counts, and which request failed where. */
  runId: string;
  at: string;
  found: { overdueDeactivated: number; stalePurging: number; purgedAwaitingCompletion: number };
  purged: number;
  failed: number;
}

const allRequests = (app: AppContext, where: Condition[]): Promise<RequestDoc[]> =>
  app.stores.requests.listAll([
    { field: "kind", op: "=", value: "erasure" },
    { field: "scope.type", op: "=", value: "account" },
    ...where,
  ]);

/**
 * The hourly safety net (DESIGN §4): no purge is missed because a message was never scheduled, was
 * lost or dead-lettered. Finds deactivated accounts past their purge time (not held), purges that
 * stopped, and purged requests still waiting to complete; does the work; records what it found, and
 * each request that failed with its step and error class.
 */
export async function reconcileAccountPurges(
  app: AppContext,
  options: RunOptions = {},
): Promise<ReconcileReport> {
  const run = startRun(app, "reconcileAccountPurges", options);
  const now = app.ports.clock.now();
  const overdue = await allRequests(app, [
    { field: "status", op: "=", value: "deactivated" },
    { field: "account.purgeDueAt", op: "<=", value: now.toISOString() },
  ]);
  const purging = await allRequests(app, [{ field: "status", op: "=", value: "purging" }]);
  const stale: RequestDoc[] = [];
  for (const r of purging) {
    if (r.scope.type !== "account") continue;
    const job = await readPurgeJob(app, r.id, r.scope.tenantId);
    if (!job || now.getTime() - Date.parse(job.updatedAt) >= STALE_PURGE_MS) stale.push(r);
  }
  const purged = await allRequests(app, [{ field: "status", op: "=", value: "purged" }]);
  let done = 0;
  // Kept, not thrown: one failing tenant must not stop the others; the next run tries again.
  for (const r of [...overdue, ...stale]) {
    const tenantId = r.scope.type === "account" ? r.scope.tenantId : undefined;
    const item = { requestId: r.id, ...(tenantId ? { tenantId } : {}) };
    if ((await run.attempt(item, "purge", () => purgeAccount(app, r.id))) === "purged") done++;
  }
  for (const r of purged) {
    await run.attempt({ requestId: r.id }, "issue_certificate", () => issueCertificate(app, r.id));
  }
  const report: ReconcileReport = {
    runId: run.id,
    at: now.toISOString(),
    found: {
      overdueDeactivated: overdue.length,
      stalePurging: stale.length,
      purgedAwaitingCompletion: purged.length,
    },
    purged: done,
    failed: run.failed,
  };
  // Every run is kept, idle ones too (as the reconcile record always was): the hourly proof it ran.
  await run.finish({ found: report.found, purged: done, failed: run.failed }, { keepIdle: true });
  return report;
}
