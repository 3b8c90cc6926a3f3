import { randomUUID } from "node:crypto";
import type { RequestDoc } from "../../domain/requests/model";
import type { Versioned } from "../../ports/document-store";
import { AuditLog, type ChainHead, type NewEvent } from "../audit";
import type { AppContext } from "../context";

type StagedEvent = NonNullable<RequestDoc["auditOutbox"]>[number]["event"];

/**
 * Stages an event on the request, to be written by the same ETag-guarded write as the change itself.
 * Returns the event's key (what {@link flushAuditOutbox} is told the caller staged).
 */
export function stageAuditEvent(doc: RequestDoc, event: StagedEvent): string {
  const key = randomUUID();
  doc.auditOutbox = [...(doc.auditOutbox ?? []), { key, event }];
  return key;
}

/**
 * What the caller of a flush knows already, so the flush need not ask the store again:
 * - `request`: the request as the caller just read or wrote it, with its ETag (the flush reads it
 *   otherwise; a stale copy only costs the clean-up write a retry);
 * - `staged`: the keys of the events the caller staged in that write, and `after`, a link of the audit
 *   chain the caller saw before it staged them ({@link AuditLog.lastSeen}, read before the write).
 *   Those events are appended right after it without looking up the head or the key
 *   ({@link AuditLog.append}); any other staged event (left by a crash) the usual way.
 */
export interface FlushContext {
  request?: Versioned<RequestDoc>;
  staged?: { keys: readonly string[]; after?: ChainHead };
}

/**
 * Moves staged events into the hash chain, oldest first, then removes them from the request. Run after
 * every staged write, before the next transition and before the trail is read, so an event left
 * behind by a crash reaches the chain at the latest then; the key makes a repeated flush a no-op.
 * Returns the request as the flush left it (as given or read, when there was nothing to move).
 */
export async function flushAuditOutbox(
  app: Pick<AppContext, "ports" | "stores">,
  requestId: string,
  known: FlushContext = {},
): Promise<Versioned<RequestDoc> | undefined> {
  const store = app.stores.requests;
  const found = known.request ?? (await store.find(requestId));
  const staged = found?.doc.auditOutbox ?? [];
  if (staged.length === 0) return found;
  const audit = new AuditLog(app);
  const own = new Set(known.staged?.keys ?? []);
  // Right after the link the caller saw, while every event so far was the caller's own and went in
  // right behind the one before: no other writer's event lies between that link and the next place.
  let after = known.staged?.after;
  for (const { key, event } of staged) {
    const mine = after !== undefined && own.has(key);
    const written = await audit.append(requestId, { ...event, key } as NewEvent, mine ? { after } : {});
    after = mine && written.seq === after!.seq + 1 && written.key === key ? written : undefined;
  }
  const done = new Set(staged.map((s) => s.key));
  const { after: doc, etag } = await store.update(
    requestId,
    (doc) => {
      const left = (doc.auditOutbox ?? []).filter((s) => !done.has(s.key));
      if (left.length) doc.auditOutbox = left;
      else delete doc.auditOutbox;
      return doc;
    },
    found,
  );
  return { doc, etag };
}

/**
 * Requests whose staged events never reached the chain: the write after a status change failed (a crash, a
 * store error) and nothing came back to the request since — a closed request is never acted on again, and its
 * trail may never be read. The hourly rights sweep moves them in, so every sealed chain and its anchors hold
 * every step within the hour. Safe beside a writer's own flush: a staged event's key is looked up before it is
 * appended (AuditLog.append), so it is never written twice.
 */
export async function flushStrandedAuditOutboxes(
  app: Pick<AppContext, "ports" | "stores">,
): Promise<{ flushed: number; failed: number }> {
  const ids: string[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await app.stores.requests.list({
      where: [{ field: "auditOutbox", op: "defined" }],
      limit: 100,
      ...(continuationToken ? { continuationToken } : {}),
    });
    ids.push(...page.items.map((r) => r.id));
    continuationToken = page.continuationToken;
  } while (continuationToken);
  const report = { flushed: 0, failed: 0 };
  for (const id of ids) {
    try {
      await flushAuditOutbox(app, id);
      report.flushed++;
    } catch {
      // Left for the next hour (or the request's next action or read, which flush it first).
      report.failed++;
    }
  }
  return report;
}
