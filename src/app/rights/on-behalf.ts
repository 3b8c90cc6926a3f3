import { conflict, invalid } from "../../domain/errors";
import type { RequestDoc } from "../../domain/requests/model";
import { OnBehalfOf } from "../../domain/requests/on-behalf";
import type { AppContext, KindHandler } from "../context";
import { nominationInForce, resolveOnBehalf } from "./nomination";
import { filedByTeamMember, teamMemberFilingRefused } from "./owner-only";

export function onBehalfOf(doc: RequestDoc): OnBehalfOf | undefined {
  const parsed = OnBehalfOf.safeParse(doc.details.onBehalfOf);
  return parsed.success ? parsed.data : undefined;
}

/**
 * True while a nominee's request waits for staff review: runExecution does nothing for it, whatever
 * calls it (verification, a timer, reconciliation, retry). Only POST …/approve lifts the gate.
 */
export function awaitsNomineeReview(doc: RequestDoc): boolean {
  return onBehalfOf(doc) !== undefined && doc.review?.decision !== "approved";
}

/** Approving a nominee's request needs the reviewer's note on the evidence and the nomination still in force. */
async function checkNomineeEvidence(
  app: AppContext,
  doc: RequestDoc,
  reason: string | undefined,
): Promise<void> {
  const nominee = onBehalfOf(doc);
  if (!nominee || !awaitsNomineeReview(doc)) return;
  if (!reason) {
    throw invalid("Approving a nominee's request needs the review note: which evidence was checked.", [
      { field: "reason", message: "required for a request filed by a nominee" },
    ]);
  }
  if (!(await nominationInForce(app, nominee.nominationId))) {
    throw conflict("The nomination this request relies on is no longer in force: reject the request.", {
      status: doc.status,
    });
  }
}

/**
 * The approval of a kind staff review (correction, nomination): never of a correction or nomination of
 * an account filed by a team member, not its owner; a nominee's only with the review note.
 */
export async function checkReview(
  app: AppContext,
  doc: RequestDoc,
  reason: string | undefined,
): Promise<void> {
  if (filedByTeamMember(doc)) throw teamMemberFilingRefused(doc);
  await checkNomineeEvidence(app, doc, reason);
}

/** The approval of a kind that runs by itself once verified: only a nominee's request waits for one. */
async function checkNomineeApproval(
  app: AppContext,
  doc: RequestDoc,
  reason: string | undefined,
): Promise<void> {
  if (!awaitsNomineeReview(doc))
    throw conflict("This request needs no review: it runs once verified.", { status: doc.status });
  await checkNomineeEvidence(app, doc, reason);
}

/**
 * The hooks of a kind a nominee may file for the principal (ON_BEHALF_KINDS): the filing is about the
 * principal's subject, and nothing runs until staff have reviewed the evidence and approved.
 */
export const nomineeFiling = {
  resolveSubject: async (app, caller, filing) =>
    filing.onBehalfOf
      ? resolveOnBehalf(app, caller, { ...filing, onBehalfOf: filing.onBehalfOf })
      : undefined,
  holdsExecution: awaitsNomineeReview,
  approvalCheck: checkNomineeApproval,
} satisfies KindHandler;
