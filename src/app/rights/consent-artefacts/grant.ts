import { addDuration } from "../../../domain/duration";
import { type AffirmativeAction, type ConsentArtefact } from "../../../domain/consent/artefact";
import {
  type ConsentLanguage,
  noticeShown,
  type Purpose,
  PURPOSE_DEFINITIONS,
} from "../../../domain/consent/purposes";
import { DomainError, forbidden, invalid, notFound } from "../../../domain/errors";
import { subjectPartition, type Subject } from "../../../domain/subject";
import type { Caller } from "../../caller";
import type { AppContext } from "../../context";
import { actorOf } from "../../requests";
import { businessHoldsNumber } from "./holds-number";
import { appendArtefact, artefactsOf, newArtefactId, principalOf } from "./store";

/** Who records a grant: a dashboard user, or a consent manager registered with the Board. */
export type ConsentActor =
  | Extract<Caller, { kind: "dashboard" }>
  | { kind: "consent_manager"; manager: { id: string; registrationNumber: string } };

export interface GrantInput {
  subject: Subject;
  purpose: Purpose;
  /** A number's grant: the business it is given to (a dashboard user's own tenant). */
  business?: string;
  notice: { id: string; version: number; language: ConsentLanguage };
  affirmativeAction: AffirmativeAction;
  /** A renewal: the grant it renews (same principal and purpose). */
  renews?: string;
}

/** How far an affirmative action may lie from the service's clock: a little skew, never the future. */
const SKEW_MS = 5 * 60_000;
/** A grant is recorded when it is given, not reconstructed later. */
const MAX_AGE_MS = 24 * 3_600_000;

/** The business a grant is given to, once the caller is known to speak for the principal (else throws). */
async function authorise(
  app: AppContext,
  actor: ConsentActor,
  input: GrantInput,
): Promise<string | undefined> {
  const { subject, purpose } = input;
  const principalOnly = PURPOSE_DEFINITIONS[purpose].principalOnly;
  if (actor.kind === "consent_manager") {
    // The manager acts for the person; a number's consent is always given to a business.
    if (subject.type === "whatsapp" && !input.business)
      throw invalid("The request is invalid.", [
        { field: "tenantId", message: "the business the consent is given to is required for a number" },
      ]);
    return subject.type === "whatsapp" ? input.business : undefined;
  }
  if (input.affirmativeAction.kind === "consent_manager")
    throw invalid("The body is invalid.", [
      { field: "body.affirmativeAction.kind", message: "only a consent manager records that kind" },
    ]);
  if (subject.type === "tenant") {
    if (subject.tenantId !== actor.tenantId) throw notFound("No such account.");
    // The account holder is the principal; a team member does not consent for the account.
    if (actor.role !== "owner") throw forbidden("Only the account's owner gives the account's consent.");
    return undefined;
  }
  if (principalOnly)
    throw forbidden(
      "Only the person can give this consent, themselves, through a consent manager: a business cannot record it for them.",
    );
  if (actor.role === "member")
    throw forbidden("Only the account's owner or an admin records a person's consent.");
  if (input.business !== undefined && input.business !== actor.tenantId) throw notFound("No such number.");
  if (!(await businessHoldsNumber(app, actor.tenantId, subject.numberHash)))
    throw notFound("No such number in your account.");
  return actor.tenantId;
}

/**
 * Records a grant (Privacy Policy §7, DPDP Act 2023 s.6(1)–(3)): the purpose, the notice shown (its
 * hash from the text the service holds), the explicit act that gave it, the channel and, where the
 * purpose has one, when it lapses. The route refused a grant without an explicit act already.
 */
export async function grantConsent(
  app: AppContext,
  actor: ConsentActor,
  input: GrantInput,
): Promise<ConsentArtefact> {
  const now = app.ports.clock.now();
  const notice = noticeShown(input.purpose, input.notice);
  if ("problem" in notice)
    throw invalid("The body is invalid.", [{ field: "body.notice", message: notice.problem }]);
  const at = Date.parse(input.affirmativeAction.at);
  if (at > now.getTime() + SKEW_MS || at < now.getTime() - MAX_AGE_MS)
    throw invalid("The body is invalid.", [
      {
        field: "body.affirmativeAction.at",
        message: "when the person acted: not in the future, and within the last 24 hours",
      },
    ]);
  const business = await authorise(app, actor, input);
  if (input.renews !== undefined) {
    const previous = (await artefactsOf(app, input.subject, input.purpose)).find(
      (a) => a.id === input.renews,
    );
    if (!previous || previous.action !== "grant" || previous.tenantId !== business)
      throw invalid("The body is invalid.", [
        { field: "body.renews", message: "not a grant of this principal and purpose" },
      ]);
  }
  const effectiveAt = new Date(Math.min(at, now.getTime())).toISOString();
  const validity = PURPOSE_DEFINITIONS[input.purpose].validity;
  const artefact: ConsentArtefact = {
    id: newArtefactId(),
    pk: subjectPartition(input.subject),
    docType: "consent-artefact",
    action: "grant",
    principal: principalOf(input.subject),
    purpose: input.purpose,
    ...(business ? { tenantId: business } : {}),
    notice,
    affirmativeAction: input.affirmativeAction,
    channel: actor.kind === "consent_manager" ? "consent_manager" : "dashboard",
    recordedBy:
      actor.kind === "consent_manager"
        ? { kind: "consent_manager", ref: actor.manager.id }
        : { kind: actor.role === "owner" ? "owner" : "admin", ...refOf(app, actor) },
    ...(actor.kind === "consent_manager" ? { consentManager: actor.manager } : {}),
    ...(input.renews ? { renews: input.renews } : {}),
    effectiveAt,
    recordedAt: now.toISOString(),
    ...(validity ? { expiresAt: addDuration(new Date(effectiveAt), validity).toISOString() } : {}),
  };
  return appendArtefact(app, artefact);
}

function refOf(app: AppContext, caller: Extract<Caller, { kind: "dashboard" }>) {
  const ref = actorOf(app, caller).ref;
  if (ref === undefined) throw new DomainError("unauthenticated", "The token names no user.");
  return { ref };
}
