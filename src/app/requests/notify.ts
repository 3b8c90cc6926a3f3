import { randomUUID } from "node:crypto";
import { open } from "../../domain/crypto";
import { type NoticeTemplate, renderNotice } from "../../domain/notices";
import type { RequestDoc } from "../../domain/requests/model";
import type { AppContext } from "../context";

/** Sends a notice to wherever the request's contact is; a request without one gets none. */
export async function notifyRequester(
  app: AppContext,
  request: RequestDoc,
  notice: NoticeTemplate,
): Promise<boolean> {
  if (!request.contact) return false;
  const { subject, text } = renderNotice(notice, { dpoContact: app.settings.dpoContact });
  await app.ports.notifier.send({
    id: randomUUID(),
    channel: request.contact.channel,
    to: open(app.keys.seal, request.contact.sealed),
    language: request.language,
    template: notice.template,
    subject,
    text,
    requestId: request.id,
    createdAt: app.ports.clock.now().toISOString(),
  });
  return true;
}

export async function alertPrivacyOfficer(
  app: AppContext,
  notice: NoticeTemplate,
  requestId?: string,
): Promise<void> {
  const { subject, text } = renderNotice(notice, { dpoContact: app.settings.dpoContact });
  await app.ports.notifier.send({
    id: randomUUID(),
    channel: "email",
    to: app.settings.privacyOfficerEmail,
    language: "en",
    template: notice.template,
    subject,
    text,
    ...(requestId ? { requestId } : {}),
    createdAt: app.ports.clock.now().toISOString(),
  });
}
