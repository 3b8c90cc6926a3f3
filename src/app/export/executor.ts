import { DomainError } from "../../domain/errors";
import type { Action } from "../../domain/requests/state-machine";
import type { RequestDoc } from "../../domain/requests/model";
import type { AppContext, Executor } from "../context";
import { notifyRequester } from "../requests";
import { applyAction, type TransitionOptions } from "../requests";
import { ensureExpiryScheduled } from "./expiry";
import { preparePackage } from "./package";

/**
 * The system moves the request on; a lost race (409: another run, a retry and reconciliation at once)
 * re-reads and carries on from wherever the request now stands.
 */
async function advance(
  app: AppContext,
  request: RequestDoc,
  action: Action,
  options: TransitionOptions,
): Promise<{ doc: RequestDoc; moved: boolean }> {
  try {
    return { doc: await applyAction(app, request.id, action, { kind: "system" }, options), moved: true };
  } catch (e) {
    if (!(e instanceof DomainError && e.kind === "conflict")) throw e;
    const fresh = await app.stores.requests.get(request.id);
    if (fresh.status === request.status) throw e;
    return { doc: fresh, moved: false };
  }
}

/**
 * A verified access request (an account, asked by its owner, or a WhatsApp number, verified by a
 * code): `verified → in_progress`, the package streamed to Blob, its deletion scheduled, then
 * `completed` with a notice saying until when it can be downloaded. Run again (retry, reconciliation)
 * it resumes from where the request and its job stand.
 */
export const accessExportExecutor: Executor = async (app, request, step) => {
  let current = request;
  if (current.status === "verified") {
    step("start");
    current = (await advance(app, current, "start", { notify: false })).doc;
  }
  if (current.status !== "in_progress") return;
  let job = await preparePackage(app, current, step);
  step("schedule_expiry");
  job = await ensureExpiryScheduled(app, current, job);
  step("complete");
  const pkg = job.package!;
  const { doc: after, moved } = await advance(app, current, "complete", {
    notify: false,
    data: {
      records: pkg.records,
      files: pkg.files,
      bytes: pkg.bytes,
      sha256: pkg.sha256,
      availableUntil: job.expiresAt,
      ...(pkg.refusedReferences ? { refusedReferences: pkg.refusedReferences } : {}),
    },
  });
  if (!moved) return;
  await notifyRequester(app, after, {
    template: "request_completed",
    requestId: after.id,
    kind: after.kind,
    ...(job.expiresAt ? { availableUntil: job.expiresAt } : {}),
  });
};
