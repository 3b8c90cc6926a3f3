import { z } from "zod";
import { canonicalJson, sha256 } from "../crypto";
import { type ChainEvent, isWithheld, verifyChain, type WithheldEvent } from "../requests/audit-chain";
import { Anchor, anchorSha256 } from "./anchor";
import { ServedCertificate } from "./certificate-schema";

/**
 * Offline proof of a deletion certificate (docs/audit-anchoring.md): the certificate, its request's audit
 * chain up to the anchored head, and the anchor. Pure: `npm run verify-certificate -- <file>` needs nothing else.
 */

/** The events that seal a version of a certificate into its chain: `data.certificateHash`. */
export const CERTIFICATE_EVENTS = ["certificate_issued", "certificate_updated"] as const;

export { CertificateAnchor } from "./certificate-schema";

const Hex64 = z.string().regex(/^[0-9a-f]{64}$/, "a SHA-256 in hex");

/** The fields a certificate's hash covers: all but the anchor and the store's own bookkeeping. */
export function certificateHash(certificate: Record<string, unknown>): string {
  const { id: _id, pk: _pk, docType: _docType, anchor: _anchor, ...certified } = certificate;
  return sha256(canonicalJson(certified));
}

// Events stay loose: every field they hold is hashed, so none may be dropped by parsing. A shown event may not
// carry `withheld` (it would read as a withheld one, its content unchecked).
const ShownEvent = z
  .object({
    v: z.literal(2).optional(),
    requestId: z.string(),
    seq: z.number().int().positive(),
    action: z.string(),
    prevHash: Hex64,
    hash: Hex64,
    withheld: z.never().optional(),
  })
  .loose();
const WithheldProofEvent = z
  .object({ seq: z.number().int().positive(), prevHash: Hex64, hash: Hex64, withheld: z.literal(true) })
  .strict();

export const PROOF_FORMAT = "dpdp-rights/certificate-proof@1";

export const ProofBundle = z
  .object({
    format: z.literal(PROOF_FORMAT),
    certificate: ServedCertificate,
    chain: z.array(z.union([WithheldProofEvent, ShownEvent])),
    anchor: Anchor,
  })
  .strict();
export type ProofBundle = z.infer<typeof ProofBundle>;

export type ProofResult =
  | {
      valid: true;
      requestId: string;
      anchor: { name: string; sealedAt: string; seq: number; sha256: string };
      /**
       * The anchor's bytes were compared with a copy of the stored blob (`--anchor`). Without that, `valid`
       * proves only that the bundle is internally consistent: a bundle built from scratch is too.
       */
      anchorCheckedAgainstStore: boolean;
      /** Legacy events shown as their place in the chain only (linked, content not checked). */
      withheld: number;
    }
  | { valid: false; problems: string[]; anchorCheckedAgainstStore: boolean };

const isCertificateEvent = (e: ChainEvent): e is Exclude<ChainEvent, WithheldEvent> =>
  !isWithheld(e) && (CERTIFICATE_EVENTS as readonly string[]).includes(e.action);
const sealedHash = (e: ChainEvent) =>
  "data" in e && typeof e.data?.certificateHash === "string" ? e.data.certificateHash : undefined;

/**
 * Every check a verifier makes; any failure refuses the bundle, naming what failed. `storedAnchor`: the bytes
 * of the blob the anchor names, copied from the immutable `audit-anchors` container; without it the anchor is
 * trusted as far as the certificate names its SHA-256, which anyone forging the whole bundle can arrange.
 */
export function verifyProof(input: unknown, storedAnchor?: string): ProofResult {
  const parsed = ProofBundle.safeParse(input);
  if (!parsed.success) {
    return {
      valid: false,
      anchorCheckedAgainstStore: false,
      problems: parsed.error.issues.map((i) => `malformed: ${i.path.join(".") || "(bundle)"}: ${i.message}`),
    };
  }
  const { certificate, anchor } = parsed.data;
  const chain = parsed.data.chain as ChainEvent[];
  const ref = certificate.anchor;
  const problems: string[] = [];

  const links = verifyChain(chain);
  if (!links.valid) problems.push(`chain: event ${links.brokenAt} does not link or hash`);
  if (chain.some((e) => !isWithheld(e) && e.requestId !== certificate.requestId))
    problems.push("chain: holds another request's events");

  const anchorSha = anchorSha256(anchor);
  if (anchorSha !== ref.sha256) problems.push("anchor: its SHA-256 is not the certificate's");
  const matchesStore = storedAnchor !== undefined && sha256(storedAnchor) === anchorSha;
  if (storedAnchor !== undefined && !matchesStore)
    problems.push("anchor: differs from the copy of the stored anchor given (--anchor): forged or altered");
  if (anchor.name !== ref.name || anchor.sealedAt !== ref.sealedAt)
    problems.push("anchor: name or sealedAt differ from the certificate's");
  const head = anchor.heads.find(
    (h) => h.requestId === certificate.requestId && h.seq === ref.head.seq && h.hash === ref.head.hash,
  );
  if (!head) problems.push("anchor: does not hold the certificate's head for this request");
  const anchored = chain.slice(0, ref.head.seq);
  if (anchored.length < ref.head.seq || anchored.at(-1)?.hash !== ref.head.hash)
    problems.push(
      `chain: event ${ref.head.seq} is missing or is not the anchored one (truncated or rewritten)`,
    );

  // Hashed as given (the strict schema has refused any field beyond those served).
  const hash = certificateHash((input as { certificate: Record<string, unknown> }).certificate);
  if (hash !== ref.certificateHash) problems.push("certificate: its fields were altered after sealing");
  const sealedIn = anchored.some((e) => isCertificateEvent(e) && sealedHash(e) === hash);
  if (!sealedIn) problems.push("certificate: no event of the anchored chain seals this certificate");
  // Only the newest version counts: an older one, sealed before it, was replaced.
  const last = chain.filter(isCertificateEvent).at(-1);
  if (sealedIn && last && sealedHash(last) !== hash)
    problems.push(
      `certificate: superseded: event ${last.seq} seals ${sealedHash(last) === undefined ? "a version it does not show" : "a later version"}`,
    );
  if (!anchored.some((e) => e.hash === certificate.auditHeadHash))
    problems.push("certificate: its auditHeadHash is not in the anchored chain");

  return problems.length > 0
    ? { valid: false, problems, anchorCheckedAgainstStore: matchesStore }
    : {
        valid: true,
        requestId: certificate.requestId,
        anchor: { name: anchor.name, sealedAt: anchor.sealedAt, seq: ref.head.seq, sha256: anchorSha },
        anchorCheckedAgainstStore: matchesStore,
        withheld: links.withheld,
      };
}
