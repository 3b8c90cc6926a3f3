import { z } from "zod";

/** The queues timers travel on; each is a Service Bus queue in Azure and infra creates exactly these. */
export const QueueName = z.enum([
  "account-purge",
  "backup-rotation",
  "notifications",
  /** Per-request timers other than the purge: verification reminder and expiry, export expiry. */
  "request-timers",
]);
export type QueueName = z.infer<typeof QueueName>;

export interface ScheduledMessage {
  queue: QueueName;
  /** Deterministic per (purpose, request, version), so a retried schedule is recognisable. */
  messageId: string;
  body: Record<string, unknown>;
  deliverAt: Date;
}

/**
 * Timers as scheduled messages. The ticket is Service Bus's sequence number as a string (a Long:
 * a JS number would lose precision), valid only while the message waits.
 */
export interface Scheduler {
  schedule(message: ScheduledMessage): Promise<string>;
  /** "not_found" when the message already fired or never existed; callers tolerate it. */
  cancel(queue: QueueName, ticket: string): Promise<"cancelled" | "not_found">;
}
