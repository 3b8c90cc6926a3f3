import { z } from "zod";
import { ConsentLanguage, Purpose } from "./purposes";

/**
 * A consent artefact (MeitY BRD for Consent Management, DPDP Act 2023 s.6): one record of one act of
 * consent, a grant or a withdrawal, by one principal for one purpose. Never edited: a renewal is a new
 * grant naming the one it renews, a withdrawal is a new record. Stored in the principal's partition of
 * `requests`, so a principal's history is one partition read.
 */
export const AffirmativeActionKind = z.enum([
  "checkbox_ticked",
  "button_pressed",
  "whatsapp_reply",
  "signed_form",
  "consent_manager",
]);

export const AffirmativeAction = z
  .object({
    kind: AffirmativeActionKind.describe("What the person did to agree: never a default or pre-ticked box"),
    at: z.iso.datetime({ offset: true }).describe("When they did it"),
  })
  .strict();
export type AffirmativeAction = z.infer<typeof AffirmativeAction>;

export const ArtefactPrincipal = z.discriminatedUnion("type", [
  z.object({ type: z.literal("tenant"), tenantId: z.string() }).strict(),
  z.object({ type: z.literal("whatsapp"), numberHash: z.string() }).strict(),
]);

/** Where the act came from: the request channels, and a registered consent manager. */
export const ArtefactChannel = z.enum(["dashboard", "public", "email", "staff", "consent_manager"]);
export type ArtefactChannel = z.infer<typeof ArtefactChannel>;

export const ConsentArtefact = z
  .object({
    id: z.string(),
    pk: z.string(),
    docType: z.literal("consent-artefact"),
    action: z.enum(["grant", "withdraw"]),
    principal: ArtefactPrincipal,
    purpose: Purpose,
    /**
     * A number's grant: the business it was given to. A withdrawal without it holds for every business
     * (the person withdrew, not from one business only).
     */
    tenantId: z.string().optional(),
    notice: z
      .object({ id: z.string(), version: z.number().int(), language: ConsentLanguage, sha256: z.string() })
      .strict()
      .optional(),
    affirmativeAction: AffirmativeAction.optional(),
    channel: ArtefactChannel,
    /** Who recorded it: a dashboard user (keyed ref), a consent manager, or a request's execution. */
    recordedBy: z
      .object({
        kind: z.enum(["owner", "admin", "consent_manager", "request"]),
        ref: z.string().optional(),
      })
      .strict(),
    consentManager: z.object({ id: z.string(), registrationNumber: z.string() }).strict().optional(),
    /** The withdrawal request it records (a withdrawal through the rights-request channels). */
    requestId: z.string().optional(),
    /** A renewal: the grant it renews. */
    renews: z.string().optional(),
    /** When the consent was given or withdrawn (the affirmative action, or the withdrawal taking effect). */
    effectiveAt: z.string(),
    recordedAt: z.string(),
    expiresAt: z.string().optional(),
  })
  .strict();
export type ConsentArtefact = z.infer<typeof ConsentArtefact>;

export type Decision =
  | { decision: "allowed"; reason: "in_force"; artefact: ConsentArtefact }
  | { decision: "denied"; reason: "withdrawn" | "expired"; artefact: ConsentArtefact }
  | { decision: "denied"; reason: "no_consent"; artefact?: undefined };

/** Oldest first; ties (the same instant) put a withdrawal last: in doubt, no consent. */
export function chronological(a: ConsentArtefact, b: ConsentArtefact): number {
  const at = Date.parse(a.effectiveAt) - Date.parse(b.effectiveAt);
  if (at !== 0) return at;
  if (a.action !== b.action) return a.action === "withdraw" ? 1 : -1;
  return Date.parse(a.recordedAt) - Date.parse(b.recordedAt);
}

/**
 * The artefacts that speak for `business` (a number's consent given to one business; undefined: staff,
 * who see every business): the account's own, a grant to that business, any withdrawal by the person.
 */
export function relevantTo(artefacts: ConsentArtefact[], business: string | undefined): ConsentArtefact[] {
  return artefacts.filter(
    (a) =>
      a.principal.type === "tenant" ||
      business === undefined ||
      a.tenantId === undefined ||
      a.tenantId === business,
  );
}

/**
 * The BRD's validation step: is there a consent in force for this purpose now? The latest act decides
 * (a withdrawal after a grant ends it; a renewal after a withdrawal restores it), and a grant past its
 * expiry is no consent. With no artefact at all the answer is no: consent is never presumed.
 */
export function decide(artefacts: ConsentArtefact[], purpose: Purpose, now: Date): Decision {
  const latest = artefacts
    .filter((a) => a.purpose === purpose && Date.parse(a.effectiveAt) <= now.getTime())
    .sort(chronological)
    .at(-1);
  if (!latest) return { decision: "denied", reason: "no_consent" };
  if (latest.action === "withdraw") return { decision: "denied", reason: "withdrawn", artefact: latest };
  if (latest.expiresAt && Date.parse(latest.expiresAt) <= now.getTime())
    return { decision: "denied", reason: "expired", artefact: latest };
  return { decision: "allowed", reason: "in_force", artefact: latest };
}
