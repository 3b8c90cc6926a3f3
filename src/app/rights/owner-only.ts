import { conflict, forbidden } from "../../domain/errors";
import type { RequestDoc, RequestKind } from "../../domain/requests/model";
import type { Caller } from "../caller";

/**
 * The rights an account's data principal exercises over the account are the owner's alone (DESIGN §9:
 * "the owner's identity (email, phone), the nomination and account deletion are the owner's alone";
 * Account Deletion §2). The account's data principal is its holder: the account record and the owner's
 * team-member record (src/app/rights/correction.ts), so every correction of an account is a correction
 * of the owner's data, and the registered email it may change is where account deletion is confirmed
 * from. An admin or a member is a user of the account, not its principal: letting them file these would
 * let them take over the owner's identity, or name who exercises the owner's rights.
 */
const OWNER_ONLY: Partial<Record<RequestKind, string>> = {
  correction:
    "Only the account owner can correct the account's registered details (name, email address, phone number, organisation, role). Ask your account owner, or write to support.",
  nomination: "Only the account owner can make, replace or revoke the account's nomination.",
};

/** At filing from the dashboard: 403, in `refusal`'s words, for an admin or member. */
export function refuseTeamMember(caller: Caller, refusal: string): void {
  if (caller.kind === "dashboard" && caller.role !== "owner") throw forbidden(refusal);
}

/** At filing from the dashboard: 403 for an admin or member asking for what only the owner may. */
export function requireAccountOwnerFor(caller: Caller, kind: RequestKind): void {
  const refusal = OWNER_ONLY[kind];
  if (refusal) refuseTeamMember(caller, refusal);
}

/**
 * True for a request about an account that an admin or member filed from the dashboard although only
 * the owner may: requests stored before the rule held at filing, which must not run.
 */
export function filedByTeamMember(doc: RequestDoc): boolean {
  return (
    OWNER_ONLY[doc.kind] !== undefined &&
    doc.scope.type === "account" &&
    (doc.requester.kind === "admin" || doc.requester.kind === "member")
  );
}

/** The refusal for such a request, for staff about to approve it or a run about to execute it. */
export function teamMemberFilingRefused(doc: RequestDoc) {
  return conflict(
    `This request was filed by a team member (${doc.requester.kind}), not the account owner. ${OWNER_ONLY[doc.kind] ?? ""} Reject it.`,
    { status: doc.status },
  );
}
