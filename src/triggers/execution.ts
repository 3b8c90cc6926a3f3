import { runExecutionMessage } from "../app/requests";
import { invocationOf, type QueueFunction } from "../function-types";
import { safeId } from "../ports/logger";

/**
 * `request-execution`: one run of a request's executor (an export, an erasure across every tenant, a
 * correction…), sent by runExecution when a request may proceed, so no HTTP call waits for the work.
 * Idempotent and safe under a second delivery while the first still runs (src/app/requests/
 * execution.ts); a body that does not parse is logged and completed (a retry cannot fix it).
 */
export const requestExecutionQueue: QueueFunction = {
  trigger: "queue",
  name: "requestExecution",
  queue: "request-execution",
  async handle(rt, body, meta, invocation) {
    const { log } = invocationOf(rt, "requestExecution", invocation);
    const result = await runExecutionMessage(rt.app, body);
    log.info("executed", {
      messageId: safeId(meta.messageId),
      deliveryCount: meta.deliveryCount,
      outcome: safeId(result.outcome),
      ...(result.status ? { status: safeId(result.status) } : {}),
    });
  },
};
