import { PurgeMessage, purgeAccount } from "../app/account/purge";
import { reconcileAccountPurges } from "../app/account/reconcile";
import type { QueueFunction, TimerFunction } from "../function-table";

/** Logged facts are ids and outcomes only: never a name, number or email. */
const log = (fields: Record<string, unknown>) => console.log(JSON.stringify({ level: "info", ...fields }));

/**
 * `account-purge`: the 30-day timer firing. A body that does not parse is logged and completed (a
 * retry cannot fix it); a purge that throws is redelivered, then dead-lettered, and reconciliation
 * finishes the work either way.
 */
export const accountPurgeQueue: QueueFunction = {
  trigger: "queue",
  name: "accountPurge",
  queue: "account-purge",
  async handle(rt, body, meta) {
    const parsed = PurgeMessage.safeParse(body);
    if (!parsed.success) {
      log({ fn: "accountPurge", messageId: meta.messageId, outcome: "malformed_message_dropped" });
      return;
    }
    const outcome = await purgeAccount(rt.app, parsed.data.requestId);
    log({ fn: "accountPurge", requestId: parsed.data.requestId, deliveryCount: meta.deliveryCount, outcome });
  },
};

export const reconcileTimer: TimerFunction = {
  trigger: "timer",
  name: "reconcileAccountPurges",
  schedule: "0 0 * * * *",
  async handle(rt) {
    const report = await reconcileAccountPurges(rt.app);
    log({ fn: "reconcileAccountPurges", found: report.found, purged: report.purged, failed: report.failed });
  },
};
