import { z } from "zod";
import type { RequestDoc } from "../../domain/requests/model";
import { NotificationChannel, type ProcessorEntry, servesTenant } from "../../domain/processors/register";
import {
  deadlineOf,
  isSettled,
  ProcessorTask,
  reminderDue,
  type TaskKind,
  taskId,
  type TaskSubject,
} from "../../domain/processors/task";
import { AlreadyExistsError, PreconditionFailedError } from "../../ports/document-store";
import { AuditLog } from "../audit";
import type { AppContext } from "../context";
import { errorClass } from "../../ports/logger";
import { registerEntries } from "./register";
import { sendToPartner } from "./delivery";

/**
 * Fan-out: one event (an erasure of the account or of a number, a consent withdrawal, a correction)
 * becomes one task per active partner that serves the tenant and receives any affected category.
 *
 * Which partners is decided once, and kept (`processor-fan-out:<requestId>`, create-only, in the request's
 * partition): a rerun after a crash makes the tasks of that decision (create-only, deterministic ids), so
 * it never makes a second task nor picks up a partner registered since. With no partner to tell, nothing
 * is written at all: the request goes on exactly as it did before the register existed.
 */
export interface ProcessorEvent {
  kind: TaskKind;
  /** The inventory categories the event touched. */
  categories: readonly string[];
  subject: TaskSubject;
  /** Whether the partner's tenant list covers the event (an account: its tenant; a number: a tenant it was found in). */
  serves(entry: ProcessorEntry): boolean;
}

const Planned = z
  .object({
    processorId: z.string(),
    name: z.string(),
    version: z.number().int(),
    country: z.string(),
    channel: NotificationChannel,
    confirmWithin: z.string(),
    categories: z.array(z.string()),
  })
  .strict();

const FanOut = z
  .object({
    id: z.string(),
    pk: z.string(),
    docType: z.literal("processor-fan-out"),
    requestId: z.string(),
    kind: z.string(),
    at: z.string(),
    partners: z.array(Planned),
  })
  .strict();
type FanOut = z.infer<typeof FanOut>;

const fanOutId = (requestId: string) => `processor-fan-out:${requestId}`;

/**
 * The event of a request about its own subject: an account's tenant (partners listing it, or serving every
 * tenant), or a WhatsApp number as its keyed hash, held by tenants given here as `servedTenant` (a number
 * erasure knows them by keyed hash) or, when unknown, reaching the partners that serve every tenant.
 */
export function eventFor(
  request: RequestDoc,
  kind: TaskKind,
  categories: readonly string[],
  servedTenant?: (tenantId: string) => boolean,
): ProcessorEvent | undefined {
  const scope = request.scope;
  if (scope.type === "account")
    return {
      kind,
      categories,
      subject: { type: "tenant", tenantId: scope.tenantId },
      serves: (entry) => servesTenant(entry, scope.tenantId),
    };
  if (scope.type === "whatsapp_number")
    return {
      kind,
      categories,
      subject: { type: "whatsapp_number", numberHash: scope.numberHash },
      serves: (entry) =>
        entry.tenants === "all" || (servedTenant !== undefined && entry.tenants.some(servedTenant)),
    };
  return undefined;
}

async function readFanOut(
  app: AppContext,
  request: Pick<RequestDoc, "id" | "pk">,
): Promise<FanOut | undefined> {
  const found = await app.stores.processorFanOuts.read(fanOutId(request.id), request.pk);
  return found ? FanOut.parse(found.doc) : undefined;
}

async function plan(
  app: AppContext,
  request: RequestDoc,
  event: ProcessorEvent,
): Promise<FanOut | undefined> {
  const existing = await readFanOut(app, request);
  if (existing) return existing;
  const partners = (await registerEntries(app))
    .filter((e) => e.status === "active" && event.serves(e))
    .map((e) => ({ entry: e, categories: e.categories.filter((c) => event.categories.includes(c)) }))
    .filter((p) => p.categories.length > 0)
    .map(({ entry, categories }) => ({
      processorId: entry.processorId,
      name: entry.name,
      version: entry.version,
      country: entry.location.country,
      channel: entry.channel,
      confirmWithin: entry.confirmWithin,
      categories,
    }));
  if (partners.length === 0) return undefined;
  const doc: FanOut = {
    id: fanOutId(request.id),
    pk: request.pk,
    docType: "processor-fan-out",
    requestId: request.id,
    kind: event.kind,
    at: app.ports.clock.now().toISOString(),
    partners,
  };
  try {
    await app.stores.processorFanOuts.create(doc);
  } catch (e) {
    if (!(e instanceof AlreadyExistsError)) throw e;
    return readFanOut(app, request);
  }
  await new AuditLog(app).append(request.id, {
    actor: { kind: "system" },
    action: "processors_notified",
    data: { kind: event.kind, processors: partners.map((p) => p.processorId) },
  });
  return doc;
}

/**
 * Makes the event's tasks (those not made yet) and sends each new one its notice at once; a notice that
 * fails (or a crash before it was sent) is left to the timer, a retry interval later, never lost. Idempotent.
 */
export async function fanOutToProcessors(
  app: AppContext,
  request: RequestDoc,
  event: ProcessorEvent,
): Promise<TaskState> {
  const decided = await plan(app, request, event);
  if (!decided) return { planned: 0, tasks: [] };
  const tasks: ProcessorTask[] = [];
  for (const p of decided.partners) {
    const id = taskId(p.processorId, request.id);
    const found = await app.stores.processorTasks.read(id, request.pk);
    if (found) {
      tasks.push(ProcessorTask.parse(found.doc));
      continue;
    }
    const now = app.ports.clock.now();
    const deadline = deadlineOf(now, p.confirmWithin);
    const task: ProcessorTask = {
      id,
      pk: request.pk,
      docType: "processor-task",
      requestId: request.id,
      processorId: p.processorId,
      processorName: p.name,
      processorVersion: p.version,
      country: p.country,
      kind: event.kind,
      categories: p.categories,
      subject: event.subject,
      channel: p.channel,
      status: "open",
      createdAt: now.toISOString(),
      deadline: deadline.toISOString(),
      // The notice is sent right below: the timer's turn is a retry's, so a run at this very moment
      // does not send it a second time.
      nextActionAt: new Date(now.getTime() + RETRY_MS).toISOString(),
      notice: { attempts: 0 },
      reminder: { dueAt: reminderDue(now, deadline).toISOString() },
      seenWebhookIds: [],
    };
    try {
      const created = await app.stores.processorTasks.create(task);
      tasks.push(await deliverNotice(app, task, created.etag));
    } catch (e) {
      if (!(e instanceof AlreadyExistsError)) throw e;
      const again = await app.stores.processorTasks.read(id, request.pk);
      if (again) tasks.push(ProcessorTask.parse(again.doc));
    }
  }
  return { planned: decided.partners.length, tasks };
}

/** A failed send is tried again this long after (the timer's next pass at the earliest). */
export const RETRY_MS = 15 * 60_000;

/** When the timer next has something to do for a task whose notice is out. */
export function nextAction(task: ProcessorTask): string | undefined {
  if (isSettled(task) || task.overdueAt) return undefined;
  if (!task.reminder.sentAt && Date.parse(task.reminder.dueAt) < Date.parse(task.deadline))
    return task.reminder.claimedAt
      ? new Date(Date.parse(task.reminder.claimedAt) + RETRY_MS).toISOString()
      : task.reminder.dueAt;
  return task.deadline;
}

/**
 * Sends a task's first notice and records the outcome under the ETag it was read with. A second run racing
 * it may send the same message too (the partner deduplicates by its id); only one outcome is recorded.
 */
export async function deliverNotice(
  app: AppContext,
  task: ProcessorTask,
  etag: string,
): Promise<ProcessorTask> {
  const now = app.ports.clock.now();
  let next: ProcessorTask;
  try {
    await sendToPartner(app, task, "processor_task.notice");
    next = { ...task, notice: { attempts: task.notice.attempts + 1, sentAt: now.toISOString() } };
    next.nextActionAt = nextAction(next);
  } catch (e) {
    next = {
      ...task,
      notice: { attempts: task.notice.attempts + 1, lastError: errorClass(e) },
      nextActionAt: new Date(now.getTime() + RETRY_MS).toISOString(),
    };
  }
  if (next.nextActionAt === undefined) delete next.nextActionAt;
  try {
    await app.stores.processorTasks.replace(next, etag);
  } catch (e) {
    if (!(e instanceof PreconditionFailedError)) throw e;
    // Another writer got there first (another run, or the partner confirming while our POST was in
    // flight): its state stands, and the caller gets the stored task, never this stale copy.
    const stored = await app.stores.processorTasks.read(task.id, task.pk);
    return stored ? ProcessorTask.parse(stored.doc) : next;
  }
  return next;
}

/** How many partners were decided for a request, and the tasks found of them. */
export interface TaskState {
  planned: number;
  tasks: ProcessorTask[];
}

/** The partners decided for a request and their tasks (point reads in its partition: a handful). */
export async function taskState(app: AppContext, request: Pick<RequestDoc, "id" | "pk">): Promise<TaskState> {
  const decided = await readFanOut(app, request);
  const tasks: ProcessorTask[] = [];
  for (const p of decided?.partners ?? []) {
    const found = await app.stores.processorTasks.read(taskId(p.processorId, request.id), request.pk);
    if (found) tasks.push(ProcessorTask.parse(found.doc));
  }
  return { planned: decided?.partners.length ?? 0, tasks };
}

/** Every task of a request, in the order its partners were decided. */
export async function tasksOf(
  app: AppContext,
  request: Pick<RequestDoc, "id" | "pk">,
): Promise<ProcessorTask[]> {
  return (await taskState(app, request)).tasks;
}

/**
 * True when every partner told of the request confirmed or was waived (and when none was told). A
 * decided partner whose task is missing (a crash between the two writes) is not settled.
 */
export async function processorsSettled(
  app: AppContext,
  request: Pick<RequestDoc, "id" | "pk">,
): Promise<boolean> {
  const { planned, tasks } = await taskState(app, request);
  return tasks.length === planned && tasks.every(isSettled);
}
