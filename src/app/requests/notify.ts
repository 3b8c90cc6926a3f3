import { randomUUID } from "node:crypto";
import { open } from "../../domain/crypto";
import { type NoticeTemplate, renderNotice, type TypedText } from "../../domain/notices";
import type { RequestDoc } from "../../domain/requests/model";
import type { AppContext } from "../context";

/**
 * A status change that ends a request gets the notice written for that end: a rejection says how to
 * contest it (Grievance Officer, then the Data Protection Board), a completion what was done and
 * what is kept. Callers may keep sending `request_status` for every change.
 */
function specific(notice: NoticeTemplate): NoticeTemplate {
  if (notice.template !== "request_status") return notice;
  const { requestId, kind, status, reason } = notice;
  if (status === "rejected")
    return { template: "request_rejected", requestId, kind, ...(reason ? { reason } : {}) };
  if (status === "completed") return { template: "request_completed", requestId, kind };
  return notice;
}

/**
 * Words staff typed for a requester's notice, with the language they wrote them in. Absent, English: the
 * API took staff texts in English before it asked (`textLanguage`), so old clients keep their meaning;
 * a reader in another language then gets them labelled as the officer's own words, in English.
 */
export const staffWords = (text: string, language?: string): TypedText => ({
  text,
  language: language ?? "en",
});

/**
 * Sends a notice to wherever the request's contact is, in the request's language (English when we do
 * not write that language yet); a request without a contact gets none.
 */
export async function notifyRequester(
  app: AppContext,
  request: RequestDoc,
  notice: NoticeTemplate,
): Promise<boolean> {
  if (!request.contact) return false;
  const chosen = specific(notice);
  const { subject, text, language } = renderNotice(chosen, {
    dpoContact: app.settings.dpoContact,
    boardContact: app.settings.boardContact,
    language: request.language,
  });
  await app.ports.notifier.send({
    id: randomUUID(),
    channel: request.contact.channel,
    to: open(app.keys.seal, request.contact.sealed),
    language,
    template: chosen.template,
    subject,
    text,
    requestId: request.id,
    createdAt: app.ports.clock.now().toISOString(),
  });
  return true;
}

/** Alerts for staff: English only (src/domain/notices/staff.ts). */
export async function alertPrivacyOfficer(
  app: AppContext,
  notice: NoticeTemplate,
  requestId?: string,
): Promise<void> {
  const { subject, text, language } = renderNotice(notice, {
    dpoContact: app.settings.dpoContact,
    boardContact: app.settings.boardContact,
  });
  await app.ports.notifier.send({
    id: randomUUID(),
    channel: "email",
    to: app.settings.privacyOfficerEmail,
    language,
    template: notice.template,
    subject,
    text,
    ...(requestId ? { requestId } : {}),
    createdAt: app.ports.clock.now().toISOString(),
  });
}
