import { randomUUID } from "node:crypto";
import type { RequestDoc } from "../../domain/requests/model";
import type { Ports } from "../../ports";
import { AuditLog, type NewEvent } from "./audit-log";
import { RequestStore } from "./request-store";

type StagedEvent = NonNullable<RequestDoc["auditOutbox"]>[number]["event"];

/** Stages an event on the request, to be written by the same ETag-guarded write as the change itself. */
export function stageAuditEvent(doc: RequestDoc, event: StagedEvent): void {
  doc.auditOutbox = [...(doc.auditOutbox ?? []), { key: randomUUID(), event }];
}

/**
 * Moves staged events into the hash chain, oldest first, then removes them from the request. Run after
 * every staged write, before the next transition and before the trail is read, so an event left
 * behind by a crash reaches the chain at the latest then; the key makes a repeated flush a no-op.
 */
export async function flushAuditOutbox(ports: Ports, requestId: string): Promise<void> {
  const store = new RequestStore(ports);
  const found = await store.find(requestId);
  const staged = found?.doc.auditOutbox ?? [];
  if (staged.length === 0) return;
  const audit = new AuditLog(ports);
  for (const { key, event } of staged) await audit.append(requestId, { ...event, key } as NewEvent);
  const done = new Set(staged.map((s) => s.key));
  await store.update(requestId, (doc) => {
    const left = (doc.auditOutbox ?? []).filter((s) => !done.has(s.key));
    if (left.length) doc.auditOutbox = left;
    else delete doc.auditOutbox;
    return doc;
  });
}
