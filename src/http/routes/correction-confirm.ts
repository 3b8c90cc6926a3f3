import { confirmCorrection, resendCorrectionConfirmation } from "../../app/rights";
import type { HttpRoute } from "../route";
import { Problem } from "../schemas/problem";
import { VerificationBody } from "../schemas/requests";
import { actionRoute } from "./request-actions";

/**
 * A new owner email or phone number proves control before a correction applies
 * (src/app/rights/correction-confirmation.ts). The account owner (JWT) or the requester (token) only.
 */
const refusals = {
  400: { description: "Invalid input, or a wrong or expired code", schema: Problem },
  403: { description: "Not the account owner or the requester", schema: Problem },
  404: { description: "No such request, or not yours", schema: Problem },
  409: { description: "No new address waits for a code (named status)", schema: Problem },
  429: { description: "Too many wrong codes, or messages to the account, for now", schema: Problem },
};

export const correctionConfirmRoutes: HttpRoute[] = [
  actionRoute({
    name: "confirmCorrectionContact",
    verb: "confirmation",
    summary:
      "Enter the code sent to the new email address or phone number of an approved correction; the last one applies it",
    access: "optional",
    body: VerificationBody,
    refusals,
    run: (app, caller, id, body) => confirmCorrection(app, caller, id, body.code),
  }),
  actionRoute({
    name: "resendCorrectionConfirmation",
    verb: "confirmation/resend",
    summary: "Send a new code to the new address of an approved correction (the previous one stops working)",
    access: "optional",
    refusals,
    run: (app, caller, id) => resendCorrectionConfirmation(app, caller, id),
  }),
];
