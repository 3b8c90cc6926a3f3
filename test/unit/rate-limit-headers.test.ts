import { describe, expect, it } from "vitest";
import { DomainError } from "../../src/domain/errors";
import { problemFromDomain } from "../../src/http/problem";

/** RateLimit and RateLimit-Policy (draft-ietf-httpapi-ratelimit-headers-11) on the 429 a use case raises. */
describe("a 429's rate-limit headers", () => {
  it("a quota window: the policy with its quota and window, and what remains with when it resets", () => {
    const res = problemFromDomain(
      new DomainError("rate_limited", "Too many requests from your address.", [], {
        retryAfterSeconds: 1200,
        rateLimit: { policy: "client", quota: 20, windowSeconds: 3600, remaining: 0, resetSeconds: 1200 },
      }),
    );
    expect(res.headers).toMatchObject({
      "retry-after": "1200",
      "ratelimit-policy": '"client";q=20;w=3600',
      ratelimit: '"client";r=0;t=1200',
    });
  });

  it("a lock (no quota window): nothing remains until it resets, and no policy is claimed", () => {
    const res = problemFromDomain(
      new DomainError("rate_limited", "Too many wrong codes.", [], { retryAfterSeconds: 900 }),
    );
    expect(res.headers).toMatchObject({ "retry-after": "900", ratelimit: '"default";r=0;t=900' });
    expect(res.headers).not.toHaveProperty("ratelimit-policy");
    expect(JSON.parse(String(res.body)).retryAfterSeconds).toBe(900);
  });
});
