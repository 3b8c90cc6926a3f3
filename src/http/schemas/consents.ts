import { z } from "zod";
import { AffirmativeAction, ConsentArtefact } from "../../domain/consent/artefact";
import { ConsentLanguage, PURPOSES } from "../../domain/consent/purposes";
import { TenantId } from "./common";

/** An artefact as the API shows it: the stored record without its storage fields. */
export const ArtefactView = ConsentArtefact.omit({ pk: true, docType: true }).meta({ id: "ConsentArtefact" });

export const ArtefactList = z.object({ artefacts: z.array(ArtefactView) });

export const NoticeRef = z
  .object({
    id: z.string().min(1).max(100),
    version: z.number().int().min(1),
    language: ConsentLanguage,
  })
  .strict()
  .describe("The consent notice shown, as GET /api/v1/consent-notices lists it: its text's hash is recorded");

/**
 * The person's explicit act, required: a grant without one, or one marked pre-selected, is no consent
 * (Privacy Policy §7: no pre-ticked boxes; MeitY BRD: no default selections).
 */
export const affirmativeActionField = z
  .strictObject(AffirmativeAction.shape, {
    error: (issue) =>
      issue.input === undefined
        ? "required: the person's explicit act (no pre-ticked boxes or defaults: Privacy Policy §7)"
        : undefined,
  })
  .describe("What the person did to agree, and when: required, never a default");

export const preselectedField = z
  .literal(false, {
    error: "a pre-selected or default consent is not consent (Privacy Policy §7): the person must act",
  })
  .optional()
  .describe("If sent, must be false: a consent that was pre-ticked is refused");

export const ValidationView = z
  .object({
    decision: z.enum(["allowed", "denied"]),
    reason: z.enum(["in_force", "withdrawn", "expired", "no_consent"]),
    purpose: z.enum(PURPOSES),
    artefact: ArtefactView.optional().describe(
      "The artefact the answer rests on (none: no consent on record)",
    ),
    withdrawal: z.object({ at: z.string(), channel: z.string().optional() }).optional(),
    validatedAt: z.string(),
    validationId: z.string().describe("The validation record this call wrote"),
  })
  .meta({ id: "ConsentValidation" });

export const BusinessTenant = TenantId.describe(
  "For a WhatsApp number: the business (tenant) the consent is given to or asked about",
);
