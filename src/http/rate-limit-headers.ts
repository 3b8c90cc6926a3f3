import type { RateLimitState } from "../app/rate-limit";

export type { RateLimitState };

/**
 * RateLimit and RateLimit-Policy as draft-ietf-httpapi-ratelimit-headers-11 (May 2026) writes them:
 * Structured Field lists (RFC 9651) of a quoted policy name with parameters, `q` the quota, `w` the
 * window in seconds, `r` what remains and `t` the seconds until the window resets. Nothing in them
 * names the caller: the policy is the same for everyone under it.
 */
export function rateLimitHeaders(s: RateLimitState): Record<string, string> {
  const name = JSON.stringify(s.policy.replace(/[^A-Za-z0-9_.-]/g, "_"));
  return {
    "ratelimit-policy": `${name};q=${s.quota};w=${s.windowSeconds}`,
    ratelimit: `${name};r=${s.remaining};t=${s.resetSeconds}`,
  };
}
