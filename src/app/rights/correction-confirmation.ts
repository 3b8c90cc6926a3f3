import { z } from "zod";
import { conflict, DomainError, invalid } from "../../domain/errors";
import type { RequestDoc } from "../../domain/requests/model";
import type { Caller } from "../caller";
import type { AppContext } from "../context";
import { readForRequesterOrOwner } from "../requests";
import { AuditLog } from "../audit";
import { runExecution } from "../requests";
import { SubjectVerification } from "../requests";
import { actorOf } from "../requests";
import { clientRef } from "../requests";
import {
  type ContactChange,
  Correction,
  confirmationOf,
  contactChangesToConfirm,
  contactHashOf,
  sendConfirmationCode,
} from "./correction";

/**
 * The owner proves control of a new email address or phone number named in an approved correction
 * (src/app/rights/correction.ts): POST …/confirmation with the code sent there, POST
 * …/confirmation/resend for another. Only the person the correction is for enters it: the account
 * owner, or the requester who holds its token; never staff and never another team member, or the proof
 * would prove nothing about the owner. Wrong codes count against the subject like any verification.
 */

/** The request as it waits for a code, and the new address it waits for; 409 when it waits for none. */
async function awaited(app: AppContext, caller: Caller, id: string) {
  const { doc } = await readForRequesterOrOwner(app, caller, id);
  const awaiting = confirmationOf(doc).awaiting;
  if (doc.kind !== "correction" || doc.status !== "in_progress" || !awaiting) {
    throw conflict(
      doc.kind === "correction"
        ? `The request is ${doc.status.replace(/_/g, " ")}: no new address waits for its code.`
        : "Only a correction of the account's email address or phone number is confirmed this way.",
      { status: doc.status },
    );
  }
  const corrections = z.array(Correction).min(1).parse(doc.details.corrections);
  const change = (await contactChangesToConfirm(app, doc, corrections)).find((c) => c.field === awaiting);
  // The address became the registered one meanwhile (another correction): nothing left to prove.
  if (!change) return { doc, change: undefined };
  return { doc, change };
}

/** POST …/confirmation: the code the new address received; the right one applies the correction. */
export async function confirmCorrection(
  app: AppContext,
  caller: Caller,
  id: string,
  code: string,
): Promise<RequestDoc> {
  const { doc, change } = await awaited(app, caller, id);
  const actor = actorOf(app, caller);
  if (change) {
    const check = await new SubjectVerification(app, doc.pk).check(
      doc.id,
      contactHashOf(app, change),
      clientRef(app, caller),
      code,
    );
    if (check.outcome !== "verified") {
      if (check.outcome !== "expired") {
        await new AuditLog(app).append(id, {
          actor,
          action: check.outcome === "locked_now" ? "confirmation_locked" : "confirmation_failed",
          data: { field: change.field },
        });
      }
      throw check.error ?? invalid("The code is wrong.", [{ field: "code", message: "wrong code" }]);
    }
    await recordConfirmed(app, id, change);
    await new AuditLog(app).append(id, {
      actor,
      action: "confirm_contact",
      data: { field: change.field },
    });
  }
  // Sends the next address its code, or applies the correction once every address is proved.
  return runExecution(app, id);
}

async function recordConfirmed(app: AppContext, id: string, change: ContactChange): Promise<void> {
  await app.stores.requests.update(id, (doc) => {
    const { confirmed } = confirmationOf(doc);
    doc.details = {
      ...doc.details,
      confirmation: { confirmed: [...new Set([...confirmed, change.field])] },
    };
    return doc;
  });
}

/** POST …/confirmation/resend: a new code to the new address (the previous one stops working). */
export async function resendCorrectionConfirmation(
  app: AppContext,
  caller: Caller,
  id: string,
): Promise<RequestDoc> {
  const { doc, change } = await awaited(app, caller, id);
  if (!change) return runExecution(app, id);
  const subject = new SubjectVerification(app, doc.pk);
  await subject.assertNotLocked(clientRef(app, caller));
  if (!(await sendConfirmationCode(app, doc, change, actorOf(app, caller)))) {
    const next = await subject.retryAfter(contactHashOf(app, change));
    const now = app.ports.clock.now().getTime();
    throw new DomainError(
      "rate_limited",
      "Too many messages to this account's addresses for now: the code sent last still works; ask again later.",
      [],
      { retryAfterSeconds: Math.max(1, Math.ceil(((next?.getTime() ?? now) - now) / 1000)) },
    );
  }
  return app.stores.requests.get(id);
}
