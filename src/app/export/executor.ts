import type { Actor } from "../../domain/requests/model";
import type { Executor } from "../context";
import { notifyRequester } from "../requests/notify";
import { applyAction } from "../requests/transition";
import { ensureExpiryScheduled } from "./expiry";
import { preparePackage } from "./package";

const SYSTEM: Actor = { kind: "system" };

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
    current = await applyAction(app, current.id, "start", SYSTEM, { notify: false });
  }
  if (current.status !== "in_progress") return;
  let job = await preparePackage(app, current, step);
  step("schedule_expiry");
  job = await ensureExpiryScheduled(app, current, job);
  step("complete");
  const pkg = job.package!;
  const after = await applyAction(app, current.id, "complete", SYSTEM, {
    notify: false,
    data: {
      records: pkg.records,
      files: pkg.files,
      bytes: pkg.bytes,
      sha256: pkg.sha256,
      availableUntil: job.expiresAt,
    },
  });
  await notifyRequester(app, after, {
    template: "request_completed",
    requestId: after.id,
    kind: after.kind,
    ...(job.expiresAt ? { availableUntil: job.expiresAt } : {}),
  });
};
