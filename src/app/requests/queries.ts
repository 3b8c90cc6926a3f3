import { DomainError } from "../../domain/errors";
import { type RequestDoc, RequestKind, RequestStatus, TERMINAL } from "../../domain/requests/model";
import type { Condition } from "../../ports/document-store";
import type { Caller } from "../caller";
import type { AppContext } from "../context";
import { relationTo, type Relation } from "./access-control";
import { AuditLog } from "./audit-log";
import { flushAuditOutbox } from "./audit-outbox";
import { RequestStore } from "./request-store";

export async function getRequest(
  app: AppContext,
  caller: Caller,
  id: string,
): Promise<{ doc: RequestDoc; relation: Relation }> {
  const doc = await new RequestStore(app.ports).get(id);
  return { doc, relation: relationTo(caller, doc) };
}

export interface ListFilter {
  status?: RequestStatus;
  kind?: RequestKind;
  overdue?: boolean;
  limit: number;
  continuationToken?: string;
}

/** GET /requests: members see their tenant's partition only; staff see every partition. */
export async function listRequests(app: AppContext, caller: Caller, filter: ListFilter) {
  if (caller.kind === "public")
    throw new DomainError("unauthenticated", "Listing requests needs a bearer token.");
  const where: Condition[] = [];
  if (filter.status) where.push({ field: "status", op: "=", value: filter.status });
  if (filter.kind) where.push({ field: "kind", op: "=", value: filter.kind });
  if (filter.overdue) {
    where.push({ field: "dueAt", op: "<", value: app.ports.clock.now().toISOString() });
    for (const s of TERMINAL) where.push({ field: "status", op: "!=", value: s });
  }
  const page = await new RequestStore(app.ports).list({
    ...(caller.kind === "dashboard" ? { partitionKey: `tenant:${caller.tenantId}` } : {}),
    where,
    orderBy: { field: "createdAt", direction: "desc" },
    limit: filter.limit,
    ...(filter.continuationToken ? { continuationToken: filter.continuationToken } : {}),
  });
  return page;
}

/** GET …/audit: staff get every event and whether the chain verifies; the requester a summary. */
export async function auditTrail(app: AppContext, caller: Caller, id: string) {
  const { relation } = await getRequest(app, caller, id);
  await flushAuditOutbox(app.ports, id);
  const { events, valid, headHash, brokenAt } = await new AuditLog(app.ports).verified(id);
  if (relation === "staff")
    return { requestId: id, chain: { valid, headHash, ...(brokenAt ? { brokenAt } : {}) }, events };
  return {
    requestId: id,
    chain: { valid, headHash },
    events: events.map((e) => ({ at: e.at, action: e.action, ...(e.to ? { status: e.to } : {}) })),
  };
}

export const ListableStatus = RequestStatus;
export const ListableKind = RequestKind;
