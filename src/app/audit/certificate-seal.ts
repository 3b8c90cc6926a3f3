import { type CertificateAnchor, certificateHash } from "../../domain/audit/certificate-proof";
import { DomainError } from "../../domain/errors";
import { PreconditionFailedError, type Versioned } from "../../ports/document-store";
import type { AppContext } from "../context";
import { AuditLog } from "./audit-log";
import { anchorChainNow } from "./seal-chains";

/** What sealing needs of a certificate of either scope (stored in `jobs` as `certificate:<requestId>`). */
interface SealableCertificate {
  id: string;
  pk: string;
  requestId: string;
  auditHeadHash: string;
  backups: { held: number };
  anchor?: CertificateAnchor;
}

/**
 * Makes the stored certificate carry an anchor that covers its current fields, before anyone is handed it:
 * its hash goes into the chain (`certificate_issued`, later versions `certificate_updated`), that chain's head
 * is anchored on the spot, and the anchor is written onto the certificate. Idempotent and safe to race: the
 * chain event is keyed by the hash (a repeat finds it), and the certificate is replaced under its ETag.
 * `read`: the certificate as the caller just read it (with its ETag), so the first attempt reads nothing again.
 */
export async function sealCertificate<T extends SealableCertificate>(
  app: AppContext,
  id: string,
  pk: string,
  read?: Versioned<T>,
): Promise<T> {
  const jobs = app.stores.certificates;
  for (let attempt = 1; attempt <= 5; attempt++) {
    const found = attempt === 1 && read ? read : await jobs.read<T>(id, pk);
    if (!found) throw new DomainError("not_found", "No such certificate.");
    const certificate = found.doc;
    const hash = certificateHash(certificate as unknown as Record<string, unknown>);
    if (certificate.anchor?.certificateHash === hash) return certificate;
    await new AuditLog(app).append(certificate.requestId, {
      actor: { kind: "system" },
      action: certificate.anchor ? "certificate_updated" : "certificate_issued",
      key: `certificate:${hash}`,
      data: {
        certificateId: certificate.id,
        certificateHash: hash,
        auditHeadHash: certificate.auditHeadHash,
        backupsHeld: certificate.backups.held,
      },
    });
    const { anchor, sha256, head } = await anchorChainNow(app, certificate.requestId);
    const sealed: T = {
      ...certificate,
      anchor: {
        certificateHash: hash,
        name: anchor.name,
        sha256,
        sealedAt: anchor.sealedAt,
        head: { seq: head.seq, hash: head.hash },
      },
    };
    try {
      return (await jobs.replace(sealed, found.etag)).doc;
    } catch (e) {
      // Someone changed or sealed it meanwhile: look again.
      if (!(e instanceof PreconditionFailedError)) throw e;
    }
  }
  throw new DomainError("conflict", "The certificate is being updated; try again.");
}
