import { runExecutionMessage } from "../app/requests/execution";
import type { QueueFunction } from "../function-table";

/** Logged facts are ids, counts and outcomes only: never a name, number or email. */
const log = (fields: Record<string, unknown>) => console.log(JSON.stringify({ level: "info", ...fields }));

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
  async handle(rt, body, meta) {
    const result = await runExecutionMessage(rt.app, body);
    log({
      fn: "requestExecution",
      messageId: meta.messageId,
      deliveryCount: meta.deliveryCount,
      outcome: result.outcome,
      ...(result.status ? { status: result.status } : {}),
    });
  },
};
