import { DomainError } from "../../domain/errors";
import type { KindHandler } from "../context";
import { nomineeFiling } from "../rights";
import { refuseTeamMember } from "../rights";
import { accountErasureExecutor } from "./deactivate";
import { cancelPurgeMessage } from "./purge";
import { issueCertificate } from "./certificate";

/**
 * Account erasure (Account Deletion policy): deactivation, the 30-day retention window, the purge. The
 * owner's alone from the dashboard (§2); a nominee may ask for it (src/app/rights/on-behalf.ts).
 */
export const accountErasureKind: KindHandler = {
  ...nomineeFiling,
  authorise: (caller) =>
    refuseTeamMember(
      caller,
      "Only the account owner can ask for account deletion. Contact your account owner or support.",
    ),
  // Within the retention window, undoing the erasure is reactivation, which support does (§6).
  beforeCancel: async (_app, _caller, request) => {
    if (request.status === "deactivated") {
      throw new DomainError(
        "conflict",
        "The account is deactivated: reactivation goes through support within the 30-day window.",
        [],
        { status: request.status },
      );
    }
    return undefined;
  },
  // A held request is never purged: its waiting purge message goes; release schedules it again.
  afterHold: async (app, request) => {
    if (request.account) await cancelPurgeMessage(app, request.id);
  },
  execute: accountErasureExecutor,
  // The certificate records the last rotation and completes the request (Privacy Policy: backups purged within 90 days).
  afterBackupsRotated: async (app, request) => {
    await issueCertificate(app, request.id);
  },
  // The last partner confirmed (or was waived): the certificate lists it and, backups allowing, completes.
  afterProcessorsSettled: async (app, request) => {
    if (request.status === "purged") await issueCertificate(app, request.id);
  },
};
