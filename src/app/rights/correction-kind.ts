import type { KindHandler } from "../context";
import { correctionExecutor } from "./correction";
import { checkReview, nomineeFiling } from "./on-behalf";
import { requireAccountOwnerFor } from "./owner-only";

/**
 * Correction (DPDP Act 2023 s.12): staff review it, then it runs. An account's correction is its
 * owner's alone (src/app/rights/owner-only.ts); a nominee may ask for one.
 */
export const correctionKind: KindHandler = {
  ...nomineeFiling,
  authorise: (caller) => requireAccountOwnerFor(caller, "correction"),
  approvalCheck: checkReview,
  execute: correctionExecutor,
  // Verified, a correction waits for staff review: nothing to queue until it is approved.
  runsIn: ["in_progress"],
};
