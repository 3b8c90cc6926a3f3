import { z } from "zod";
import {
  CertificateAnchor,
  type CertificateProcessorLine,
  WhatsAppNumberCertificate,
} from "../../domain/audit/certificate-schema";
import { DomainError } from "../../domain/errors";
import type { RequestDoc } from "../../domain/requests/model";
import { AlreadyExistsError } from "../../ports/document-store";
import { sealCertificate } from "../audit";
import { activeBackupsHolding } from "../backups";
import type { AppContext } from "../context";
import { AuditLog } from "../audit";
import type { WhatsAppErasureJob } from "./job";
import { erasurePlan } from "./plan";

/**
 * The deletion certificate of a WhatsApp-number erasure, stored in `jobs` as `certificate:<requestId>`
 * in the request's partition: the shape the account erasure's certificate has (one endpoint serves
 * both), plus the routed-to-account-flow flag and the times. Tenants appear as a count only: the
 * requester never learns which businesses held their data.
 */
export const WhatsAppCertificate = WhatsAppNumberCertificate.extend({
  id: z.string(),
  pk: z.string(),
  docType: z.literal("certificate"),
  /** The anchor that seals this version of the certificate and its chain (docs/audit-anchoring.md). */
  anchor: CertificateAnchor.optional(),
}).strict();
export type WhatsAppCertificate = z.infer<typeof WhatsAppCertificate>;

export const certificateId = (requestId: string) => `certificate:${requestId}`;

const ROUTED_REASON =
  "The number is a CallMissed account's own WhatsApp Business identifier: it is deleted with that account, which only the account owner can request (Account Deletion Policy §2)";
const BACKUPS_NONE =
  "No backup set is recorded as holding this number's data: the erasure reached every copy (Data Deletion Instructions §4).";
const BACKUPS_PENDING =
  "Encrypted backups in India still hold copies; each rotates out on its schedule, within 90 days of this deletion (Data Deletion Instructions §4).";

const jobs = (app: AppContext) => app.stores.certificates;

/**
 * How many backup sets still hold the number (the backup catalogue, src/app/backups). TODO(backups):
 * the catalogue must register platform backup sets against `wa:<hash>` subjects too; until it does
 * this is 0 and the request completes at once (there are no platform backups yet).
 */
export async function backupsHolding(app: AppContext, request: RequestDoc): Promise<number> {
  return (await activeBackupsHolding(app, request.pk)).length;
}

/**
 * Issues the certificate once the job finished; a second call returns the first certificate. Either way
 * it is sealed into the chain (`certificate_issued`) and anchored before it is returned: a run that stopped
 * between storing and sealing it seals it now.
 */
export async function issueWhatsAppCertificate(
  app: AppContext,
  request: RequestDoc,
  job: WhatsAppErasureJob,
  processors: CertificateProcessorLine[] = [],
): Promise<WhatsAppCertificate> {
  const existing = await readWhatsAppCertificate(app, request);
  if (existing) return seal(app, existing);
  if (!job.finishedAt) throw new DomainError("conflict", "The erasure has not finished yet.");
  const plan = erasurePlan(app.inventory);
  const reasons = new Map(
    plan.targets.map((t) => [
      t.category,
      t.action.type === "anonymise"
        ? t.action.reason
        : t.action.type === "route_to_account_flow"
          ? ROUTED_REASON
          : undefined,
    ]),
  );
  const held = await backupsHolding(app, request);
  const { headHash } = await new AuditLog(app).verified(request.id);
  const certificate: WhatsAppCertificate = {
    id: certificateId(request.id),
    pk: request.pk,
    docType: "certificate",
    requestId: request.id,
    issuedAt: app.ports.clock.now().toISOString(),
    scope: "whatsapp_number",
    categories: plan.categories.map((c) => {
      const progress = job.categories[c.category];
      const reason = reasons.get(c.category);
      return {
        category: c.category,
        label: c.label,
        action: progress?.action ?? c.outcome,
        count: progress?.count ?? 0,
        ...(reason ? { reason } : {}),
      };
    }),
    tenantsAffected: job.tenants.count,
    routedToAccountFlow: job.routedToAccountFlow,
    ...(request.verifiedAt ? { verifiedAt: request.verifiedAt } : {}),
    erasureStartedAt: job.startedAt,
    erasureFinishedAt: job.finishedAt,
    backups: { held, note: held > 0 ? BACKUPS_PENDING : BACKUPS_NONE },
    auditHeadHash: headHash,
    ...(processors.length ? { processors } : {}),
  };
  try {
    await jobs(app).create(WhatsAppCertificate.parse(certificate));
  } catch (e) {
    if (!(e instanceof AlreadyExistsError)) throw e;
  }
  return seal(app, certificate);
}

const seal = async (app: AppContext, certificate: WhatsAppCertificate) =>
  WhatsAppCertificate.parse(await sealCertificate<WhatsAppCertificate>(app, certificate.id, certificate.pk));

/**
 * Stamps the completion time on the certificate (idempotent). Completion means no backup holds the
 * number any more, so the backups line says so from then on.
 */
export async function markCertificateCompleted(app: AppContext, request: RequestDoc, at: string) {
  const found = await jobs(app).read<WhatsAppCertificate>(certificateId(request.id), request.pk);
  if (!found) return;
  const current = WhatsAppCertificate.parse(found.doc);
  if (current.completedAt) {
    await seal(app, current);
    return;
  }
  await jobs(app).replace(
    { ...current, completedAt: at, backups: { held: 0, note: BACKUPS_NONE } },
    found.etag,
  );
  // The completed version is sealed and anchored in its turn (`certificate_updated`).
  await seal(app, current);
}

/** The partners' lines as they stand now, stored and sealed again when they changed (none: nothing to do). */
export async function updateProcessorLines(
  app: AppContext,
  request: RequestDoc,
  lines: CertificateProcessorLine[],
): Promise<void> {
  if (lines.length === 0) return;
  const found = await jobs(app).read<WhatsAppCertificate>(certificateId(request.id), request.pk);
  if (!found) return;
  const current = WhatsAppCertificate.parse(found.doc);
  // A completed certificate's lines are those that completed it: lines read earlier never replace them.
  if (current.completedAt) return;
  if (JSON.stringify(current.processors ?? []) === JSON.stringify(lines)) return;
  await jobs(app).replace({ ...current, processors: lines }, found.etag);
  await seal(app, current);
}

export async function readWhatsAppCertificate(
  app: AppContext,
  request: RequestDoc,
): Promise<WhatsAppCertificate | undefined> {
  const found = await jobs(app).read<WhatsAppCertificate>(certificateId(request.id), request.pk);
  return found ? WhatsAppCertificate.parse(found.doc) : undefined;
}
