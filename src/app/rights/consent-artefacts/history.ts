import { type ConsentArtefact, relevantTo } from "../../../domain/consent/artefact";
import type { Purpose } from "../../../domain/consent/purposes";
import { forbidden, notFound } from "../../../domain/errors";
import type { Subject } from "../../../domain/subject";
import type { Caller } from "../../caller";
import type { AppContext } from "../../context";
import { getRequest } from "../../requests";
import { awaitsNomineeReview } from "../on-behalf";
import { businessHoldsNumber } from "./holds-number";
import { artefactsOf } from "./store";

/** An artefact as a reader sees it: the stored record without its storage fields. */
export type ArtefactView = Omit<ConsentArtefact, "pk" | "docType">;
const view = ({ pk: _pk, docType: _docType, ...rest }: ConsentArtefact): ArtefactView => rest;

/**
 * A principal's consent history for staff and for a business: staff see every artefact; a dashboard
 * user sees its own account's, and of a number only what concerns its business (grants to it, the
 * person's withdrawals), and only for a number it holds records of or was given a grant for.
 */
export async function consentHistory(
  app: AppContext,
  caller: Caller,
  subject: Subject,
  purpose?: Purpose,
): Promise<ArtefactView[]> {
  if (caller.kind === "public") throw notFound();
  const all = await artefactsOf(app, subject, purpose);
  if (caller.kind === "staff") return all.map(view);
  if (subject.type === "tenant") {
    if (subject.tenantId !== caller.tenantId) throw notFound("No such account.");
    return all.map(view);
  }
  const mine = all.some((a) => a.tenantId === caller.tenantId);
  if (!mine && !(await businessHoldsNumber(app, caller.tenantId, subject.numberHash)))
    throw notFound("No such number in your account.");
  return relevantTo(all, caller.tenantId).map(view);
}

/**
 * The history the principal reads with a verified request's token (or whoever may read the request):
 * the artefacts of that request's subject only, never another's. A business reading its account's
 * request sees, of a number, only what concerns it.
 */
export async function consentHistoryOfRequest(
  app: AppContext,
  caller: Caller,
  requestId: string,
): Promise<{ requestId: string; artefacts: ArtefactView[] }> {
  const { doc, relation } = await getRequest(app, caller, requestId);
  // A principal's history is theirs once they proved who they are: an unverified filing shows nothing,
  // and a nominee (who proved only their own address) sees it once staff accepted the evidence.
  if (relation === "requester" && (!doc.verifiedAt || awaitsNomineeReview(doc)))
    throw forbidden(
      "Verify the request first (a nominee's: once its evidence is accepted): the history is shown to whoever proved they speak for its subject.",
    );
  const subject: Subject | undefined =
    doc.scope.type === "account"
      ? { type: "tenant", tenantId: doc.scope.tenantId }
      : doc.scope.type === "whatsapp_number"
        ? { type: "whatsapp", numberHash: doc.scope.numberHash }
        : undefined;
  if (!subject) return { requestId, artefacts: [] };
  const all = await artefactsOf(app, subject);
  const shown =
    caller.kind === "dashboard" && subject.type === "whatsapp" ? relevantTo(all, caller.tenantId) : all;
  return { requestId, artefacts: shown.map(view) };
}
