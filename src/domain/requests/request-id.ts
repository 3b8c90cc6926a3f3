import { randomUUID } from "node:crypto";

/**
 * A request id carries the request's partition (its subject: `tenant:…`, `wa:…`, `contact:…`), so any
 * request is read with one point read (1 RU in Cosmos) instead of a query across every partition:
 * `r-<uuid>.<partition, base64url>`. The partition is a tenant id or a keyed hash, never a number or an
 * address in clear; the id is opaque to callers and is not a credential.
 */
export const REQUEST_ID_PATTERN =
  /^r-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.[A-Za-z0-9_-]{4,300}$/;

export function newRequestId(partitionKey: string): string {
  return `r-${randomUUID()}.${Buffer.from(partitionKey, "utf8").toString("base64url")}`;
}

/** The partition a request id names, or undefined for anything that is not a request id. */
export function partitionOfRequestId(id: string): string | undefined {
  if (!REQUEST_ID_PATTERN.test(id)) return undefined;
  const pk = Buffer.from(id.slice(id.indexOf(".") + 1), "base64url").toString("utf8");
  // Round trip: a tampered tail that decodes loosely is not an id we made.
  return Buffer.from(pk, "utf8").toString("base64url") === id.slice(id.indexOf(".") + 1) ? pk : undefined;
}
