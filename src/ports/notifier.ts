import { z } from "zod";

/**
 * A notice for a person: the message schema on the `notifications` queue, read by the mailer and the
 * WhatsApp sender. `to` is the address in clear because it must be delivered; it is never logged.
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

export interface Notifier {
  send(notification: Notification): Promise<void>;
}
