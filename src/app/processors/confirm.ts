import { conflict, DomainError, forbidden, notFound } from "../../domain/errors";
import { partitionOfRequestId } from "../../domain/requests/request-id";
import { verifyWebhook, type SignedHeaders } from "../../domain/processors/signature";
import {
  isSettled,
  type PartnerConfirmation,
  type WaiverReason,
  parseTaskId,
  ProcessorTask,
} from "../../domain/processors/task";
import { PreconditionFailedError } from "../../ports/document-store";
import { AuditLog } from "../audit";
import type { Caller } from "../caller";
import type { AppContext } from "../context";
import { actorOf, auditReason, handlerOf } from "../requests";
import { processorsSettled } from "./tasks";

/** How many confirmation ids a task remembers: far more than a partner's retries within five minutes. */
const SEEN_KEPT = 50;

/**
 * One answer for every callback that is not the partner's own, fresh, signed confirmation of this task
 * (unknown task, no secret, unsigned, forged, another partner's, stale, replayed): 401, nothing changed,
 * and nothing said about which it was.
 */
const refused = () =>
  new DomainError("unauthenticated", "The confirmation is not signed by the partner this task belongs to.");

async function readTask(app: AppContext, id: string) {
  const parsed = parseTaskId(id);
  const pk = parsed && partitionOfRequestId(parsed.requestId);
  if (!parsed || !pk) return undefined;
  const found = await app.stores.processorTasks.read(id, pk);
  return found ? { task: ProcessorTask.parse(found.doc), etag: found.etag } : undefined;
}

/**
 * POST v1/processor-tasks/{taskId}/confirmation, public: authenticated only by the partner's signature
 * (Standard Webhooks, its own secret, within five minutes, each `webhook-id` once). A confirmation of a
 * task already settled changes nothing and answers its state.
 */
export async function confirmByPartner(
  app: AppContext,
  id: string,
  headers: Partial<Record<keyof SignedHeaders, string | null>>,
  rawBody: string,
  body: PartnerConfirmation,
): Promise<ProcessorTask> {
  const found = await readTask(app, id);
  if (!found) throw refused();
  const { task, etag } = found;
  const secret = app.ports.processors.secretOf(task.processorId);
  if (!secret) throw refused();
  const now = app.ports.clock.now();
  if (verifyWebhook(secret, headers, rawBody, now) !== "valid") throw refused();
  // The signature binds the body: a confirmation signed for one task is no confirmation of another.
  if (body.taskId !== id) throw refused();
  const webhookId = headers["webhook-id"]!;
  // Settled already: the partner's (signed, fresh) retry of its own confirmation learns the state, a
  // replayed webhook-id included; a replay changes nothing, so it is checked only where it could.
  if (isSettled(task)) return task;
  if (task.seenWebhookIds.includes(webhookId)) throw refused();
  const at = now.toISOString();
  const next: ProcessorTask = {
    ...task,
    status: "confirmed",
    confirmation: { at, by: "partner", ...(body.note ? { note: body.note } : {}) },
    seenWebhookIds: [...task.seenWebhookIds, webhookId].slice(-SEEN_KEPT),
  };
  delete next.nextActionAt;
  try {
    await app.stores.processorTasks.replace(next, etag);
  } catch (e) {
    // Another confirmation (or staff) changed it a moment ago: the partner retries and reads the state.
    if (e instanceof PreconditionFailedError) throw conflict("The task changed meanwhile: send it again.");
    throw e;
  }
  await new AuditLog(app).append(task.requestId, {
    actor: { kind: "system" },
    action: "processor_confirmed",
    data: {
      taskId: task.id,
      processorId: task.processorId,
      by: "partner",
      webhookId,
      ...(body.completedAt ? { completedAt: body.completedAt } : {}),
    },
  });
  await afterSettled(app, task);
  return next;
}

/**
 * Staff (the privacy officer) record what a partner answered by email (`confirmed`, with a note of the
 * reply), or that it could not confirm and why (`waived`, with a reason code whose fixed text is all the
 * requester and the certificate read; the free note stays on the task for staff). Either settles the
 * task; both are on the request's audit trail (the note as a keyed hash).
 */
export async function resolveTask(
  app: AppContext,
  caller: Caller,
  id: string,
  input: { outcome: "confirmed"; note: string } | { outcome: "waived"; reason: WaiverReason; note: string },
): Promise<ProcessorTask> {
  if (caller.kind !== "staff" || caller.role !== "privacy_officer") throw forbidden();
  const found = await readTask(app, id);
  if (!found) throw notFound("No such processor task.");
  const { task, etag } = found;
  if (isSettled(task)) throw conflict(`The task is ${task.status} already.`, { status: task.status });
  const at = app.ports.clock.now().toISOString();
  const next: ProcessorTask =
    input.outcome === "confirmed"
      ? { ...task, status: "confirmed", confirmation: { at, by: "staff", note: input.note } }
      : { ...task, status: "waived", waiver: { at, reason: input.reason, note: input.note } };
  delete next.nextActionAt;
  try {
    await app.stores.processorTasks.replace(next, etag);
  } catch (e) {
    if (e instanceof PreconditionFailedError)
      throw conflict("The task changed meanwhile: read it and try again.");
    throw e;
  }
  const actor = actorOf(app, caller);
  await new AuditLog(app).append(task.requestId, {
    actor,
    action: input.outcome === "confirmed" ? "processor_confirmed" : "processor_waived",
    ...auditReason(app, actor, input.note),
    data: {
      taskId: task.id,
      processorId: task.processorId,
      by: "staff",
      ...(input.outcome === "waived" ? { reason: input.reason } : {}),
    },
  });
  await afterSettled(app, task);
  return next;
}

/** The last partner settled: what waited on them (an erasure's completion) goes on. */
async function afterSettled(app: AppContext, task: ProcessorTask): Promise<void> {
  const request = await app.stores.requests.get(task.requestId);
  if (!(await processorsSettled(app, request))) return;
  await handlerOf(app, request).afterProcessorsSettled?.(app, request);
}
