import type { KindHandler } from "../context";
import { nominationExecutor, revokeNomination, stashNominee } from "./nomination";
import { checkReview } from "./on-behalf";
import { requireAccountOwnerFor } from "./owner-only";

/**
 * Nomination (DPDP Act 2023 s.14): the nominee's contact is sealed apart from the request; cancelling
 * a recorded nomination revokes it. An account's nomination is its owner's alone. Nobody files one on
 * behalf of someone else.
 */
export const nominationKind: KindHandler = {
  authorise: (caller) => requireAccountOwnerFor(caller, "nomination"),
  beforeCreate: (app, request, details) => stashNominee(app, request.id, request.pk, details),
  beforeCancel: async (app, caller, request, reason) =>
    request.status === "completed" ? revokeNomination(app, caller, request, reason) : undefined,
  approvalCheck: checkReview,
  execute: nominationExecutor,
};
