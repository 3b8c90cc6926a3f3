import { AsyncLocalStorage } from "node:async_hooks";
import { DomainError } from "../domain/errors";
import type { AppContext } from "./context";
import { AlreadyExistsError, PreconditionFailedError } from "../ports/document-store";

/** Where a caller stands against one limit: what the HTTP layer advertises as RateLimit/RateLimit-Policy. */
export interface RateLimitState {
  /** The policy's name, the same for every caller under it (never a key or an address). */
  policy: string;
  quota: number;
  windowSeconds: number;
  remaining: number;
  resetSeconds: number;
}

/**
 * The limits one unit of work consumed, for whoever runs it to report (the HTTP layer's headers). A
 * store for the call rather than a return value: the limit is consumed deep in a use case, whose result
 * is about the request, and threading quota state through every use case would couple them to HTTP.
 */
const observed = new AsyncLocalStorage<RateLimitState[]>();

export async function observeRateLimits<T>(
  work: () => Promise<T>,
): Promise<{ result: T; limits: RateLimitState[] }> {
  const limits: RateLimitState[] = [];
  const result = await observed.run(limits, work);
  return { result, limits };
}

/**
 * Fixed-window counters in Cosmos (`ratelimits`), so a limit holds across every instance of the
 * Function App. Keys are hashes, never a number or an address in clear; the policy is the key's prefix
 * (`client:<hash>` → `client`). Returns the caller's state after this call; a caller over the limit gets
 * a rate_limited DomainError carrying it (`extra.rateLimit`).
 */
export async function consumeRateLimit(
  app: Pick<AppContext, "ports" | "stores">,
  key: string,
  limit: number,
  windowMs: number,
  what: string,
): Promise<RateLimitState> {
  const coll = app.stores.rateLimits;
  const now = app.ports.clock.now().getTime();
  const windowStart = Math.floor(now / windowMs) * windowMs;
  const id = `${windowStart}`;
  const retryAfterSeconds = Math.ceil((windowStart + windowMs - now) / 1000);
  const state = (remaining: number): RateLimitState => ({
    policy: key.split(":")[0] || "default",
    quota: limit,
    windowSeconds: Math.ceil(windowMs / 1000),
    remaining,
    resetSeconds: retryAfterSeconds,
  });
  for (let attempt = 1; attempt <= 8; attempt++) {
    const current = await coll.read(id, key);
    if (current && current.doc.count >= limit) {
      throw new DomainError(
        "rate_limited",
        `Too many ${what}; try again in ${Math.ceil(retryAfterSeconds / 60)} minutes.`,
        [],
        { retryAfterSeconds, rateLimit: state(0) },
      );
    }
    try {
      const count = (current?.doc.count ?? 0) + 1;
      if (current) await coll.replace({ ...current.doc, count }, current.etag);
      else await coll.create({ id, pk: key, count: 1, ttl: Math.ceil((2 * windowMs) / 1000) });
      const after = state(Math.max(0, limit - count));
      observed.getStore()?.push(after);
      return after;
    } catch (e) {
      if (!(e instanceof PreconditionFailedError) && !(e instanceof AlreadyExistsError)) throw e;
    }
  }
  throw new DomainError("rate_limited", `Too many ${what} at once; try again shortly.`, [], {
    retryAfterSeconds: 5,
  });
}
