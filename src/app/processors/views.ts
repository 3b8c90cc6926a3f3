import type { CertificateProcessorLine } from "../../domain/audit/certificate-schema";
import type { RequestDoc } from "../../domain/requests/model";
import type { ProcessorTask } from "../../domain/processors/task";
import type { AppContext } from "../context";
import { isSettled } from "../../domain/processors/task";
import { type TaskState, taskState, tasksOf } from "./tasks";

/** The certificate's line for a partner: when it confirmed, or the reason staff recorded. */
export function certificateLine(task: ProcessorTask): CertificateProcessorLine {
  return {
    processorId: task.processorId,
    name: task.processorName,
    country: task.country,
    categories: task.categories,
    status: task.status,
    deadline: task.deadline,
    ...(task.confirmation ? { confirmedAt: task.confirmation.at, confirmedBy: task.confirmation.by } : {}),
    ...(task.waiver ? { waivedAt: task.waiver.at, waivedReason: task.waiver.reason } : {}),
  };
}

/** The certificate's partner lines, and whether every partner settled (the erasure may complete). */
export interface ProcessorOutcome {
  settled: boolean;
  lines: CertificateProcessorLine[];
}

/** From a fan-out's result (what it just made or found): no second read. */
export const outcomeOf = ({ planned, tasks }: TaskState): ProcessorOutcome => ({
  settled: tasks.length === planned && tasks.every(isSettled),
  lines: tasks.map(certificateLine),
});

export async function processorOutcome(
  app: AppContext,
  request: Pick<RequestDoc, "id" | "pk">,
): Promise<ProcessorOutcome> {
  return outcomeOf(await taskState(app, request));
}

/** Kinds that tell partners, in the statuses where they may have. */
const TELLS = new Set(["erasure", "consent_withdrawal", "correction"]);
const AFTER_START = new Set(["in_progress", "purging", "purged", "completed"]);

/**
 * The request view's `processors` (GET v1/requests/{id}, for staff and the requester alike): each
 * partner, its task id, status, deadline and when it confirmed or why it was waived. Nothing for a
 * request that told no partner.
 */
export async function processorsView(app: AppContext, doc: RequestDoc): Promise<Record<string, unknown>> {
  if (!TELLS.has(doc.kind) || !AFTER_START.has(doc.status)) return {};
  const tasks = await tasksOf(app, doc);
  if (tasks.length === 0) return {};
  const now = app.ports.clock.now().getTime();
  return {
    processors: tasks.map((t) => ({
      taskId: t.id,
      ...certificateLine(t),
      overdue: t.status === "open" && Date.parse(t.deadline) < now,
    })),
  };
}
