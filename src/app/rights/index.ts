/** What the rest of the service may use of src/app/rights: everything else is this feature's own. */
export { appliedAtOf } from "./applied-at";
export { consentWithdrawalKind } from "./consent-withdrawal-kind";
export { consentStatus, PURPOSES, reapplyWithdrawalInTenant } from "./consent";
export { confirmCorrection, resendCorrectionConfirmation } from "./correction-confirmation";
export { correctionKind } from "./correction-kind";
export { applyCorrectionsInTenant, Correction } from "./correction";
export { grievanceKind } from "./grievance-kind";
export {
  acknowledgementLate,
  acknowledgePendingGrievances,
  assignGrievance,
  handlingOf,
  resolveGrievance,
  respondToGrievance,
} from "./grievance";
export { nominationKind } from "./nomination-kind";
export { nominationState } from "./nomination";
export { awaitsNomineeReview, nomineeFiling } from "./on-behalf";
export { refuseTeamMember } from "./owner-only";
export { acceptManagerRequest, type ManagerAction } from "./consent-artefacts/manager";
export { grantConsent } from "./consent-artefacts/grant";
export { consentHistory, consentHistoryOfRequest } from "./consent-artefacts/history";
export { validateConsent, VALIDATION_RECORD_DAYS } from "./consent-artefacts/validate";
export { maskPhone } from "./support";
