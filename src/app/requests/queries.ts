import { DomainError } from "../../domain/errors";
import { type RequestDoc, RequestKind, RequestStatus, TERMINAL } from "../../domain/requests/model";
import type { Condition } from "../../ports/document-store";
import type { Caller } from "../caller";
import type { AppContext } from "../context";
import { readRequestAs, standingOf, type Relation } from "./access-control";
import { AuditLog } from "../audit";
import { flushAuditOutbox } from "./audit-outbox";
import { actorOf } from "./transition";
import { tenantPartition } from "../../domain/storage/partition-keys";

export async function getRequest(
  app: AppContext,
  caller: Caller,
  id: string,
): Promise<{ doc: RequestDoc; relation: Relation }> {
  return readRequestAs(app, caller, id);
}

export interface ListFilter {
  status?: RequestStatus;
  kind?: RequestKind;
  overdue?: boolean;
  limit: number;
  continuationToken?: string;
}

export interface RequestPage {
  items: RequestDoc[];
  continuationToken?: string;
  /** How the caller stands to every item listed (what the view of each may show). */
  relation: Relation;
}

/**
 * GET /requests: staff see every partition. A dashboard user sees their tenant's partition, except the
 * grievances others filed there (src/app/requests/access-control.ts).
 */
export async function listRequests(
  app: AppContext,
  caller: Caller,
  filter: ListFilter,
): Promise<RequestPage> {
  if (caller.kind === "public")
    throw new DomainError("unauthenticated", "Listing requests needs a bearer token.");
  const where: Condition[] = [];
  if (filter.status) where.push({ field: "status", op: "=", value: filter.status });
  if (filter.kind) where.push({ field: "kind", op: "=", value: filter.kind });
  if (filter.overdue) {
    where.push({ field: "dueAt", op: "<", value: app.ports.clock.now().toISOString() });
    for (const s of TERMINAL) where.push({ field: "status", op: "!=", value: s });
  }
  const store = app.stores.requests;
  const orderBy = { field: "createdAt", direction: "desc" } as const;
  if (caller.kind === "staff") {
    const page = await store.list({
      where,
      orderBy,
      limit: filter.limit,
      ...(filter.continuationToken ? { continuationToken: filter.continuationToken } : {}),
    });
    return { ...page, relation: "staff" };
  }
  // What a dashboard user may list is one indexed condition on the request (`visibleTo`): the
  // tenant's requests and the grievances they filed, so each page is the store's own.
  const page = await store.list({
    partitionKey: tenantPartition(caller.tenantId),
    where: [...where, { field: "visibleTo", op: "in", value: ["tenant", actorOf(app, caller).ref ?? ""] }],
    orderBy,
    limit: filter.limit,
    ...(filter.continuationToken ? { continuationToken: filter.continuationToken } : {}),
  });
  return { ...page, relation: standingOf(caller) };
}

/** GET …/audit: staff get every event and whether the chain verifies; the requester a summary. */
export async function auditTrail(app: AppContext, caller: Caller, id: string) {
  const { relation } = await getRequest(app, caller, id);
  await flushAuditOutbox(app, id);
  const { events, valid, headHash, brokenAt, anchored } = await new AuditLog(app).verified(id);
  if (relation === "staff")
    return { requestId: id, chain: { valid, headHash, ...(brokenAt ? { brokenAt } : {}), anchored }, events };
  return {
    requestId: id,
    chain: { valid, headHash },
    events: events.map((e) => ({ at: e.at, action: e.action, ...(e.to ? { status: e.to } : {}) })),
  };
}

export const ListableStatus = RequestStatus;
export const ListableKind = RequestKind;
