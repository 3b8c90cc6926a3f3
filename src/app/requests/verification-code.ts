import type { NoticeTemplate } from "../../domain/notices";
import type { RequestDoc } from "../../domain/requests/model";
import { keyedHash } from "../../domain/subject";
import type { Caller } from "../caller";
import type { AppContext } from "../context";
import { notifyRequester } from "./notify";
import { SubjectVerification } from "./subject-verification";

/**
 * Who is guessing or asking, as a keyed hash: the client address the platform's front end saw for the
 * public, the token's subject for dashboard users and staff. Locks and budgets are kept by it.
 */
export function clientRef(app: AppContext, caller: Caller): string {
  return caller.kind === "public"
    ? keyedHash(app.keys.hash, `client:${caller.clientAddress ?? "unknown"}`)
    : keyedHash(app.keys.hash, `${caller.kind}:${caller.subject}`);
}

/**
 * A notice without a code to a request whose requester proved nothing (a reminder, an expiry notice, a
 * public grievance's acknowledgement): sent only within the channel's small budget of such messages, so a
 * stranger's filings never become a stream of messages to someone's number. False when nothing was sent.
 */
export async function notifyWithinBudget(app: AppContext, doc: RequestDoc, notice: NoticeTemplate) {
  if (!doc.contact || !(await new SubjectVerification(app, doc.pk).spendNotice(doc.contact.hash)))
    return false;
  return notifyRequester(app, doc, notice);
}

/**
 * A new code for the request's subject, sent to the request's channel, while the subject's message budget
 * lasts (src/app/requests/subject-verification.ts). False when nothing was sent: no address (a public
 * account request that named another address) or the budget is spent, and then the newest code sent
 * stays valid.
 */
export async function issueCode(app: AppContext, doc: RequestDoc): Promise<boolean> {
  const subject = new SubjectVerification(app, doc.pk);
  if (!doc.contact) {
    await subject.touch();
    return false;
  }
  const code = await subject.issueCode(doc.contact.hash);
  if (code === undefined) return false;
  const minutes = Math.round(app.policy.periodMs(app.ports.clock.now(), "verificationCodeValidity") / 60_000);
  return notifyRequester(app, doc, { template: "verification_code", code, minutes, kind: doc.kind });
}
