import { reconcileBackups } from "../app/backups/reconcile";
import { rotateSet } from "../app/backups/rotate";
import { RotationMessage, runBackupSetJob, takeScheduledBackup } from "../app/backups/take";
import { runDailyRetentionSweep } from "../app/retention/sweep";
import type { QueueFunction, TimerFunction } from "../function-table";

/** Logged facts are ids, counts and outcomes only: never a name, number or email. */
const log = (fields: Record<string, unknown>) => console.log(JSON.stringify({ level: "info", ...fields }));

/**
 * `backup-rotation`: a set's own deletion at its expiry. A body that does not parse is logged and
 * completed (a retry cannot fix it); a rotation that throws is redelivered, then dead-lettered, and
 * reconciliation rotates the set either way. A duplicate finds the set rotated and does nothing.
 */
export const backupRotationQueue: QueueFunction = {
  trigger: "queue",
  name: "backupRotation",
  queue: "backup-rotation",
  async handle(rt, body, meta) {
    const parsed = RotationMessage.safeParse(body);
    if (!parsed.success) {
      log({ fn: "backupRotation", messageId: meta.messageId, outcome: "malformed_message_dropped" });
      return;
    }
    const { outcome, completion } = await rotateSet(rt.app, parsed.data.setId, "timer");
    log({
      fn: "backupRotation",
      setId: parsed.data.setId,
      deliveryCount: meta.deliveryCount,
      outcome,
      ...(completion ? { requestsCompleted: completion.completed } : {}),
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
  async handle(rt, body, meta) {
    const { outcome, setId, set } = await runBackupSetJob(rt.app, body);
    log({
      fn: "backupSets",
      messageId: meta.messageId,
      deliveryCount: meta.deliveryCount,
      outcome,
      ...(setId ? { setId } : {}),
      ...(set ? { status: set.status, tenants: set.tenants, records: set.records, bytes: set.bytes } : {}),
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
  async handle(rt) {
    if (rt.config.DPDP_PROFILE === "local" && rt.config.LOCAL_BACKUP_TIMER !== "on") return;
    const set = await takeScheduledBackup(rt.app);
    log({
      fn: "takeDailyBackup",
      outcome: set ? "started" : "already_taken_today",
      ...(set ? { setId: set.id, status: set.status } : {}),
    });
  },
};

/** Hourly: sets past expiry whose message was lost, sets whose writing stopped, requests left waiting. */
export const reconcileBackupsTimer: TimerFunction = {
  trigger: "timer",
  name: "reconcileBackups",
  schedule: "0 40 * * * *",
  async handle(rt) {
    const report = await reconcileBackups(rt.app);
    log({ fn: "reconcileBackups", ...report });
  },
};

/** Daily (02:30 IST): usage records, retained payments and exports past their retention (Privacy Policy §5). */
export const retentionSweepTimer: TimerFunction = {
  trigger: "timer",
  name: "retentionSweep",
  schedule: "0 0 21 * * *",
  async handle(rt) {
    const summary = await runDailyRetentionSweep(rt.app);
    log({
      fn: "retentionSweep",
      outcome: summary ? "swept" : "already_swept_today",
      ...(summary
        ? {
            counts: Object.fromEntries(summary.lines.map((l) => [`${l.category}:${l.rule}`, l.records])),
            failed: summary.failed,
          }
        : {}),
    });
  },
};
