import { PurgeMessage, purgeAccount } from "../app/account";
import { reconcileAccountPurges } from "../app/account";
import { invocationOf, type QueueFunction, type TimerFunction } from "../function-types";
import { safeId } from "../ports/logger";

/**
 * `account-purge`: the 30-day timer firing. A body that does not parse is logged and completed (a
 * retry cannot fix it); a purge that throws is redelivered, then dead-lettered, and reconciliation
 * finishes the work either way.
 */
export const accountPurgeQueue: QueueFunction = {
  trigger: "queue",
  name: "accountPurge",
  queue: "account-purge",
  async handle(rt, body, meta, invocation) {
    const { log } = invocationOf(rt, "accountPurge", invocation);
    const parsed = PurgeMessage.safeParse(body);
    if (!parsed.success) {
      log.warn("malformed_message_dropped", { messageId: safeId(meta.messageId) });
      return;
    }
    const outcome = await purgeAccount(rt.app, parsed.data.requestId);
    log.info("purge", {
      requestId: safeId(parsed.data.requestId),
      deliveryCount: meta.deliveryCount,
      outcome: safeId(outcome),
    });
  },
};

export const reconcileTimer: TimerFunction = {
  trigger: "timer",
  name: "reconcileAccountPurges",
  schedule: "0 0 * * * *",
  async handle(rt, invocation) {
    // The run's counts and failures are logged and kept by the run record (src/app/operations).
    await reconcileAccountPurges(rt.app, invocationOf(rt, "reconcileAccountPurges", invocation));
  },
};
