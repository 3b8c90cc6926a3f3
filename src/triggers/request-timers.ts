import { dispatchRequestTimer } from "../app/timers";
import { invocationOf, type QueueFunction } from "../function-types";
import { safeId } from "../ports/logger";

/**
 * `request-timers`: every per-request timer other than the purge (export expiry, and the kinds other
 * capabilities add to the dispatcher). A handler that throws is redelivered, then dead-lettered;
 * reconciliation finishes the work either way.
 */
export const requestTimersQueue: QueueFunction = {
  trigger: "queue",
  name: "requestTimers",
  queue: "request-timers",
  async handle(rt, body, meta, invocation) {
    const { log } = invocationOf(rt, "requestTimers", invocation);
    const result = await dispatchRequestTimer(rt.app, body, meta);
    log.info("timer_dispatched", {
      messageId: safeId(meta.messageId),
      deliveryCount: meta.deliveryCount,
      // `type` comes from the message body: safeId turns anything that is not an id into "[redacted]".
      type: safeId(result.type),
      outcome: safeId(result.outcome),
      ...(result.requestId ? { requestId: safeId(result.requestId) } : {}),
    });
  },
};
