import { dispatchRequestTimer } from "../app/timers/request-timers";
import type { QueueFunction } from "../function-table";

/** Logged facts are ids, types and outcomes only: never a name, number or email. */
const log = (fields: Record<string, unknown>) => console.log(JSON.stringify({ level: "info", ...fields }));

/**
 * `request-timers`: every per-request timer other than the purge (export expiry, and the kinds other
 * capabilities add to the dispatcher). A handler that throws is redelivered, then dead-lettered;
 * reconciliation finishes the work either way.
 */
export const requestTimersQueue: QueueFunction = {
  trigger: "queue",
  name: "requestTimers",
  queue: "request-timers",
  async handle(rt, body, meta) {
    const result = await dispatchRequestTimer(rt.app, body, meta);
    log({ fn: "requestTimers", messageId: meta.messageId, deliveryCount: meta.deliveryCount, ...result });
  },
};
