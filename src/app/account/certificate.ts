import type { CertificateAnchor } from "../../domain/audit/certificate-proof";
import { DomainError, notFound } from "../../domain/errors";
import type { RequestDoc } from "../../domain/requests/model";
import { AlreadyExistsError, PreconditionFailedError } from "../../ports/document-store";
import type { Caller } from "../caller";
import type { AppContext } from "../context";
import { sealCertificate } from "../audit";
import { activeBackupsHolding, lastRotationOf } from "../backups";
import { tenantKeyShreddedAt } from "../backups";
import { readForRequesterOrOwner } from "../requests";
import { AuditLog } from "../audit";
import { applyAction } from "../requests";
import { readPurgeJob, recordsHandled } from "./purge-job";
import { tenantPartition } from "../../domain/storage/partition-keys";
import type { CertificateProcessorLine } from "../../domain/audit/certificate-schema";
import { eventFor, fanOutToProcessors, outcomeOf, processorOutcome } from "../processors";

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
    /** The records the action covered, counted as the purge went (src/app/account/purge-job.ts). */
    count: number;
    /** Deleted and forfeited: what was left of the tenant's in the store when the category finished (0). */
    remaining?: number;
    retention?: { duration: string; basis: string };
    forfeitedAmount?: number;
  }[];
  tenantsAffected?: number;
  backups: {
    held: number;
    note: string;
    /**
     * When the tenant's backup data key was destroyed (crypto-shredding). Cosmos DB point-in-time restore
     * of the service's database can still bring the wrapped key back until `residualUntil`.
     */
    keyShreddedAt?: string;
    /** keyShreddedAt + the continuous-backup retention (COSMOS_BACKUP_TIER): from then no copy can be read. */
    residualUntil?: string;
    /** The latest expiry among the sets still holding the subject: none outlives it. */
    rotatesBy?: string;
    /** When the last set that held the subject rotated out (set on completion). */
    lastRotationAt?: string;
  };
  auditHeadHash: string;
  /** Each service partner told of the erasure: when it confirmed, or why staff waived it (docs/processors.md). */
  processors?: CertificateProcessorLine[];
  completedAt?: string;
  /** The anchor that seals this version of the certificate and its chain (docs/audit-anchoring.md). */
  anchor?: CertificateAnchor;
}

const jobs = (app: AppContext) => app.stores.certificates;
const certificateId = (requestId: string) => `certificate:${requestId}`;

const BACKUPS_NONE =
  "No backup set holds this subject's data: the erasure reached every copy (Data Deletion Instructions §4).";

/** When the key was destroyed, and until when a point-in-time restore of our database could undo that. */
interface Shredding {
  at: string;
  residualUntil: string;
  days: number;
}
const shredded = (s: Shredding | undefined) =>
  s
    ? ` The account's backup data key was destroyed on ${s.at} (crypto-shredding). Until ${s.residualUntil} a point-in-time restore of the service's own database (Cosmos DB continuous backup, ${s.days} days) could bring the wrapped key back, and with it the backups; after ${s.residualUntil} no backup copy can be read by anyone.`
    : "";
const backupsPending = (held: number, rotatesBy: string | undefined, s: Shredding | undefined) =>
  `${held} encrypted backup set${held === 1 ? "" : "s"} in India still hold${held === 1 ? "s" : ""} a copy.${shredded(s)} Each set is deleted at its expiry, the last by ${rotatesBy ?? "its expiry"}, within 90 days of this deletion (Data Deletion Instructions §4).`;
const backupsRotated = (lastRotationAt: string | undefined, s: Shredding | undefined) =>
  lastRotationAt
    ? `Every backup set that held this data has been deleted (rotated out), the last on ${lastRotationAt}: the erasure reached every copy (Data Deletion Instructions §4).${shredded(s)}`
    : `${BACKUPS_NONE}${shredded(s)}`;

function shreddingOf(app: AppContext, keyShreddedAt: string | undefined): Shredding | undefined {
  if (!keyShreddedAt) return undefined;
  const days = app.settings.cosmosRestoreWindowDays;
  const residualUntil = new Date(Date.parse(keyShreddedAt) + days * 86_400_000).toISOString();
  return { at: keyShreddedAt, residualUntil, days };
}

/** What the backup catalogue says about the subject now: sets holding it, when its key went. */
async function backupsLine(app: AppContext, subject: string, tenantId: string | undefined) {
  const held = await activeBackupsHolding(app, subject);
  const shredding = shreddingOf(app, tenantId ? await tenantKeyShreddedAt(app, tenantId) : undefined);
  const rotatesBy = held
    .map((h) => h.expiresAt)
    .sort()
    .at(-1);
  return { held, shredding, rotatesBy };
}

/**
 * Issues the certificate once the purge finished (idempotent), and completes the request when no
 * backup set still holds the subject.
 */
export async function issueCertificate(app: AppContext, requestId: string): Promise<Certificate> {
  const request = await app.stores.requests.get(requestId);
  if (request.scope.type !== "account") throw new DomainError("invalid", "Not an account erasure.");
  const tenantId = request.scope.tenantId;
  const existing = await jobs(app).read<Certificate>(certificateId(requestId), request.pk);
  let certificate = existing?.doc;
  /** The fan-out just decided no partner (a decision is kept once made): nothing to read again below. */
  let nonePlanned = false;
  if (!certificate) {
    const job = await readPurgeJob(app, requestId, tenantId);
    if (!job?.finishedAt) throw new DomainError("conflict", "The purge has not finished yet.");
    // Our own stores are erased: every partner holding what was erased is told (DPDP Act s.8(7)), before
    // the certificate is made, so it lists them; a rerun after a crash here makes no second task.
    const erased = Object.entries(job.categories)
      .filter(([, o]) => o.action !== "retained")
      .map(([c]) => c);
    const event = eventFor(request, "erasure", erased);
    const partners = outcomeOf(
      event ? await fanOutToProcessors(app, request, event) : { planned: 0, tasks: [] },
    );
    nonePlanned = partners.settled && partners.lines.length === 0;
    const { held, shredding, rotatesBy } = await backupsLine(app, tenantPartition(tenantId), tenantId);
    const { headHash } = await new AuditLog(app).verified(requestId);
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
          // Deleted means none left: the category ended on a listing (or, for a partition delete, a count)
          // that found nothing of the tenant's in the store.
          ...(o.action === "deleted" || o.action === "forfeited" ? { remaining: 0 } : {}),
          ...(o.retention ? { retention: o.retention } : {}),
          ...(o.forfeitedAmount !== undefined ? { forfeitedAmount: o.forfeitedAmount } : {}),
        };
      }),
      backups: {
        held: held.length,
        note: held.length
          ? backupsPending(held.length, rotatesBy, shredding)
          : backupsRotated(await lastRotationOf(app, tenantPartition(tenantId)), shredding),
        ...(shredding ? { keyShreddedAt: shredding.at, residualUntil: shredding.residualUntil } : {}),
        ...(held.length && rotatesBy ? { rotatesBy } : {}),
      },
      auditHeadHash: headHash,
      ...(partners.lines.length ? { processors: partners.lines } : {}),
    };
    try {
      await jobs(app).create(certificate);
    } catch (e) {
      if (!(e instanceof AlreadyExistsError)) throw e;
    }
  }
  // Sealed into the chain and anchored before it can be handed out (`certificate_issued`); a run that
  // stopped after storing it seals it now.
  certificate = await sealCertificate<Certificate>(app, certificateId(requestId), request.pk);
  // The partners' state is read again, not taken from the fan-out: a partner may have confirmed (and
  // completed the request) while its notice was in flight, and that newer state must not be overwritten.
  // (The request may be completed by then too: completing again is a conflict, and a completed
  // certificate is never rewritten.)
  return completeIfNoBackups(app, request, certificate, nonePlanned);
}

/**
 * purged → completed when every backup set that held the subject has rotated out and every service
 * partner told of the erasure confirmed or was waived; until then the certificate's partner lines follow
 * their confirmations.
 */
export async function completeIfNoBackups(
  app: AppContext,
  request: RequestDoc,
  certificate: Certificate,
  /** The caller's fan-out has just decided no partner: there is no partner state to read. */
  nonePlanned = false,
): Promise<Certificate> {
  if (request.status !== "purged" && request.status !== "purging") return certificate;
  // Read now, never handed in: a copy from before a partner's confirmation would overwrite it.
  const partners = nonePlanned ? { settled: true, lines: [] } : await processorOutcome(app, request);
  if (!partners.settled) return withPartnerLines(app, certificate, partners.lines);
  const subject = request.scope.type === "account" ? tenantPartition(request.scope.tenantId) : request.pk;
  if ((await activeBackupsHolding(app, subject)).length > 0)
    return withPartnerLines(app, certificate, partners.lines);
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
  const completed = (current: Certificate): Certificate => {
    const { rotatesBy: _rotatesBy, ...backups } = current.backups;
    return {
      ...current,
      ...(partners.lines.length ? { processors: partners.lines } : {}),
      completedAt: current.completedAt ?? app.ports.clock.now().toISOString(),
      backups: {
        ...backups,
        held: 0,
        note: backupsRotated(lastRotationAt, shreddingOf(app, current.backups.keyShreddedAt)),
        ...(lastRotationAt ? { lastRotationAt } : {}),
      },
    };
  };
  if (partners.lines.length === 0) {
    // No partner lines: no other writer's newer partner state to lose, so no read for an ETag.
    const done = completed(certificate);
    await jobs(app).upsert(done);
    return sealCertificate<Certificate>(app, done.id, done.pk);
  }
  // Completed once: a later run (with lines read before a confirmation) never rewrites it.
  return writeCertificate(app, certificate, (current) =>
    current.completedAt ? undefined : completed(current),
  );
}

/** The certificate with the partners' lines as they stand now, stored and sealed again when they changed. */
async function withPartnerLines(
  app: AppContext,
  certificate: Certificate,
  lines: CertificateProcessorLine[],
): Promise<Certificate> {
  if (lines.length === 0) return certificate;
  return writeCertificate(app, certificate, (current) =>
    // A completed certificate's lines were written from the state that completed it: lines read earlier
    // (a stale copy) never replace them.
    current.completedAt || JSON.stringify(lines) === JSON.stringify(current.processors ?? [])
      ? undefined
      : { ...current, processors: lines },
  );
}

/**
 * Changes the stored certificate under its ETag (`change` returns undefined: nothing to change), reading
 * it again when another writer changed it meanwhile, then seals the version stored.
 */
async function writeCertificate(
  app: AppContext,
  certificate: Certificate,
  change: (current: Certificate) => Certificate | undefined,
): Promise<Certificate> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const found = await jobs(app).read<Certificate>(certificate.id, certificate.pk);
    if (!found) throw notFound("The certificate is not stored.");
    const next = change(found.doc);
    if (!next) return sealCertificate<Certificate>(app, certificate.id, certificate.pk);
    try {
      await jobs(app).replace(next, found.etag);
    } catch (e) {
      if (e instanceof PreconditionFailedError) continue;
      throw e;
    }
    // The changed version is sealed and anchored in its turn (`certificate_updated`).
    return sealCertificate<Certificate>(app, certificate.id, certificate.pk);
  }
  throw new DomainError("conflict", "The certificate kept changing: the next run writes it.");
}

/** GET …/certificate: the requester, the account owner, or staff. */
export async function getCertificate(
  app: AppContext,
  caller: Caller,
  requestId: string,
): Promise<Certificate> {
  const { doc: request } = await readForRequesterOrOwner(app, caller, requestId, true);
  const found = await jobs(app).read<Certificate>(certificateId(requestId), request.pk);
  if (found) return sealCertificate<Certificate>(app, found.doc.id, found.doc.pk, found);
  if (request.kind !== "erasure") throw notFound("Only erasure requests have a deletion certificate.");
  throw new DomainError(
    "conflict",
    `The request is ${request.status.replace(/_/g, " ")}: the certificate is issued when the deletion finishes.`,
    [],
    { status: request.status },
  );
}
