import { flowKey } from "../../domain/requests/state-machine";
import type { RequestDoc } from "../../domain/requests/model";
import type { AppContext } from "../context";
import { awaitsNomineeReview } from "../rights/on-behalf";
import { AuditLog } from "./audit-log";
import { alertPrivacyOfficer } from "./notify";
import { RequestStore } from "./request-store";

/** After this many failed runs in a row the privacy officer is told, once. */
export const ALERT_AFTER_FAILURES = 3;

/**
 * Runs the kind's executor for a request that may now proceed. A failure is recorded on the request
 * with the step it reached, so staff see where it stopped and POST …/retry resumes from there.
 */
export async function runExecution(app: AppContext, requestId: string): Promise<RequestDoc> {
  const store = new RequestStore(app.ports);
  const request = await store.get(requestId);
  // Filed by a nominee: nothing runs until staff have reviewed the evidence and approved (Act s.14).
  if (awaitsNomineeReview(request)) return request;
  const executor = app.executors[flowKey(request.kind, request.scope.type)];
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
    await new AuditLog(app.ports).append(requestId, {
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
