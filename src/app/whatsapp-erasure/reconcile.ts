import type { RequestDoc, RequestStatus } from "../../domain/requests/model";
import type { AppContext } from "../context";
import { FailureRecordedOnRequest, type RunOptions, startRun } from "../operations";
import { runExecution } from "../requests";
import { readWhatsAppErasureJob } from "./job";

/** An erasure whose request or checkpoint has not moved for this long is taken to have died. */
export const STALE_ERASURE_MS = 15 * 60_000;

export interface WhatsAppReconcileResult {
  found: { verified: number; purging: number; purged: number };
  resumed: number;
  completed: number;
  failed: number;
}

const requestsIn = (app: AppContext, status: RequestStatus): Promise<RequestDoc[]> =>
  app.stores.requests.listAll([
    { field: "kind", op: "=", value: "erasure" },
    { field: "scope.type", op: "=", value: "whatsapp_number" },
    { field: "status", op: "=", value: status },
  ]);

/**
 * The safety net for WhatsApp-number erasures (DESIGN §4), for a timer: the erasure runs inside the
 * verification call, so a process that died there (or a Functions timeout) leaves a request verified
 * or purging with no failure recorded, which POST …/retry would refuse. This finds those whose
 * request or checkpoint went quiet, and purged ones still waiting for their certificate or completion,
 * and runs them again; the job resumes from its checkpoint. Registered hourly in src/triggers/whatsapp-erasure.ts.
 */
export async function reconcileWhatsAppErasures(
  app: AppContext,
  staleMs = STALE_ERASURE_MS,
  options: RunOptions = {},
): Promise<WhatsAppReconcileResult> {
  const run = startRun(app, "reconcileWhatsAppErasures", options);
  const now = app.ports.clock.now().getTime();
  const quiet = (iso: string | undefined) => iso === undefined || now - Date.parse(iso) >= staleMs;
  const verified = (await requestsIn(app, "verified")).filter((r) => quiet(r.verifiedAt));
  const purging: RequestDoc[] = [];
  for (const r of await requestsIn(app, "purging")) {
    const job = await readWhatsAppErasureJob(app, r);
    if (quiet(job?.updatedAt)) purging.push(r);
  }
  const purged = await requestsIn(app, "purged");
  let completed = 0;
  for (const r of [...verified, ...purging, ...purged]) {
    // runExecution records a failure on the request (and alerts after repeated ones); one request's
    // trouble does not stop the others.
    const after = await run.attempt({ requestId: r.id }, "run_execution", () => runExecution(app, r.id));
    if (after?.failure) run.fail({ requestId: r.id }, after.failure.step, new FailureRecordedOnRequest());
    else if (after?.status === "completed") completed++;
  }
  const result: WhatsAppReconcileResult = {
    found: { verified: verified.length, purging: purging.length, purged: purged.length },
    resumed: verified.length + purging.length + purged.length,
    completed,
    failed: run.failed,
  };
  await run.finish(result);
  return result;
}
