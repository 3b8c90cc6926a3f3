import { z } from "zod";
import type { AppContext } from "../context";
import { BreachReminderMessage, remindBreach } from "../breach";
import { ExportExpiryMessage, expireExport } from "../export";
import { expireVerification, remindVerification, VerificationTimerMessage } from "../requests";

/**
 * The one consumer of the shared `request-timers` queue. Service Bus hands each message to one
 * consumer (and the local scheduler delivers to the first function on a queue), so every per-request
 * timer kind is dispatched here by its `type`: a kind adds one entry to `handlers`. A type nobody
 * handles, or a body that does not parse, is completed and reported (a retry cannot fix it).
 */
export const RequestTimerEnvelope = z.object({ type: z.string().min(1).max(64) }).loose();

export interface RequestTimerOutcome {
  type: string;
  outcome: string;
  requestId?: string;
}

export type RequestTimerHandler = (
  app: AppContext,
  body: unknown,
  meta: { messageId: string; deliveryCount: number },
) => Promise<RequestTimerOutcome>;

const verificationTimer: RequestTimerHandler = async (app, body) => {
  const message = VerificationTimerMessage.safeParse(body);
  if (!message.success) return { type: "verification", outcome: "malformed_message_dropped" };
  const { type, requestId } = message.data;
  const outcome =
    type === "verification_reminder"
      ? await remindVerification(app, requestId)
      : await expireVerification(app, requestId);
  return { type, outcome, requestId };
};

const handlers: Record<string, RequestTimerHandler> = {
  /** One reminder after 24 hours, expiry after 7 days (src/app/requests/verification-timers.ts). */
  verification_reminder: verificationTimer,
  verification_expiry: verificationTimer,
  /** Deletes an access-export package when it expires (src/app/export/expiry.ts). */
  export_expiry: async (app, body) => {
    const message = ExportExpiryMessage.safeParse(body);
    if (!message.success) return { type: "export_expiry", outcome: "malformed_message_dropped" };
    const outcome = await expireExport(app, message.data.requestId, "timer");
    return { type: "export_expiry", outcome, requestId: message.data.requestId };
  },
  /** Reminds the privacy officer of a breach's Board report at 24 and 48 hours (src/app/breach/reminders.ts). */
  breach_reminder: async (app, body) => {
    const message = BreachReminderMessage.safeParse(body);
    if (!message.success) return { type: "breach_reminder", outcome: "malformed_message_dropped" };
    const outcome = await remindBreach(app, message.data.breachId, message.data.hours, "timer");
    return { type: "breach_reminder", outcome };
  },
};

export async function dispatchRequestTimer(
  app: AppContext,
  body: unknown,
  meta: { messageId: string; deliveryCount: number },
): Promise<RequestTimerOutcome> {
  const envelope = RequestTimerEnvelope.safeParse(body);
  if (!envelope.success) return { type: "unreadable", outcome: "malformed_message_dropped" };
  const handler = handlers[envelope.data.type];
  if (!handler) return { type: envelope.data.type.slice(0, 64), outcome: "no_handler_dropped" };
  return handler(app, body, meta);
}
