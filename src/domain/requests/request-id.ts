import { randomUUID } from "node:crypto";

/**
 * A request id carries the request's partition (its subject: `tenant:…`, `wa:…`, `contact:…`), so any
 * request is read with one point read (1 RU in Cosmos) instead of a query across every partition:
 * `r-<uuid>.<t|w|c>.<tenant id or keyed hash>` (any other partition as `x.<base64url>`). The partition is a
 * tenant id or a keyed hash, never a number or an address in clear; the id is opaque to callers and is
 * not a credential.
 */
export const REQUEST_ID_PATTERN =
  /^r-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.[twcx]\.[A-Za-z0-9_-]{1,300}$/;

const CODES = { tenant: "t", wa: "w", contact: "c" } as const;
const KINDS: Record<string, string> = { t: "tenant", w: "wa", c: "contact" };

function encodePartition(pk: string): string {
  const m = /^(tenant|wa|contact):([A-Za-z0-9_-]+)$/.exec(pk);
  if (m) return `${CODES[m[1] as keyof typeof CODES]}.${m[2]}`;
  return `x.${Buffer.from(pk, "utf8").toString("base64url")}`;
}

export function newRequestId(partitionKey: string): string {
  return `r-${randomUUID()}.${encodePartition(partitionKey)}`;
}

/** The partition a request id names, or undefined for anything that is not a request id. */
export function partitionOfRequestId(id: string): string | undefined {
  if (!REQUEST_ID_PATTERN.test(id)) return undefined;
  const tail = id.slice(id.indexOf(".") + 1);
  const code = tail[0]!;
  const value = tail.slice(2);
  const pk = code === "x" ? Buffer.from(value, "base64url").toString("utf8") : `${KINDS[code]}:${value}`;
  // Round trip: a tampered tail that decodes loosely is not an id we made.
  return encodePartition(pk) === tail ? pk : undefined;
}
