import { randomUUID } from "node:crypto";
import type { RequestDoc } from "../../domain/requests/model";
import type { Condition } from "../../ports/document-store";
import type { AppContext } from "../context";
import { RequestStore } from "../requests/request-store";
import { issueCertificate } from "./certificate";
import { purgeAccount } from "./purge";
import { readPurgeJob } from "./purge-job";

/** A purge whose checkpoint has not moved for this long is taken to have died, and is resumed. */
export const STALE_PURGE_MS = 15 * 60_000;

export interface ReconcileReport {
  id: string;
  pk: string;
  docType: "reconcile-run";
  at: string;
  found: { overdueDeactivated: number; stalePurging: number; purgedAwaitingCompletion: number };
  purged: number;
  failed: number;
}

const allRequests = (app: AppContext, where: Condition[]): Promise<RequestDoc[]> =>
  new RequestStore(app.ports).listAll([
    { field: "kind", op: "=", value: "erasure" },
    { field: "scope.type", op: "=", value: "account" },
    ...where,
  ]);

/**
 * The hourly safety net (DESIGN §4): no purge is missed because a message was never scheduled, was
 * lost or dead-lettered. Finds deactivated accounts past their purge time (not held), purges that
 * stopped, and purged requests still waiting to complete; does the work; records what it found.
 */
export async function reconcileAccountPurges(app: AppContext): Promise<ReconcileReport> {
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
  let failed = 0;
  for (const r of [...overdue, ...stale]) {
    try {
      if ((await purgeAccount(app, r.id)) === "purged") done++;
    } catch {
      // Counted, not thrown: one failing tenant must not stop the others; the next run tries again.
      failed++;
    }
  }
  for (const r of purged) {
    try {
      await issueCertificate(app, r.id);
    } catch {
      failed++;
    }
  }
  const report: ReconcileReport = {
    id: `reconcile:${now.toISOString()}:${randomUUID().slice(0, 8)}`,
    pk: "reconcile",
    docType: "reconcile-run",
    at: now.toISOString(),
    found: {
      overdueDeactivated: overdue.length,
      stalePurging: stale.length,
      purgedAwaitingCompletion: purged.length,
    },
    purged: done,
    failed,
  };
  await app.ports.documents.collection("service", "jobs").create(report);
  return report;
}
