import { z } from "zod";
import { REQUEST_ID_PATTERN } from "../../domain/requests/request-id";
import type { Actor, RequestDoc } from "../../domain/requests/model";
import type { AppContext } from "../context";
import { AuditLog } from "../audit";
import { runExecution } from "../requests";
import { FailureRecordedOnRequest, type RunOptions, startRun } from "../operations";
import { type ExportJob, ExportJobs, STALE_RUN_MS } from "./job";
import { deleteRequestBlobs } from "./package";

const SYSTEM: Actor = { kind: "system" };

/** The body of the export's timer on the shared `request-timers` queue. */
export const ExportExpiryMessage = z
  .object({
    type: z.literal("export_expiry"),
    requestId: z.string().max(400).regex(REQUEST_ID_PATTERN),
  })
  .strict();
export type ExportExpiryMessage = z.infer<typeof ExportExpiryMessage>;

/**
 * Schedules the package's deletion at its expiry (7 days after it is ready, `exportExpiry`) unless a
 * message is already waiting; the ticket is kept on the job. The messageId is per run, so a retried
 * schedule is recognisable; the handler is idempotent either way.
 */
export async function ensureExpiryScheduled(
  app: AppContext,
  request: Pick<RequestDoc, "id" | "pk">,
  job: ExportJob,
): Promise<ExportJob> {
  if (job.expiryTicket || !job.expiresAt || job.status !== "ready") return job;
  const ticket = await app.ports.scheduler.schedule({
    queue: "request-timers",
    messageId: `export-expiry:${request.id}:${job.runId}:${job.expiresAt}`,
    body: { type: "export_expiry", requestId: request.id } satisfies ExportExpiryMessage,
    deliverAt: new Date(job.expiresAt),
  });
  const updated = await new ExportJobs(app).mutate(request, (j) => ({ ...j, expiryTicket: ticket }));
  await new AuditLog(app).append(request.id, {
    actor: SYSTEM,
    action: "export_expiry_scheduled",
    data: { expiresAt: job.expiresAt, queue: "request-timers" },
  });
  return updated;
}

export type ExpiryOutcome = "deleted" | "already_expired" | "early" | "no_package";

/**
 * Deletes an expired package (the `export_expiry` message and reconciliation alike). Re-reads the job
 * and acts only when it is ready and due; deleting twice is harmless, so delivery more than once is.
 */
export async function expireExport(
  app: AppContext,
  requestId: string,
  by: "timer" | "reconciliation",
): Promise<ExpiryOutcome> {
  const jobs = new ExportJobs(app);
  const job = await jobs.findByRequestId(requestId);
  if (!job) return "no_package";
  if (job.status === "expired") return "already_expired";
  if (job.status !== "ready" || !job.expiresAt) return "no_package";
  const now = app.ports.clock.now();
  const ref = { id: requestId, pk: job.pk };
  if (Date.parse(job.expiresAt) > now.getTime()) {
    // Delivered early (a stray copy, clock skew): make sure the real one waits, do nothing now.
    if (by === "timer") {
      const { expiryTicket: _ticket, ...rest } = job;
      await ensureExpiryScheduled(app, ref, rest);
    }
    return "early";
  }
  const deleted = await deleteRequestBlobs(app, requestId);
  let changed = false;
  await jobs.mutate(ref, (j) => {
    if (j.status !== "ready") return j;
    changed = true;
    const { expiryTicket: _ticket, ...rest } = j;
    return { ...rest, status: "expired", expiredAt: now.toISOString() };
  });
  if (!changed) return "already_expired";
  await new AuditLog(app).append(requestId, {
    actor: SYSTEM,
    action: "export_deleted",
    data: { blobsDeleted: deleted, by },
  });
  return "deleted";
}

export interface ReconcileReport {
  /** Packages deleted because their expiry passed. */
  expired: number;
  /** Exports run again (stalled runs, verified requests never started) that completed. */
  rerun: number;
  /** Items that failed (each kept in the run record). */
  failed?: number;
}

/**
 * The safety net (DESIGN §4): packages past their expiry whose message was lost are deleted; runs that
 * stopped without a trace (no heartbeat for STALE_RUN_MS: a crashed or timed-out function) and
 * verified access requests that never started are run again. One failing item never stops the sweep.
 */
export async function reconcileExports(app: AppContext, options: RunOptions = {}): Promise<ReconcileReport> {
  const run = startRun(app, "reconcileExports", options);
  const jobs = new ExportJobs(app);
  const now = app.ports.clock.now();
  const report: ReconcileReport = { expired: 0, rerun: 0 };
  const due: string[] = [];
  for await (const job of jobs.scan([
    { field: "status", op: "=", value: "ready" },
    { field: "expiresAt", op: "<=", value: now.toISOString() },
  ]))
    due.push(job.requestId);
  for (const id of due) {
    const outcome = await run.attempt({ requestId: id }, "expire", () =>
      expireExport(app, id, "reconciliation"),
    );
    if (outcome === "deleted") report.expired++;
  }
  const staleBefore = new Date(now.getTime() - STALE_RUN_MS).toISOString();
  const stalled: string[] = [];
  for await (const job of jobs.scan([
    { field: "status", op: "in", value: ["running", "publishing"] },
    { field: "updatedAt", op: "<", value: staleBefore },
  ]))
    stalled.push(job.requestId);
  const store = app.stores.requests;
  let continuationToken: string | undefined;
  do {
    const page = await store.list({
      where: [
        { field: "kind", op: "=", value: "access" },
        { field: "status", op: "=", value: "verified" },
        { field: "verifiedAt", op: "<", value: staleBefore },
      ],
      limit: 100,
      ...(continuationToken ? { continuationToken } : {}),
    });
    for (const r of page.items) stalled.push(r.id);
    continuationToken = page.continuationToken;
  } while (continuationToken);
  for (const id of new Set(stalled)) {
    const after = await run.attempt({ requestId: id }, "run_execution", () => runExecution(app, id));
    if (after?.failure) run.fail({ requestId: id }, after.failure.step, new FailureRecordedOnRequest());
    else if (after?.status === "completed") report.rerun++;
  }
  await run.finish({ ...report, found: { expiredDue: due.length, stalled: new Set(stalled).size } });
  return run.failed ? { ...report, failed: run.failed } : report;
}
