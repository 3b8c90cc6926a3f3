import { type Logger, safeId } from "../../ports/logger";
import { PreconditionFailedError } from "../../ports/document-store";
import { isSettled, ProcessorTask } from "../../domain/processors/task";
import { AuditLog } from "../audit";
import type { AppContext } from "../context";
import { type RunOptions, startRun } from "../operations";
import { queryPages } from "../util";
import { sendToPartner } from "./delivery";
import { deliverNotice, nextAction, RETRY_MS } from "./tasks";

export interface ProcessorTimerResult {
  due: number;
  noticesSent: number;
  /** Notices the partner's channel did not take again: retried in 15 minutes (the task keeps the error class). */
  noticesFailed: number;
  remindersSent: number;
  overdue: number;
  failed: number;
}

/**
 * The partners' clock (src/triggers/processors.ts, every 15 minutes): for each open task whose
 * `nextActionAt` has come (one indexed query: status and due time, so an idle run reads empty pages
 * whatever waits, docs/cosmos-queries.md) it first, once the deadline passed, marks the task overdue (a
 * notice never delivered included, and still retried after): an audit event on the request and
 * an error-level log line with ids only, which the `processor-task-overdue` alert watches
 * (infra/modules/alerts.bicep); otherwise it sends a notice that failed before, or the one reminder before
 * the deadline. The request stays open; a late confirmation still counts.
 */
export async function runProcessorTasks(
  app: AppContext,
  options: RunOptions = {},
): Promise<ProcessorTimerResult> {
  const run = startRun(app, "processorTasks", options);
  const now = app.ports.clock.now();
  const result: ProcessorTimerResult = {
    due: 0,
    noticesSent: 0,
    noticesFailed: 0,
    remindersSent: 0,
    overdue: 0,
    failed: 0,
  };
  for await (const page of queryPages<ProcessorTask>(app.stores.processorTasks, {
    where: [
      { field: "status", op: "=", value: "open" },
      { field: "nextActionAt", op: "<=", value: now.toISOString() },
    ],
    select: ["id", "pk"],
  })) {
    for (const item of page) {
      result.due++;
      const outcome = await run.attempt({ jobId: item.id }, "processor_task", () =>
        step(app, item, now, run.log),
      );
      if (outcome) result[outcome]++;
    }
  }
  result.failed = run.failed;
  await run.finish(result);
  return result;
}

type Outcome = "noticesSent" | "noticesFailed" | "remindersSent" | "overdue" | undefined;

async function step(
  app: AppContext,
  item: Pick<ProcessorTask, "id" | "pk">,
  now: Date,
  log: Logger,
): Promise<Outcome> {
  try {
    return await act(app, item, now, log);
  } catch (e) {
    // Another run wrote the task first (ETag): it does this step, this run leaves it.
    if (e instanceof PreconditionFailedError) return undefined;
    throw e;
  }
}

async function act(
  app: AppContext,
  item: Pick<ProcessorTask, "id" | "pk">,
  now: Date,
  log: Logger,
): Promise<Outcome> {
  const found = await app.stores.processorTasks.read(item.id, item.pk);
  if (!found) return undefined;
  const task = ProcessorTask.parse(found.doc);
  if (isSettled(task) || !task.nextActionAt || Date.parse(task.nextActionAt) > now.getTime())
    return undefined;
  // The deadline first: a partner whose notice never got through is overdue all the same (and the alert
  // fires), rather than retried quietly for ever.
  if (!task.overdueAt && now.getTime() >= Date.parse(task.deadline)) {
    const overdue: ProcessorTask = { ...task, overdueAt: now.toISOString() };
    // A notice still not delivered keeps being retried after the deadline; otherwise nothing is due.
    if (task.notice.sentAt) delete overdue.nextActionAt;
    else overdue.nextActionAt = new Date(now.getTime() + RETRY_MS).toISOString();
    // ETag-guarded: a second run racing this one fails here, so one overdue event per task.
    await app.stores.processorTasks.replace(overdue, found.etag);
    await new AuditLog(app).append(task.requestId, {
      actor: { kind: "system" },
      action: "processor_overdue",
      data: { taskId: task.id, processorId: task.processorId, deadline: task.deadline },
    });
    log.error("processor_task_overdue", {
      taskId: safeId(task.id),
      requestId: safeId(task.requestId),
      processorId: safeId(task.processorId),
    });
    return "overdue";
  }
  if (!task.notice.sentAt) {
    const after = await deliverNotice(app, task, found.etag);
    return after.notice.sentAt ? "noticesSent" : "noticesFailed";
  }
  if (!task.overdueAt && !task.reminder.sentAt) {
    // Claimed first (ETag), then sent, then recorded: a timer run twice sends one reminder; a crash after
    // the send sends it again after RETRY_MS (the same message id, which the partner deduplicates).
    const claimed: ProcessorTask = {
      ...task,
      reminder: { ...task.reminder, claimedAt: now.toISOString() },
      nextActionAt: new Date(now.getTime() + RETRY_MS).toISOString(),
    };
    const { etag } = await app.stores.processorTasks.replace(claimed, found.etag);
    await sendToPartner(app, task, "processor_task.reminder");
    const sent: ProcessorTask = { ...claimed, reminder: { ...claimed.reminder, sentAt: now.toISOString() } };
    const next = nextAction(sent);
    if (next) sent.nextActionAt = next;
    else delete sent.nextActionAt;
    await app.stores.processorTasks.replace(sent, etag);
    await new AuditLog(app).append(task.requestId, {
      actor: { kind: "system" },
      action: "processor_reminded",
      data: { taskId: task.id, processorId: task.processorId, deadline: task.deadline },
    });
    return "remindersSent";
  }
  return undefined;
}
