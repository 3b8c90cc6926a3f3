import { constantTimeEqual, sha256 } from "../../domain/crypto";
import { DomainError, forbidden, notFound } from "../../domain/errors";
import type { RequestDoc } from "../../domain/requests/model";
import type { Caller } from "../caller";
import type { AppContext } from "../context";
import { handlerOf } from "./kind-handler";
import { actorOf } from "./transition";

export type Relation = "staff" | "tenant_owner" | "tenant_member" | "requester";

const noCredential = () =>
  new DomainError("unauthenticated", "Send your request token (X-Request-Token) or a bearer token.");

/**
 * A grievance is a complaint to the Grievance Officer (Privacy Policy §6, §14), made by one person:
 * a team member is a data principal in their own right, and may complain about how the account (its
 * owner included) handled their data. So a tenant's grievance is seen by the staff who handle it and
 * by the dashboard user who filed it, not by the rest of the tenant and not by the owner, who is not the
 * Grievance Officer and could be the one complained about. The filer is known by the keyed hash of the
 * token's subject (`requester.ref`, as `actorOf` writes it).
 */
function filedBy(app: AppContext, caller: Extract<Caller, { kind: "dashboard" }>, doc: RequestDoc) {
  const ref = doc.requester.ref;
  if (ref === undefined) return false;
  const mine = actorOf(app, caller).ref;
  return mine !== undefined && constantTimeEqual(ref, mine);
}

/**
 * How the caller stands to a request, or 404: a caller with no standing learns nothing, not even that
 * the request exists (tenant isolation; another member's grievance; another filer's request).
 */
export function relationTo(app: AppContext, caller: Caller, doc: RequestDoc): Relation {
  if (caller.kind === "staff") return "staff";
  if (caller.kind === "dashboard") {
    if (doc.tenantId === undefined || doc.tenantId !== caller.tenantId) throw notFound("No such request.");
    if (handlerOf(app, doc).filedByAnyone && !filedBy(app, caller, doc)) throw notFound("No such request.");
    return caller.role === "owner" ? "tenant_owner" : "tenant_member";
  }
  if (!caller.requestToken) throw noCredential();
  const presented = sha256(caller.requestToken);
  if (doc.tokenHashes.some((h) => constantTimeEqual(h, presented))) return "requester";
  throw notFound("No such request.");
}

/**
 * The relation of a caller a use case has just let read or act on a request (it checked the standing
 * itself): for what the answer may show, e.g. a legal hold's reason to staff only.
 */
export function standingOf(caller: Caller): Relation {
  if (caller.kind === "staff") return "staff";
  if (caller.kind === "dashboard") return caller.role === "owner" ? "tenant_owner" : "tenant_member";
  return "requester";
}

/** A member of staff's role (what their view of a request offers them), or undefined for anyone else. */
export function staffRoleOf(caller: Caller): "support" | "privacy_officer" | undefined {
  return caller.kind === "staff" ? caller.role : undefined;
}

/** The person the request is for: its requester, or the owner of the account it is about. */
function requireRequesterOrOwnerRelation(relation: Relation, allowStaff: boolean): Relation {
  if (relation === "requester" || relation === "tenant_owner" || (allowStaff && relation === "staff"))
    return relation;
  throw forbidden(
    relation === "staff"
      ? "Staff cannot act for the requester here."
      : "Only the requester or the account owner can do this.",
  );
}

/**
 * Reads a request for `caller`, with its relation. A public caller without a token is refused before
 * the lookup, so the answer (401) is the same whether or not the id exists.
 */
export async function readRequestAs(
  app: AppContext,
  caller: Caller,
  id: string,
): Promise<{ doc: RequestDoc; relation: Relation; etag: string }> {
  if (caller.kind === "public" && !caller.requestToken) throw noCredential();
  const found = await app.stores.requests.find(id);
  if (!found) throw notFound("No such request.");
  return { doc: found.doc, relation: relationTo(app, caller, found.doc), etag: found.etag };
}

/** {@link readRequestAs} for what only the requester or the owner (and, if allowed, staff) may do. */
export async function readForRequesterOrOwner(
  app: AppContext,
  caller: Caller,
  id: string,
  allowStaff = false,
): Promise<{ doc: RequestDoc; relation: Relation; etag: string }> {
  const { doc, relation, etag } = await readRequestAs(app, caller, id);
  return { doc, relation: requireRequesterOrOwnerRelation(relation, allowStaff), etag };
}
