/** What the rest of the service may use of src/app/requests: everything else is this feature's own. */
export { readForRequesterOrOwner, staffRoleOf, standingOf, type Relation } from "./access-control";
export {
  approveRequest,
  cancelRequest,
  extendDeadline,
  holdRequest,
  rejectRequest,
  releaseRequest,
  retryRequest,
} from "./actions";
export { flushStrandedAuditOutboxes } from "./audit-outbox";
export { createRequest, type CreateRequestInput } from "./create-request";
export { openVerifiedRequest } from "./open-verified";
export { startClock } from "./deadlines";
export { asRunning, guardedUpdate, Lease, leaseHeld, newLease } from "./execution-queue";
export { runExecution, runExecutionMessage } from "./execution";
export { handlerOf } from "./kind-handler";
export { alertPrivacyOfficer, notifyRequester, staffWords } from "./notify";
export { auditTrail, getRequest, listRequests } from "./queries";
export { SubjectVerification } from "./subject-verification";
export { actorOf, advanceRequest, applyAction, auditReason, type TransitionOptions } from "./transition";
export { clientRef, issueCode, notifyWithinBudget } from "./verification-code";
export {
  expireVerification,
  remindVerification,
  sweepUnverified,
  VerificationTimerMessage,
} from "./verification-timers";
export { resendVerificationCode, submitVerificationCode } from "./verify";
export { requestView } from "./view";
