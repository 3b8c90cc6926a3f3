import { deadline, type PeriodName } from "../../domain/policy/periods";
import type { RequestDoc, RequestKind } from "../../domain/requests/model";

const RESPONSE_PERIOD: Record<RequestKind, PeriodName> = {
  access: "accessResponse",
  correction: "correctionResponse",
  erasure: "erasureCompletion",
  nomination: "nominationResponse",
  consent_withdrawal: "consentWithdrawalResponse",
  grievance: "grievanceResolution",
};

/** The clock starts at verification (Data Deletion §7), or at receipt for a grievance. */
export function startClock(doc: RequestDoc, at: Date): void {
  doc.verifiedAt ??= at.toISOString();
  const period: PeriodName =
    doc.kind === "grievance" && doc.details.spdi === true
      ? "spdiGrievanceResolution"
      : RESPONSE_PERIOD[doc.kind];
  doc.dueAt = deadline(at, period).toISOString();
  if (doc.kind === "grievance") doc.acknowledgeDueAt = deadline(at, "grievanceAcknowledgement").toISOString();
}
