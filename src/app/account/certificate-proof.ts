import { anchorNumberOf } from "../../domain/audit/anchor";
import type { Anchor } from "../../domain/audit/anchor";
import {
  type CertificateAnchor,
  CERTIFICATE_EVENTS,
  PROOF_FORMAT,
} from "../../domain/audit/certificate-proof";
import { DomainError } from "../../domain/errors";
import { type ChainEvent, redactEvent } from "../../domain/requests/audit-chain";
import { getCertificate } from "./certificate";
import type { Caller } from "../caller";
import type { AppContext } from "../context";
import { AuditLog } from "../audit";
import { AnchorLog } from "../audit";

/** What `verifyProof` (src/domain/audit/certificate-proof.ts) reads. */
export interface CertificateProofBundle {
  format: typeof PROOF_FORMAT;
  certificate: { requestId: string; auditHeadHash: string; anchor: CertificateAnchor } & Record<
    string,
    unknown
  >;
  chain: ChainEvent[];
  anchor: Anchor;
}

/**
 * GET …/certificate/proof: the certificate as served, its chain up to the anchored head, and that anchor
 * from the append-only store — all `npm run verify-certificate` needs. The same callers as the certificate.
 * Events other than the certificate's own are redacted to their header (who acted, why and with what
 * data are replaced by their hash): the requester learns no more than the audit summary shows them. Legacy
 * events (no `v`, written before redaction existed) hash whole, so they are withheld: only seq and hashes.
 */
export async function certificateProof(
  app: AppContext,
  caller: Caller,
  requestId: string,
): Promise<CertificateProofBundle> {
  const {
    id: _id,
    pk: _pk,
    docType: _docType,
    ...certificate
  } = await getCertificate(app, caller, requestId);
  const ref = certificate.anchor;
  const number = ref ? anchorNumberOf(ref.name) : undefined;
  const found = number === undefined ? undefined : await new AnchorLog(app).read(number);
  if (!ref || !found) throw new DomainError("conflict", "The certificate's anchor is not available.");
  const events = (await new AuditLog(app).events(requestId)).slice(0, ref.head.seq);
  const certificateEvents: readonly string[] = CERTIFICATE_EVENTS;
  return {
    format: PROOF_FORMAT,
    certificate: { ...certificate, anchor: ref },
    chain: events.map((e) => (e.v === 2 && certificateEvents.includes(e.action) ? e : redactEvent(e))),
    anchor: found.anchor,
  };
}
