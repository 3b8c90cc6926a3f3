import type { RateLimitState } from "../app/rate-limit";

export type { RateLimitState };

/**
 * RateLimit and RateLimit-Policy as draft-ietf-httpapi-ratelimit-headers-11 (May 2026) writes them:
 * Structured Field lists (RFC 9651) of a quoted policy name with parameters, `q` the quota, `w` the
 * window in seconds, `r` what remains and `t` the seconds until the window resets. Nothing in them
 * names the caller: the policy is the same for everyone under it.
 */
export function rateLimitHeaders(s: RateLimitState): Record<string, string> {
  return {
    "ratelimit-policy": `${policyName(s.policy)};q=${s.quota};w=${s.windowSeconds}`,
    ...remainingHeader(s.policy, s.remaining, s.resetSeconds),
  };
}

/**
 * RateLimit alone, for a limit whose quota is not a window's (a lock): what remains and when it resets are
 * known, the quota is not, so there is no RateLimit-Policy to send.
 */
export const remainingHeader = (policy: string, remaining: number, resetSeconds: number) => ({
  ratelimit: `${policyName(policy)};r=${remaining};t=${resetSeconds}`,
});

const policyName = (policy: string) => JSON.stringify(policy.replace(/[^A-Za-z0-9_.-]/g, "_"));
