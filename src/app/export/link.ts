import { DomainError, notFound } from "../../domain/errors";
import type { RequestDoc } from "../../domain/requests/model";
import type { Caller } from "../caller";
import type { AppContext } from "../context";
import { readForRequesterOrOwner } from "../requests";
import { AuditLog } from "../audit";
import { actorOf } from "../requests";
import { EXPORT_CONTAINER, type ExportJob, ExportJobs } from "./job";
import { humanDuration } from "./summary";

export interface ExportLink {
  /** Read-only, to this one blob, valid `exportLinkValidity` (15 minutes). */
  url: string;
  expiresAt: string;
  /** When the package itself is deleted (`exportExpiry`, 7 days after it was ready). */
  availableUntil: string;
  bytes: number;
  sha256: string;
}

const isExpired = (job: ExportJob, now: Date) =>
  job.status === "expired" ||
  (job.status === "ready" && job.expiresAt !== undefined && Date.parse(job.expiresAt) <= now.getTime());

function howToAskAgain(doc: RequestDoc): string {
  return doc.scope.type === "whatsapp_number"
    ? 'Make a new access request: POST /api/v1/requests {"kind":"access","scope":{"type":"whatsapp_number","phone":"<your number>"}} and verify it with the code we send to that number.'
    : 'The account owner makes a new access request from the dashboard: POST /api/v1/requests {"kind":"access"}.';
}

const progressText = (job: ExportJob | undefined) =>
  !job
    ? ""
    : job.progress.recordsEstimated > 0
      ? ` (${job.progress.recordsDone} of about ${job.progress.recordsEstimated} records so far)`
      : ` (${job.progress.recordsDone} records so far)`;

/**
 * GET …/export: a short-lived read-only link to the finished package, for the requester (request
 * token) or the account's owner only. 409 while it is being prepared, 410 once it has expired.
 */
export async function getExportLink(app: AppContext, caller: Caller, id: string): Promise<ExportLink> {
  const { doc, relation } = await readForRequesterOrOwner(app, caller, id);
  if (doc.kind !== "access") throw notFound("This request has no data export.");
  const job = (await new ExportJobs(app).read(doc))?.job;
  const now = app.ports.clock.now();
  if (job && isExpired(job, now)) {
    const expiredAt = job.expiredAt ?? job.expiresAt!;
    throw new DomainError(
      "gone",
      `The export expired on ${expiredAt.slice(0, 10)}: a package is kept ${humanDuration(app.policy.periods.exportExpiry.duration)} after it is ready, then deleted. ${howToAskAgain(doc)}`,
      [],
      { expiredAt, howToAskAgain: howToAskAgain(doc) },
    );
  }
  if (!job?.package || job.status !== "ready" || doc.status !== "completed") {
    const preparing = doc.status === "verified" || doc.status === "in_progress";
    throw new DomainError(
      "conflict",
      preparing
        ? `The export is being prepared${progressText(job)}; try again shortly.`
        : `The request is ${doc.status.replace(/_/g, " ")}: there is no export to download.`,
      [],
      {
        status: doc.status,
        ...(job
          ? {
              progress: {
                recordsDone: job.progress.recordsDone,
                recordsEstimated: job.progress.recordsEstimated,
              },
            }
          : {}),
      },
    );
  }
  const expiresAt = app.policy.deadline(now, "exportLinkValidity");
  const url = await app.ports.blobs.readUrl(EXPORT_CONTAINER, job.package.blob, expiresAt);
  await new AuditLog(app).append(id, {
    actor: actorOf(app, caller),
    action: "export_link_issued",
    data: { relation, linkExpiresAt: expiresAt.toISOString() },
  });
  return {
    url,
    expiresAt: expiresAt.toISOString(),
    availableUntil: job.expiresAt!,
    bytes: job.package.bytes,
    sha256: job.package.sha256,
  };
}

/**
 * What GET /requests/{id} adds for an access request (`requestView`'s `extra`): progress while the
 * package is made, then where and until when it can be downloaded. Nothing for other kinds.
 */
export async function exportView(app: AppContext, doc: RequestDoc): Promise<Record<string, unknown>> {
  if (doc.kind !== "access") return {};
  const job = (await new ExportJobs(app).read(doc))?.job;
  if (!job) return {};
  const now = app.ports.clock.now();
  const { recordsDone, recordsEstimated, current } = job.progress;
  const status = isExpired(job, now) ? "expired" : job.status === "ready" ? "ready" : "preparing";
  return {
    progress: {
      recordsDone,
      recordsEstimated,
      percent:
        status !== "preparing"
          ? 100
          : recordsEstimated > 0
            ? Math.min(99, Math.floor((recordsDone / recordsEstimated) * 100))
            : 0,
      ...(current && status === "preparing" ? { current } : {}),
      updatedAt: job.updatedAt,
    },
    export: {
      status,
      ...(job.readyAt ? { readyAt: job.readyAt } : {}),
      ...(job.expiresAt ? { availableUntil: job.expiresAt } : {}),
      ...(job.expiredAt ? { expiredAt: job.expiredAt } : {}),
      ...(job.package && status === "ready"
        ? { bytes: job.package.bytes, sha256: job.package.sha256, href: `/api/v1/requests/${doc.id}/export` }
        : {}),
    },
  };
}
