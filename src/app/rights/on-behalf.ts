import { z } from "zod";
import { conflict, invalid } from "../../domain/errors";
import type { RequestDoc } from "../../domain/requests/model";
import type { AppContext } from "../context";
import { nominationInForce } from "./nomination";
import { filedByTeamMember, teamMemberFilingRefused } from "./owner-only";

/**
 * A request a nominee files for the principal who nominated them (DPDP Act 2023 s.14: on the
 * principal's death or incapacity). It names the nomination in force and the evidence (a death
 * certificate's number, a medical certificate's reference) staff must review before anything runs.
 */
export const OnBehalfOf = z
  .object({
    nominationId: z.string(),
    evidenceRef: z.string(),
  })
  .strict();
export type OnBehalfOf = z.infer<typeof OnBehalfOf>;

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

/**
 * What POST …/approve needs beyond the state machine: a nominee's request is approved only with the
 * reviewer's note on the evidence; a request of a kind that runs by itself has nothing to approve; a
 * correction or nomination of an account filed by a team member, not its owner, is never approved.
 */
export async function checkApproval(
  app: AppContext,
  doc: RequestDoc,
  reason: string | undefined,
): Promise<void> {
  const reviewedKind = doc.kind === "correction" || doc.kind === "nomination";
  if (filedByTeamMember(doc)) throw teamMemberFilingRefused(doc);
  if (!reviewedKind && !awaitsNomineeReview(doc)) {
    throw conflict("This request needs no review: it runs once verified.", { status: doc.status });
  }
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
