import { WaiverReason } from "../processors/task";
import { z } from "zod";

/**
 * A certificate as a proof bundle carries it (`GET …/certificate/proof`): every field the service serves, and
 * nothing else. Strict, because the certificate's hash covers only what is there minus `anchor` (and
 * `certificateHash` ignores the store's `id`, `pk`, `docType`): an extra field would ride along unverified
 * under a valid hash. The WhatsApp-number certificate is stored as this schema plus the store's fields
 * (src/app/whatsapp-erasure/certificate.ts); a field added to the account's (src/app/account/certificate.ts,
 * an interface of its own) must be added here too, or its genuine bundles are refused
 * (test/e2e/audit-anchoring.test.ts verifies a genuine one).
 */
const Hex64 = z.string().regex(/^[0-9a-f]{64}$/, "a SHA-256 in hex");

/** What a certificate carries of its anchor. */
export const CertificateAnchor = z
  .object({
    /** SHA-256 of the certificate without `anchor` (and the store's `id`, `pk`, `docType`): sealed in the chain. */
    certificateHash: Hex64,
    name: z.string().min(1),
    sha256: Hex64,
    sealedAt: z.string(),
    /** This request's chain head as the anchor holds it. */
    head: z.object({ seq: z.number().int().positive(), hash: Hex64 }).strict(),
  })
  .strict();
export type CertificateAnchor = z.infer<typeof CertificateAnchor>;

/**
 * One service partner's part of the erasure (docs/processors.md): when it confirmed, or why staff recorded
 * that it could not. Present once the erasure was sent to partners; absent when none holds its categories.
 */
const settlement = {
  categories: z.array(z.string()),
  status: z.enum(["open", "confirmed", "waived"]),
  deadline: z.string(),
  confirmedAt: z.string().optional(),
  confirmedBy: z.enum(["partner", "staff"]).optional(),
  waivedAt: z.string().optional(),
  waivedReasonCode: WaiverReason.optional(),
  /** The code's fixed text (WAIVER_TEXT), never staff's free note. */
  waivedReason: z.string().optional(),
};

/** The line staff and the account's owner read: the partner by id and name. */
export const NamedProcessorLine = z
  .object({ processorId: z.string(), name: z.string(), country: z.string(), ...settlement })
  .strict();

/**
 * The line the public reads (a number's requester, its certificate): Privacy Policy §4 publishes no
 * partner names, and a partner serving one tenant only would name the tenant, so a position instead.
 */
export const NeutralProcessorLine = z
  .object({ partner: z.string().regex(/^partner \d+$/), crossBorder: z.boolean(), ...settlement })
  .strict();

export type NamedProcessorLine = z.infer<typeof NamedProcessorLine>;
export type NeutralProcessorLine = z.infer<typeof NeutralProcessorLine>;

export const CertificateProcessorLine = z.union([NamedProcessorLine, NeutralProcessorLine]);
export type CertificateProcessorLine = z.infer<typeof CertificateProcessorLine>;

const common = {
  requestId: z.string().min(1),
  issuedAt: z.string(),
  auditHeadHash: Hex64,
  completedAt: z.string().optional(),
  tenantsAffected: z.number().int().optional(),
  anchor: CertificateAnchor,
  processors: z.array(CertificateProcessorLine).optional(),
};

export const AccountCertificate = z
  .object({
    ...common,
    scope: z.literal("account"),
    deactivatedAt: z.string().optional(),
    purgedAt: z.string().optional(),
    categories: z.array(
      z
        .object({
          category: z.string(),
          label: z.string(),
          store: z.string().optional(),
          action: z.string(),
          count: z.number().int(),
          remaining: z.number().int().optional(),
          retention: z.object({ duration: z.string(), basis: z.string() }).strict().optional(),
          forfeitedAmount: z.number().optional(),
        })
        .strict(),
    ),
    backups: z
      .object({
        held: z.number().int(),
        note: z.string(),
        keyShreddedAt: z.string().optional(),
        residualUntil: z.string().optional(),
        rotatesBy: z.string().optional(),
        lastRotationAt: z.string().optional(),
      })
      .strict(),
  })
  .strict();

export const WhatsAppNumberCertificate = z
  .object({
    ...common,
    scope: z.literal("whatsapp_number"),
    categories: z.array(
      z
        .object({
          category: z.string(),
          label: z.string(),
          action: z.enum(["deleted", "anonymised", "retained", "routed"]),
          count: z.number().int(),
          /** Why a record stays (anonymised) or is left to another flow (routed). */
          reason: z.string().optional(),
        })
        .strict(),
    ),
    tenantsAffected: z.number().int(),
    routedToAccountFlow: z.boolean(),
    verifiedAt: z.string().optional(),
    erasureStartedAt: z.string(),
    erasureFinishedAt: z.string(),
    backups: z.object({ held: z.number().int(), note: z.string() }).strict(),
  })
  .strict();

export const ServedCertificate = z.discriminatedUnion("scope", [
  AccountCertificate,
  WhatsAppNumberCertificate,
]);
export type ServedCertificate = z.infer<typeof ServedCertificate>;
