import { DomainError } from "../domain/errors";
import type { AppContext } from "./context";
import { AlreadyExistsError, PreconditionFailedError } from "../ports/document-store";

/**
 * Fixed-window counters in Cosmos (`ratelimits`), so a limit holds across every instance of the
 * Function App. Keys are hashes, never a number or an address in clear.
 */
export async function consumeRateLimit(
  app: Pick<AppContext, "ports" | "stores">,
  key: string,
  limit: number,
  windowMs: number,
  what: string,
): Promise<void> {
  const coll = app.stores.rateLimits;
  const now = app.ports.clock.now().getTime();
  const windowStart = Math.floor(now / windowMs) * windowMs;
  const id = `${windowStart}`;
  const retryAfterSeconds = Math.ceil((windowStart + windowMs - now) / 1000);
  for (let attempt = 1; attempt <= 8; attempt++) {
    const current = await coll.read(id, key);
    if (current && current.doc.count >= limit) {
      throw new DomainError(
        "rate_limited",
        `Too many ${what}; try again in ${Math.ceil(retryAfterSeconds / 60)} minutes.`,
        [],
        {
          retryAfterSeconds,
        },
      );
    }
    try {
      if (current) await coll.replace({ ...current.doc, count: current.doc.count + 1 }, current.etag);
      else await coll.create({ id, pk: key, count: 1, ttl: Math.ceil((2 * windowMs) / 1000) });
      return;
    } catch (e) {
      if (!(e instanceof PreconditionFailedError) && !(e instanceof AlreadyExistsError)) throw e;
    }
  }
  throw new DomainError("rate_limited", `Too many ${what} at once; try again shortly.`, [], {
    retryAfterSeconds: 5,
  });
}
