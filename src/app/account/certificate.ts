import { DomainError, notFound } from "../../domain/errors";
import type { RequestDoc } from "../../domain/requests/model";
import { AlreadyExistsError } from "../../ports/document-store";
import type { Caller } from "../caller";
import type { AppContext } from "../context";
import { activeBackupsHolding, lastRotationOf } from "../backups/holdings";
import { tenantKeyShreddedAt } from "../backups/keys";
import { readForRequesterOrOwner } from "../requests/access-control";
import { AuditLog } from "../requests/audit-log";
import { RequestStore } from "../requests/request-store";
import { applyAction } from "../requests/transition";
import { readPurgeJob, recordsHandled } from "./purge-job";

/**
 * The deletion certificate (stored in `jobs` as `certificate:<requestId>`): what was deleted,
 * anonymised, retained and forfeited, per category with counts and the legal basis of every retention,
 * the times, and the head hash of the request's audit chain. Erasures of every scope share this shape.
 */
export interface Certificate {
  id: string;
  pk: string;
  docType: "certificate";
  requestId: string;
  scope: "account" | "whatsapp_number";
  issuedAt: string;
  deactivatedAt?: string;
  purgedAt?: string;
  categories: {
    category: string;
    label: string;
    store?: string;
    action: "deleted" | "anonymised" | "retained" | "forfeited" | "routed";
    count: number;
    remaining?: number;
    retention?: { duration: string; basis: string };
    forfeitedAmount?: number;
  }[];
  tenantsAffected?: number;
  backups: {
    held: number;
    note: string;
    /** When the tenant's backup data key was destroyed: every backup copy is unreadable from then on. */
    keyShreddedAt?: string;
    /** The latest expiry among the sets still holding the subject: none outlives it. */
    rotatesBy?: string;
    /** When the last set that held the subject rotated out (set on completion). */
    lastRotationAt?: string;
  };
  auditHeadHash: string;
  completedAt?: string;
}

const jobs = (app: AppContext) => app.ports.documents.collection("service", "jobs");
const certificateId = (requestId: string) => `certificate:${requestId}`;

const BACKUPS_NONE =
  "No backup set holds this subject's data: the erasure reached every copy (Data Deletion Instructions §4).";
const shredded = (at: string | undefined) =>
  at
    ? ` The account's backup data key was destroyed on ${at} (crypto-shredding): from then on no backup copy can be read by anyone.`
    : "";
const backupsPending = (held: number, rotatesBy: string | undefined, keyShreddedAt: string | undefined) =>
  `${held} encrypted backup set${held === 1 ? "" : "s"} in India still hold${held === 1 ? "s" : ""} a copy.${shredded(keyShreddedAt)} Each set is deleted at its expiry, the last by ${rotatesBy ?? "its expiry"}, within 90 days of this deletion (Data Deletion Instructions §4).`;
const backupsRotated = (lastRotationAt: string | undefined, keyShreddedAt: string | undefined) =>
  lastRotationAt
    ? `Every backup set that held this data has been deleted (rotated out), the last on ${lastRotationAt}: the erasure reached every copy (Data Deletion Instructions §4).${shredded(keyShreddedAt)}`
    : `${BACKUPS_NONE}${shredded(keyShreddedAt)}`;

/** What the backup catalogue says about the subject now: sets holding it, when its key went. */
async function backupsLine(app: AppContext, subject: string, tenantId: string | undefined) {
  const held = await activeBackupsHolding(app, subject);
  const keyShreddedAt = tenantId ? await tenantKeyShreddedAt(app, tenantId) : undefined;
  const rotatesBy = held
    .map((h) => h.expiresAt)
    .sort()
    .at(-1);
  return { held, keyShreddedAt, rotatesBy };
}

/**
 * Issues the certificate once the purge finished (idempotent), and completes the request when no
 * backup set still holds the subject.
 */
export async function issueCertificate(app: AppContext, requestId: string): Promise<Certificate> {
  const request = await new RequestStore(app.ports).get(requestId);
  if (request.scope.type !== "account") throw new DomainError("invalid", "Not an account erasure.");
  const tenantId = request.scope.tenantId;
  const existing = await jobs(app).read<Certificate>(certificateId(requestId), request.pk);
  let certificate = existing?.doc;
  if (!certificate) {
    const job = await readPurgeJob(app, requestId, tenantId);
    if (!job?.finishedAt) throw new DomainError("conflict", "The purge has not finished yet.");
    const { held, keyShreddedAt, rotatesBy } = await backupsLine(app, `tenant:${tenantId}`, tenantId);
    const { headHash } = await new AuditLog(app.ports).verified(requestId);
    certificate = {
      id: certificateId(requestId),
      pk: request.pk,
      docType: "certificate",
      requestId,
      scope: "account",
      issuedAt: app.ports.clock.now().toISOString(),
      ...(request.account?.deactivatedAt ? { deactivatedAt: request.account.deactivatedAt } : {}),
      purgedAt: request.account?.purgedAt ?? job.finishedAt,
      categories: app.inventory.map((entry) => {
        const o = job.categories[entry.category]!;
        return {
          category: entry.category,
          label: entry.label,
          store: `${entry.store.kind}:${entry.store.container}`,
          action: o.action,
          count: recordsHandled(o),
          ...(o.retention ? { retention: o.retention } : {}),
          ...(o.forfeitedAmount !== undefined ? { forfeitedAmount: o.forfeitedAmount } : {}),
        };
      }),
      backups: {
        held: held.length,
        note: held.length
          ? backupsPending(held.length, rotatesBy, keyShreddedAt)
          : backupsRotated(await lastRotationOf(app, `tenant:${tenantId}`), keyShreddedAt),
        ...(keyShreddedAt ? { keyShreddedAt } : {}),
        ...(held.length && rotatesBy ? { rotatesBy } : {}),
      },
      auditHeadHash: headHash,
    };
    try {
      await jobs(app).create(certificate);
      await new AuditLog(app.ports).append(requestId, {
        actor: { kind: "system" },
        action: "certificate_issued",
        data: { backupsHeld: held.length },
      });
    } catch (e) {
      if (!(e instanceof AlreadyExistsError)) throw e;
      certificate = (await jobs(app).read<Certificate>(certificateId(requestId), request.pk))!.doc;
    }
  }
  return completeIfNoBackups(app, request, certificate);
}

/** purged → completed when every backup set that held the subject has rotated out. */
export async function completeIfNoBackups(
  app: AppContext,
  request: RequestDoc,
  certificate: Certificate,
): Promise<Certificate> {
  if (request.status !== "purged" && request.status !== "purging") return certificate;
  const subject = request.scope.type === "account" ? `tenant:${request.scope.tenantId}` : request.pk;
  if ((await activeBackupsHolding(app, subject)).length > 0) return certificate;
  const lastRotationAt = certificate.backups.lastRotationAt ?? (await lastRotationOf(app, subject));
  try {
    await applyAction(
      app,
      request.id,
      "complete",
      { kind: "system" },
      {
        reason: "Primary data erased and no backup holds a copy",
      },
    );
  } catch (e) {
    if (!(e instanceof DomainError && e.kind === "conflict")) throw e;
  }
  const completedAt = certificate.completedAt ?? app.ports.clock.now().toISOString();
  const { rotatesBy: _rotatesBy, ...backups } = certificate.backups;
  const done: Certificate = {
    ...certificate,
    completedAt,
    backups: {
      ...backups,
      held: 0,
      note: backupsRotated(lastRotationAt, certificate.backups.keyShreddedAt),
      ...(lastRotationAt ? { lastRotationAt } : {}),
    },
  };
  await jobs(app).upsert(done);
  return done;
}

/** GET …/certificate: the requester, the account owner, or staff. */
export async function getCertificate(
  app: AppContext,
  caller: Caller,
  requestId: string,
): Promise<Certificate> {
  const { doc: request } = await readForRequesterOrOwner(app, caller, requestId, true);
  const found = await jobs(app).read<Certificate>(certificateId(requestId), request.pk);
  if (!found) {
    if (request.kind !== "erasure") throw notFound("Only erasure requests have a deletion certificate.");
    throw new DomainError(
      "conflict",
      `The request is ${request.status.replace(/_/g, " ")}: the certificate is issued when the deletion finishes.`,
      [],
      { status: request.status },
    );
  }
  return found.doc;
}
