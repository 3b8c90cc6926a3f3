import { DomainError } from "../../domain/errors";
import type { NoticeReason } from "../../domain/notices";
import { keyedHash } from "../../domain/subject";
import { type Actor, isOpen, type RequestDoc } from "../../domain/requests/model";
import { type Action, flowKey, transition } from "../../domain/requests/state-machine";
import type { Caller } from "../caller";
import type { AppContext } from "../context";
import { flushAuditOutbox, stageAuditEvent } from "./audit-outbox";
import { notifyRequester } from "./notify";

export function actorOf(app: AppContext, caller: Caller | "system"): Actor {
  if (caller === "system") return { kind: "system" };
  if (caller.kind === "public") return { kind: "public" };
  return { kind: caller.role, ref: keyedHash(app.keys.hash, `actor:${caller.subject}`) };
}

/**
 * What an audit event may say of a reason: the service's own wording in clear; a person's free text
 * (staff, requester, owner) only as a keyed hash, so the chain proves what was written without holding it.
 * The text itself stays where its reader needs it (the request, the notice), under the own-records sweep.
 */
export function auditReason(
  app: AppContext,
  actor: Actor,
  reason: string | undefined,
): { reason?: string; reasonHash?: string } {
  if (!reason) return {};
  if (actor.kind === "system") return { reason };
  return { reasonHash: keyedHash(app.keys.hash, `reason:${reason}`) };
}

/**
 * Marks a request's close on its details (`details.retention.closedAt`): the own-records periods run
 * from it (src/app/retention/own-records.ts); `freeTextReason` says the closing reason is a person's.
 */
function markClosed(doc: RequestDoc, now: Date, actor: Actor, reason: string | undefined): void {
  const retention = (doc.details.retention ?? {}) as Record<string, unknown>;
  doc.details = {
    ...doc.details,
    retention: {
      ...retention,
      closedAt: now.toISOString(),
      ...(reason && actor.kind !== "system" ? { freeTextReason: true } : {}),
    },
  };
}

export interface TransitionOptions {
  /** Kept on the request (closing reason, hold); in the audit event only as {@link auditReason}. */
  reason?: string;
  /**
   * The reason as the requester's notice gives it, in their language: a code each language file writes,
   * or a person's words with the language they wrote them in. `reason` itself never reaches a notice:
   * it is one language's sentence (the service's English, or staff's words of unknown language).
   */
  noticeReason?: NoticeReason;
  /** Further changes made in the same write as the status change. */
  change?: (doc: RequestDoc, now: Date) => void;
  /** Non-personal facts for the audit event (counts, step names, hashes). */
  data?: Record<string, unknown>;
  notify?: boolean;
}

/**
 * The one way a request changes status: the state machine decides on fresh state, the write is
 * ETag-guarded, the audit chain gets the event, a closed request frees its subject's open slot.
 */
export async function applyAction(
  app: AppContext,
  requestId: string,
  action: Action,
  actor: Actor,
  options: TransitionOptions = {},
): Promise<RequestDoc> {
  const store = app.stores.requests;
  const now = app.ports.clock.now();
  // Whatever an earlier crash left staged goes into the chain first, so the order stays true.
  await flushAuditOutbox(app, requestId);
  const { before, after } = await store.update(requestId, (doc) => {
    const from = doc.status;
    const next = transition(flowKey(doc.kind, doc.scope.type), doc.status, action, doc.hold?.resumeStatus);
    if (action === "hold")
      doc.hold = { since: now.toISOString(), reason: options.reason ?? "", resumeStatus: doc.status };
    if (action === "release") delete doc.hold;
    if (!isOpen(next) && options.reason) doc.closedReason = options.reason;
    doc.status = next;
    options.change?.(doc, now);
    if (isOpen(from) && !isOpen(next)) markClosed(doc, now, actor, options.reason);
    const { reason, reasonHash } = auditReason(app, actor, options.reason);
    const data = { ...options.data, ...(reasonHash ? { reasonHash } : {}) };
    stageAuditEvent(doc, {
      actor,
      action,
      from,
      to: next,
      ...(reason ? { reason } : {}),
      ...(Object.keys(data).length ? { data } : {}),
    });
    return doc;
  });
  await flushAuditOutbox(app, requestId);
  if (isOpen(before.status) && !isOpen(after.status)) {
    await store.releaseOpenSlot(after.pk, after.kind, after.id);
  }
  if (options.notify !== false && before.status !== after.status && actor.kind !== "public") {
    await notifyRequester(app, after, {
      template: "request_status",
      requestId: after.id,
      kind: after.kind,
      status: after.status,
      ...(options.noticeReason ? { reason: options.noticeReason } : {}),
      ...(after.status === "deactivated" && after.account ? { purgeDueAt: after.account.purgeDueAt } : {}),
    });
  }
  return after;
}

/**
 * The system moves a request on unless another run already did: a lost race (409) re-reads and
 * carries on from wherever the request now stands.
 */
export async function advanceRequest(
  app: AppContext,
  request: RequestDoc,
  action: Action,
  options: TransitionOptions,
): Promise<RequestDoc> {
  try {
    return await applyAction(app, request.id, action, { kind: "system" }, options);
  } catch (e) {
    if (!(e instanceof DomainError && e.kind === "conflict")) throw e;
    const fresh = await app.stores.requests.get(request.id);
    if (fresh.status === request.status) throw e;
    return fresh;
  }
}
