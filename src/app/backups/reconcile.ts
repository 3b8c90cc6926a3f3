import type { AppContext } from "../context";
import { type RunOptions, startRun } from "../operations";
import { catalogue, findSets } from "./catalogue";
import { completeWaitingErasures } from "./complete";
import { rotateSet } from "./rotate";
import { writeSet } from "./take";

/** A `writing` set whose heartbeat has not moved for this long is taken to have died, and is resumed. */
export const STALE_WRITE_MS = 15 * 60_000;

export interface BackupReconcileReport {
  /** Sets past their expiry that were still active (their rotation message lost or dead-lettered). */
  rotated: number;
  /** Sets whose writing had stopped, finished now. */
  resumed: number;
  /** Erasure requests completed because nothing holds their subject any more. */
  completed: number;
  failed: number;
}

/**
 * The safety net of the backups (DESIGN §4), for the hourly timer: sets past their expiry are rotated
 * even when their message never came; sets whose writing died are finished; erasure requests that no
 * set holds any more are completed. One failing set never stops the others.
 */
export async function reconcileBackups(
  app: AppContext,
  options: RunOptions = {},
): Promise<BackupReconcileReport> {
  const run = startRun(app, "reconcileBackups", options);
  const now = app.ports.clock.now();
  const report: BackupReconcileReport = { rotated: 0, resumed: 0, completed: 0, failed: 0 };
  const overdue = await findSets(app, [
    { field: "status", op: "in", value: ["writing", "active"] },
    { field: "expiresAt", op: "<=", value: now.toISOString() },
  ]);
  for (const set of overdue) {
    const rotation = await run.attempt({ setId: set.id }, "rotate", () =>
      rotateSet(app, set.id, "reconciliation"),
    );
    if (rotation?.outcome === "rotated") report.rotated++;
  }
  const staleBefore = new Date(now.getTime() - STALE_WRITE_MS).toISOString();
  const stalled = await findSets(app, [
    { field: "status", op: "=", value: "writing" },
    { field: "heartbeatAt", op: "<", value: staleBefore },
  ]);
  for (const set of stalled) {
    if (
      (await run.attempt({ setId: set.id }, "resume_writing", () => writeSet(app, set.id)))?.status ===
      "active"
    )
      report.resumed++;
  }
  // Only where there are backups at all: the catalogue is what these requests wait on.
  const sets = await catalogue(app).count({ where: [{ field: "docType", op: "=", value: "backup-set" }] });
  if (sets > 0) {
    const completion = await completeWaitingErasures(app, { run });
    report.completed += completion.completed;
  }
  report.failed = run.failed;
  await run.finish(report);
  return report;
}
