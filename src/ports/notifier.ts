import { z } from "zod";

/**
 * A notice for a person: the message schema on the `notifications` queue, read by the mailer and the
 * WhatsApp sender. `to` is the address in clear because it must be delivered; it is never logged.
 * Every message expires (src/domain/notices/time-to-live.ts): one with a code before the code does, any
 * other within a day: the queue never holds an address or a code longer than it can still be of use.
 */
export const Notification = z
  .object({
    id: z.string().min(1),
    channel: z.enum(["email", "whatsapp"]),
    to: z.string().min(3).max(320),
    language: z.string().min(2).max(8).default("en"),
    template: z.string().min(1),
    subject: z.string().max(200).optional(),
    text: z.string().min(1).max(4000),
    requestId: z.string().optional(),
    createdAt: z.string(),
  })
  .strict();
export type Notification = z.infer<typeof Notification>;

/**
 * The notices a consumer gave up on (dead-lettered: a poison message, a sender that kept failing). They
 * still hold an address and text, so they are dropped, not kept: `drop` removes up to `max` of them and
 * says how many it removed.
 */
export interface NotificationDeadLetters {
  drop(max: number): Promise<number>;
}

export interface Notifier {
  send(notification: Notification): Promise<void>;
  /** Present where the queue keeps dead letters (Service Bus; the local outbox's stand-in). */
  readonly deadLetters?: NotificationDeadLetters;
}
