import { defaultPolicy, type PeriodName, type Policy, responsePeriods } from "../../domain/policy/periods";
import type { RequestDoc } from "../../domain/requests/model";

/**
 * The clock starts at verification (Data Deletion §7), or at receipt for a grievance. `policy`: the
 * periods in use (`app.policy`, configured overrides included).
 */
export function startClock(doc: RequestDoc, at: Date, policy: Policy = defaultPolicy): void {
  doc.verifiedAt ??= at.toISOString();
  const period: PeriodName =
    doc.kind === "grievance" && doc.details.spdi === true
      ? "spdiGrievanceResolution"
      : responsePeriods[doc.kind];
  doc.dueAt = policy.deadline(at, period).toISOString();
  if (doc.kind === "grievance")
    doc.acknowledgeDueAt = policy.deadline(at, "grievanceAcknowledgement").toISOString();
}
