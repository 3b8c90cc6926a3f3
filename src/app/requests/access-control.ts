import { constantTimeEqual, sha256 } from "../../domain/crypto";
import { DomainError, forbidden, notFound } from "../../domain/errors";
import type { RequestDoc } from "../../domain/requests/model";
import type { Caller } from "../caller";

export type Relation = "staff" | "tenant_owner" | "tenant_member" | "requester";

/**
 * How the caller stands to a request, or 404: a caller with no standing learns nothing, not even that
 * the request exists (tenant isolation).
 */
export function relationTo(caller: Caller, doc: RequestDoc): Relation {
  if (caller.kind === "staff") return "staff";
  if (caller.kind === "dashboard") {
    if (doc.tenantId !== undefined && doc.tenantId === caller.tenantId)
      return caller.role === "owner" ? "tenant_owner" : "tenant_member";
    throw notFound("No such request.");
  }
  if (!caller.requestToken) {
    throw new DomainError("unauthenticated", "Send your request token (X-Request-Token) or a bearer token.");
  }
  const presented = sha256(caller.requestToken);
  if (doc.tokenHashes.some((h) => constantTimeEqual(h, presented))) return "requester";
  throw notFound("No such request.");
}

/** The person the request is for: its requester, or the owner of the account it is about. */
export function requireRequesterOrOwner(caller: Caller, doc: RequestDoc, allowStaff = false): Relation {
  const relation = relationTo(caller, doc);
  if (relation === "requester" || relation === "tenant_owner" || (allowStaff && relation === "staff"))
    return relation;
  throw forbidden(
    relation === "staff"
      ? "Staff cannot act for the requester here."
      : "Only the requester or the account owner can do this.",
  );
}
