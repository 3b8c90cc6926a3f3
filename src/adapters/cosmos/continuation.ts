import { createHash } from "node:crypto";
import { InvalidContinuationTokenError } from "../../ports/document-store";

/**
 * The continuation tokens the adapter gives out: Cosmos' own token, bound to the query it continues,
 * as `c1.<query key>.<Cosmos token, base64url>`.
 *
 * Why not Cosmos' token as is: callers hand tokens back through a query string, and Cosmos' tokens are
 * JSON that the SDK parses itself (cross-partition ORDER BY) or the service refuses with a 400, so a
 * made-up one surfaced as a 500. Wrapped, a token we did not give out, or one from another query, is
 * refused before Cosmos sees it. It is neither a secret nor a signature: a caller who rewrites the inner
 * token only reaches Cosmos' own checks, whose refusal the adapter maps to the same error. Tenant
 * isolation never rests on the token: the partition key is in every scoped query's WHERE clause.
 */
const TOKEN = /^c1\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]+)$/;

/**
 * What identifies a query for its tokens: its text and partition. Not its parameter values (an
 * "overdue" cut-off is the clock, which moves between pages) and not its page size (a caller may
 * change it between pages, which Cosmos allows).
 */
export function queryKey(queryText: string, partitionKey: string | undefined): string {
  return createHash("sha256")
    .update(JSON.stringify([queryText, partitionKey ?? null]))
    .digest("base64url")
    .slice(0, 16);
}

export function wrapToken(cosmosToken: string, key: string): string {
  return `c1.${key}.${Buffer.from(cosmosToken, "utf8").toString("base64url")}`;
}

/** Cosmos' token inside `token`, or {@link InvalidContinuationTokenError} if it is not one for this query. */
export function unwrapToken(token: string, key: string): string {
  const m = TOKEN.exec(token);
  if (!m || m[1] !== key || !m[2]) throw new InvalidContinuationTokenError();
  const inner = Buffer.from(m[2], "base64url").toString("utf8");
  // Only the canonical encoding of valid UTF-8 round-trips: anything else wrapToken never wrote.
  if (inner === "" || Buffer.from(inner, "utf8").toString("base64url") !== m[2])
    throw new InvalidContinuationTokenError();
  return inner;
}
