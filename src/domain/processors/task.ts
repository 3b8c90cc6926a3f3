import { z } from "zod";
import { addDuration } from "../duration";
import { NotificationChannel, PROCESSOR_ID } from "./register";

/**
 * One partner's part of one request (`requests`, in the request's partition, docType `processor-task`):
 * told once, reminded once before its deadline, marked overdue after it, settled by the partner's signed
 * confirmation or by staff (an emailed confirmation, or a waiver with the reason it could not confirm).
 */
export const TaskKind = z.enum(["erasure", "consent_withdrawal", "correction"]);
export type TaskKind = z.infer<typeof TaskKind>;

/** Who the request is about, as the partner may be told it: a tenant id, or the number's keyed hash. */
export const TaskSubject = z.discriminatedUnion("type", [
  z.object({ type: z.literal("tenant"), tenantId: z.string() }).strict(),
  z.object({ type: z.literal("whatsapp_number"), numberHash: z.string() }).strict(),
]);
export type TaskSubject = z.infer<typeof TaskSubject>;

/**
 * Why staff waived a partner's confirmation, as a code: what the requester and the sealed certificate read
 * is the code's fixed text, never staff's free note (which may name people, partners or tenants and is kept
 * on the task, for staff).
 */
export const WaiverReason = z.enum([
  "partner_holds_no_data",
  "partner_ceased_operations",
  "legally_required_retention",
  "other",
]);
export type WaiverReason = z.infer<typeof WaiverReason>;

export const WAIVER_TEXT: Record<WaiverReason, string> = {
  partner_holds_no_data: "The partner holds none of the data to erase.",
  partner_ceased_operations: "The partner has ceased operations and can no longer confirm.",
  legally_required_retention: "The partner must retain the data by law, and keeps it for that purpose only.",
  other: "The partner could not confirm; our privacy officer recorded why.",
};

const Iso = z.string();

export const ProcessorTask = z
  .object({
    id: z.string(),
    pk: z.string(),
    docType: z.literal("processor-task"),
    requestId: z.string(),
    processorId: z.string(),
    processorName: z.string(),
    processorVersion: z.number().int(),
    country: z.string(),
    kind: TaskKind,
    categories: z.array(z.string()),
    subject: TaskSubject,
    /** The channel as the register said when the task was made (a later change does not redirect it). */
    channel: NotificationChannel,
    status: z.enum(["open", "confirmed", "waived"]),
    createdAt: Iso,
    deadline: Iso,
    /** When the timer next has something to do (deliver, remind, mark overdue); absent once nothing is due. */
    nextActionAt: Iso.optional(),
    notice: z
      .object({ sentAt: Iso.optional(), attempts: z.number().int(), lastError: z.string().optional() })
      .strict(),
    reminder: z.object({ dueAt: Iso, claimedAt: Iso.optional(), sentAt: Iso.optional() }).strict(),
    overdueAt: Iso.optional(),
    confirmation: z
      .object({ at: Iso, by: z.enum(["partner", "staff"]), note: z.string().optional() })
      .strict()
      .optional(),
    /** `note`: staff's own words, for staff only (never in a view for the requester nor the certificate). */
    waiver: z.object({ at: Iso, reason: WaiverReason, note: z.string() }).strict().optional(),
    /** The `webhook-id`s of the partner's confirmations already taken: a replay of one is refused. */
    seenWebhookIds: z.array(z.string()),
  })
  .strict();
export type ProcessorTask = z.infer<typeof ProcessorTask>;

const TASK_ID = /^pt\.([a-z][a-z0-9-]{1,39})\.(r-.+)$/;

/** Deterministic: one task per partner and request, so a fan-out run twice creates nothing new. */
export const taskId = (processorId: string, requestId: string) => `pt.${processorId}.${requestId}`;

/** The partner and request a task id names, or undefined for anything that is not one. */
export function parseTaskId(id: string): { processorId: string; requestId: string } | undefined {
  const m = TASK_ID.exec(id);
  if (!m || !PROCESSOR_ID.test(m[1]!)) return undefined;
  return { processorId: m[1]!, requestId: m[2]! };
}

const HOUR = 3_600_000;

/** The reminder: 24 hours before the deadline, or half-way through a window shorter than two days. */
export function reminderDue(createdAt: Date, deadline: Date): Date {
  const window = deadline.getTime() - createdAt.getTime();
  return window >= 48 * HOUR
    ? new Date(deadline.getTime() - 24 * HOUR)
    : new Date(createdAt.getTime() + Math.floor(window / 2));
}

export const deadlineOf = (createdAt: Date, confirmWithin: string) => addDuration(createdAt, confirmWithin);

/** Settled: the erasure may complete as far as this partner is concerned. */
export const isSettled = (t: Pick<ProcessorTask, "status">) => t.status !== "open";

/** What the partner receives: ids and keyed hashes only, never a number, a name or content. */
export interface ProcessorNotice {
  type: "processor_task.notice" | "processor_task.reminder";
  taskId: string;
  kind: TaskKind;
  categories: string[];
  subject: TaskSubject;
  deadline: string;
  callbackUrl: string;
  issuedAt: string;
}

/** The partner's confirmation body (signed): the task it confirms, and optionally when and a note. */
export const PartnerConfirmation = z
  .object({
    /**
     * Required, and never a notice's type: our own notice is signed with the partner's secret too, so a
     * notice (or reminder) captured on its way can never pass for the partner's confirmation.
     */
    type: z.literal("processor_task.confirmation"),
    taskId: z.string().min(1).max(400),
    completedAt: z.iso.datetime({ offset: true }).optional(),
    note: z.string().trim().min(1).max(500).optional(),
  })
  .strict();
export type PartnerConfirmation = z.infer<typeof PartnerConfirmation>;
