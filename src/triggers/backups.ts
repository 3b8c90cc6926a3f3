import { reconcileBackups } from "../app/backups";
import { rotateSet } from "../app/backups";
import { RotationMessage, runBackupSetJob, takeScheduledBackup } from "../app/backups";
import { runDailyRetentionSweep } from "../app/retention";
import { invocationOf, type QueueFunction, type TimerFunction } from "../function-types";
import { safeId } from "../ports/logger";

/**
 * `backup-rotation`: a set's own deletion at its expiry. A body that does not parse is logged and
 * completed (a retry cannot fix it); a rotation that throws is redelivered, then dead-lettered, and
 * reconciliation rotates the set either way. A duplicate finds the set rotated and does nothing.
 */
export const backupRotationQueue: QueueFunction = {
  trigger: "queue",
  name: "backupRotation",
  queue: "backup-rotation",
  async handle(rt, body, meta, invocation) {
    const { log } = invocationOf(rt, "backupRotation", invocation);
    const parsed = RotationMessage.safeParse(body);
    if (!parsed.success) {
      log.warn("malformed_message_dropped", { messageId: safeId(meta.messageId) });
      return;
    }
    const { outcome, completion } = await rotateSet(rt.app, parsed.data.setId, "timer");
    log.info("rotation", {
      setId: safeId(parsed.data.setId),
      deliveryCount: meta.deliveryCount,
      outcome: safeId(outcome),
      ...(completion
        ? { requestsCompleted: completion.completed, completionsFailed: completion.failed }
        : {}),
    });
  },
};

/**
 * `backup-sets`: the writing of one backup set (POST /v1/backups and the daily timer send it), tenants a
 * few at a time, resuming after those already written. A duplicate finds the set written; a delivery
 * while another still writes the set leaves it to that one (src/app/backups/take.ts). A body that does
 * not parse is logged and completed; a set that fails half-way throws, is delivered again and resumes.
 */
export const backupSetsQueue: QueueFunction = {
  trigger: "queue",
  name: "backupSets",
  queue: "backup-sets",
  async handle(rt, body, meta, invocation) {
    const { log } = invocationOf(rt, "backupSets", invocation);
    const { outcome, setId, set } = await runBackupSetJob(rt.app, body);
    log.info("backup_set", {
      messageId: safeId(meta.messageId),
      deliveryCount: meta.deliveryCount,
      outcome: safeId(outcome),
      ...(setId ? { setId: safeId(setId) } : {}),
      ...(set
        ? { status: safeId(set.status), tenants: set.tenants, records: set.records, bytes: set.bytes }
        : {}),
    });
  },
};

/**
 * The daily backup set (02:00 IST), started as a `backup-sets` job. In the local profile only with LOCAL_BACKUP_TIMER=on: the local host
 * runs every timer on each move of the dev clock, and a set holding every tenant would keep each local
 * account deletion waiting for its rotation.
 */
export const backupTimer: TimerFunction = {
  trigger: "timer",
  name: "takeDailyBackup",
  schedule: "0 30 20 * * *",
  async handle(rt, invocation) {
    if (rt.config.DPDP_PROFILE === "local" && rt.config.LOCAL_BACKUP_TIMER !== "on") return;
    const { log } = invocationOf(rt, "takeDailyBackup", invocation);
    const set = await takeScheduledBackup(rt.app);
    log.info(set ? "started" : "already_taken_today", {
      ...(set ? { setId: safeId(set.id), status: safeId(set.status) } : {}),
    });
  },
};

/** Hourly: sets past expiry whose message was lost, sets whose writing stopped, requests left waiting. */
export const reconcileBackupsTimer: TimerFunction = {
  trigger: "timer",
  name: "reconcileBackups",
  schedule: "0 40 * * * *",
  async handle(rt, invocation) {
    await reconcileBackups(rt.app, invocationOf(rt, "reconcileBackups", invocation));
  },
};

/** Daily (02:30 IST): usage records, retained payments and exports past their retention (Privacy Policy §5). */
export const retentionSweepTimer: TimerFunction = {
  trigger: "timer",
  name: "retentionSweep",
  schedule: "0 0 21 * * *",
  async handle(rt, invocation) {
    const inv = invocationOf(rt, "retentionSweep", invocation);
    const summary = await runDailyRetentionSweep(rt.app, inv);
    // A swept day's counts and failed items are in its run record; this says whether it ran at all.
    inv.log.info(summary ? "swept" : "already_swept_today");
  },
};
