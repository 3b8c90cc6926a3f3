import { z } from "zod";

/** The queues timers travel on; each is a Service Bus queue in Azure and infra creates exactly these. */
export const QueueName = z.enum([
  "account-purge",
  "backup-rotation",
  /** Work, not a timer: one message per backup set to write (src/app/backups/job.ts). */
  "backup-sets",
  "notifications",
  /** Per-request timers other than the purge: verification reminder and expiry, export expiry. */
  "request-timers",
  /** Work, not a timer: one message per run of a request's executor (src/app/requests/execution-queue.ts). */
  "request-execution",
]);
export type QueueName = z.infer<typeof QueueName>;

/**
 * The queues that carry long work sent to run now (not timers): the HTTP call that starts the work
 * answers before it runs (the platform's front end cuts a response at 230 s). The local scheduler
 * delivers a message due now on these queues at once, inside `schedule` (src/adapters/embedded/
 * local-scheduler.ts), so the local host answers as it did when the work ran inline.
 */
export const WORK_QUEUES: readonly QueueName[] = ["request-execution", "backup-sets"];

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
