import { randomUUID } from "node:crypto";
import type { RequestDoc } from "../../domain/requests/model";
import { partitionOfRequestId } from "../../domain/requests/request-id";
import type { AppContext } from "../context";
import { AuditLog } from "../audit";
import {
  asRunning,
  claimExecution,
  ExecutionMessage,
  markExecutionQueued,
  releaseExecution,
  scheduleExecutionRecheck,
  sendExecution,
} from "./execution-queue";
import { handlerOf } from "./kind-handler";
import { alertPrivacyOfficer } from "./notify";

/** After this many failed runs in a row the privacy officer is told, once. */
export const ALERT_AFTER_FAILURES = 3;

/**
 * Asks for the kind's executor to run for a request that may now proceed: one `request-execution`
 * message (src/app/requests/execution-queue.ts), and the request as it stands once it is sent. Long
 * work (an export, an erasure across every tenant) never runs inside an HTTP call, which the platform's
 * front end cuts at 230 s: in Azure the caller answers with the request as it stands (`verified`,
 * say) and the queue function runs the executor. The local scheduler delivers such a message at once,
 * inside the send, so locally the answer shows the request after its run, as it did when the run
 * was inline. A nominee's request waiting for staff review, or a kind without an executor, sends
 * nothing. When the queue cannot take the message (Service Bus unavailable), the run happens here
 * rather than not at all: the executor records its own failures, and the HTTP answer may then come
 * late, never wrong.
 */
export async function runExecution(
  app: AppContext,
  requestId: string,
  /** The request as the caller just wrote it, when it has it: not read again. */
  known?: RequestDoc,
): Promise<RequestDoc> {
  const store = app.stores.requests;
  const request = known?.id === requestId ? known : await store.get(requestId);
  const kind = handlerOf(app, request);
  // Held by its kind: a nominee's request runs only once staff reviewed the evidence (Act s.14).
  if (kind.holdsExecution?.(request)) return request;
  // No executor, or one with nothing to do in this status (a correction before its approval): no run.
  if (!kind.execute || (kind.runsIn && !kind.runsIn.includes(request.status))) return request;
  const message: ExecutionMessage = { requestId, generation: await markExecutionQueued(app, request) };
  try {
    await sendExecution(app, message);
  } catch (e) {
    console.error(
      JSON.stringify({
        level: "error",
        fn: "runExecution",
        outcome: "send_failed_running_inline",
        error: e instanceof Error ? e.name : "unknown",
      }),
    );
    await runExecutionMessage(app, message);
  }
  return store.get(requestId);
}

/**
 * Runs the kind's executor for a request, here and now (the queue handler below; anything else that
 * must run inline). A failure is recorded on the request with the step it reached, so staff see where
 * it stopped and POST …/retry resumes from there; after ALERT_AFTER_FAILURES in a row the privacy
 * officer is told, once.
 */
export async function executeRequest(app: AppContext, requestId: string): Promise<RequestDoc> {
  const store = app.stores.requests;
  const request = await store.get(requestId);
  const kind = handlerOf(app, request);
  // Held by its kind: a nominee's request runs only once staff reviewed the evidence (Act s.14).
  if (kind.holdsExecution?.(request)) return request;
  const executor = kind.execute;
  if (!executor) return request;
  let step = "start";
  try {
    await executor(app, request, (name) => {
      step = name;
    });
  } catch (e) {
    const message = e instanceof Error ? e.message.slice(0, 300) : "unknown failure";
    const now = app.ports.clock.now().toISOString();
    const { after } = await store.update(requestId, (doc) => {
      const attempts = (doc.failure?.attempts ?? 0) + 1;
      doc.failure = { step, message, at: now, attempts, alerted: doc.failure?.alerted ?? false };
      return doc;
    });
    await new AuditLog(app).append(requestId, {
      actor: { kind: "system" },
      action: "execution_failed",
      data: { step, attempts: after.failure!.attempts },
    });
    if (after.failure!.attempts >= ALERT_AFTER_FAILURES && !after.failure!.alerted) {
      await alertPrivacyOfficer(
        app,
        {
          template: "execution_failure_alert",
          requestId,
          kind: after.kind,
          step,
          attempts: after.failure!.attempts,
        },
        requestId,
      );
      await store.update(requestId, (doc) => ({
        ...doc,
        ...(doc.failure ? { failure: { ...doc.failure, alerted: true } } : {}),
      }));
    }
    return store.get(requestId);
  }
  const after = await store.get(requestId);
  if (after.failure) {
    await store.update(requestId, (doc) => {
      delete doc.failure;
      return doc;
    });
    return store.get(requestId);
  }
  return after;
}

export type ExecutionOutcome =
  | "executed"
  | "failed"
  | "already_executed"
  | "claimed_elsewhere"
  | "request_not_found"
  | "malformed_message_dropped";

/**
 * One delivery of a `request-execution` message (at least once, possibly twice at the same time):
 *
 * - a generation a finished run already covered is a duplicate: nothing runs;
 * - another delivery holding the claim (its lock was lost, or a duplicate send) leaves the work to it
 *   and comes back when that claim runs out (a recheck message), so a run that died is taken over;
 * - otherwise this delivery claims the run (ETag-guarded), runs the executor (which resumes from the
 *   request's status and its job's checkpoint), and gives the claim back, marking the run done.
 *
 * A failure of the executor is recorded on the request (executeRequest) and the message completes;
 * only a failure to record it (the store itself down) throws, and the message is delivered again.
 */
export async function runExecutionMessage(
  app: AppContext,
  body: unknown,
): Promise<{ outcome: ExecutionOutcome; requestId?: string; status?: string }> {
  const parsed = ExecutionMessage.safeParse(body);
  const pk = parsed.success ? partitionOfRequestId(parsed.data.requestId) : undefined;
  if (!parsed.success || pk === undefined) return { outcome: "malformed_message_dropped" };
  const message = parsed.data;
  const { requestId } = message;
  if (!(await app.stores.requests.find(requestId))) return { outcome: "request_not_found", requestId };
  const claimId = randomUUID();
  return asRunning(claimId, async () => {
    const claim = await claimExecution(app, requestId, pk, message.generation, claimId);
    if (claim.outcome === "done") return { outcome: "already_executed" as const, requestId };
    if (claim.outcome === "busy") {
      await scheduleExecutionRecheck(app, message, claim.until);
      return { outcome: "claimed_elsewhere" as const, requestId };
    }
    // Asks that arrive while this runs (a retry, a reconciliation) are covered by running once more
    // here, a few times at most; past that they wait for their own message or recheck.
    for (let round = 1; ; round++) {
      let after: RequestDoc;
      try {
        after = await executeRequest(app, requestId);
      } catch (e) {
        // Best effort: a claim left behind is taken over by the next delivery (src/app/requests/
        // execution-queue.ts, leaseHeld).
        await releaseExecution(app, requestId, pk, claimId, false).catch(() => undefined);
        throw e;
      }
      const released = await releaseExecution(app, requestId, pk, claimId, true, round < MAX_ROUNDS).catch(
        () => "released" as const,
      );
      if (released === "again") continue;
      return {
        outcome: after.failure ? ("failed" as const) : ("executed" as const),
        requestId,
        status: after.status,
      };
    }
  });
}

/** Runs of the executor one delivery makes at most (asks that arrived meanwhile included). */
const MAX_ROUNDS = 3;
