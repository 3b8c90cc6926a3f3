import { randomUUID } from "node:crypto";
import { type ConsentArtefact, decide, relevantTo } from "../../../domain/consent/artefact";
import type { Purpose } from "../../../domain/consent/purposes";
import { invalid, notFound } from "../../../domain/errors";
import { subjectPartition, type Subject } from "../../../domain/subject";
import type { Caller } from "../../caller";
import type { AppContext } from "../../context";
import { actorOf } from "../../requests";
import { withdrawalsOutsideArtefacts } from "../consent";
import { businessHoldsNumber } from "./holds-number";
import { artefactsOf } from "./store";

/**
 * How long a validation record is kept (Cosmos `ttl`): a year, as the DPDP Rules 2025 (Rule 6(1)(e)) keep
 * logs of processing, which is long enough to show any processing was checked against a consent in force.
 */
export const VALIDATION_RECORD_DAYS = 365;

export interface ValidationAnswer {
  decision: "allowed" | "denied";
  reason: "in_force" | "withdrawn" | "expired" | "no_consent";
  purpose: Purpose;
  /** The artefact the answer rests on: the grant in force, the withdrawal or the lapsed grant. */
  artefact?: ConsentArtefact;
  /** A withdrawal verified but not yet recorded as an artefact: it counts from its verification. */
  withdrawal?: { at: string; channel?: string };
  validatedAt: string;
  validationId: string;
}

/** Who asks: a caller of the API, or a consent manager asking about its principal (its status action). */
export type Asker = Caller | { kind: "consent_manager"; id: string };

/** The business whose view of a number the caller may have (staff: the one asked about, or every one). */
function businessOf(caller: Asker, subject: Subject, asked: string | undefined): string | undefined {
  if (caller.kind === "dashboard") {
    if (subject.type === "tenant" && subject.tenantId !== caller.tenantId) throw notFound("No such account.");
    return caller.tenantId;
  }
  // Consent to a number's processing is given to one business: asked about none, one business's grant
  // would read as allowed for every other, even one the person withdrew from.
  if (subject.type === "whatsapp" && asked === undefined)
    throw invalid("The request is invalid.", [
      {
        field: caller.kind === "consent_manager" ? "body.request.tenantId" : "body.tenantId",
        message: "the business that would process: required for a WhatsApp number",
      },
    ]);
  return asked;
}

/**
 * The BRD's validation step, which the platform calls before it processes for a purpose: allowed only
 * with a grant in force (not withdrawn, not lapsed) for this principal, purpose and business. Every call
 * is recorded, with what it answered, in the principal's partition (kept VALIDATION_RECORD_DAYS).
 */
export async function validateConsent(
  app: AppContext,
  caller: Asker,
  subject: Subject,
  purpose: Purpose,
  asked: { tenantId?: string } = {},
): Promise<ValidationAnswer> {
  if (caller.kind === "public") throw notFound();
  const business = businessOf(caller, subject, asked.tenantId);
  const now = app.ports.clock.now();
  const [artefacts, others] = await Promise.all([
    artefactsOf(app, subject, purpose),
    withdrawalsOutsideArtefacts(app, subject, purpose),
  ]);
  const relevant = relevantTo(artefacts, business);
  // A business sees nothing of a number it never dealt with (not even that the person withdrew):
  // for it there is simply no consent.
  const stranger =
    caller.kind === "dashboard" &&
    subject.type === "whatsapp" &&
    !relevant.some((a) => a.tenantId === business) &&
    !(await businessHoldsNumber(app, caller.tenantId, subject.numberHash));
  const decided = decide(stranger ? [] : relevant, purpose, now);
  // A withdrawal the executor has not yet written as an artefact (verified a moment ago) still ends it.
  const later =
    decided.decision === "allowed" && !stranger
      ? others.find((w) => Date.parse(w.at) >= Date.parse(decided.artefact.effectiveAt))
      : undefined;
  const answer: Omit<ValidationAnswer, "validationId"> = later
    ? { decision: "denied", reason: "withdrawn", purpose, withdrawal: later, validatedAt: now.toISOString() }
    : {
        decision: decided.decision,
        reason: decided.reason,
        purpose,
        ...(decided.artefact ? { artefact: decided.artefact } : {}),
        validatedAt: now.toISOString(),
      };
  const validationId = `cv-${randomUUID()}`;
  await app.stores.consentValidations.create({
    id: validationId,
    // A business asking about a number it never dealt with is logged in its own partition, not the
    // person's: a stranger's questions neither reach nor fill the person's partition.
    pk:
      stranger && caller.kind === "dashboard"
        ? subjectPartition({ type: "tenant", tenantId: caller.tenantId })
        : subjectPartition(subject),
    docType: "consent-validation",
    purpose,
    ...(business ? { tenantId: business } : {}),
    decision: answer.decision,
    reason: answer.reason,
    ...(answer.artefact ? { artefactId: answer.artefact.id } : {}),
    askedBy:
      caller.kind === "consent_manager" ? { kind: "consent_manager", ref: caller.id } : actorOf(app, caller),
    at: answer.validatedAt,
    ttl: VALIDATION_RECORD_DAYS * 86_400,
  });
  return { ...answer, validationId };
}
