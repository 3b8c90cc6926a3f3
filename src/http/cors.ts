import type { ApiResponse } from "./types";

/**
 * CORS for the dashboard, the one implementation both hosts use (the local host, and in Azure every HTTP
 * function: a preflight reaches the catch-all, the only function that lists OPTIONS). The platform's own
 * CORS is off (infra/modules/functionapp.bicep): it would answer preflights itself and it cannot expose
 * response headers. Fetch standard, "CORS protocol": https://fetch.spec.whatwg.org/#http-cors-protocol.
 *
 * Exactly the configured origins, never "*". No credentials: the dashboard sends a bearer token in the
 * Authorization header, never a cookie, so `Access-Control-Allow-Credentials` is not needed.
 */

/** The methods the routes use (test/unit/cors.test.ts checks every route's method is here). */
export const CORS_METHODS = ["GET", "POST"] as const;

/**
 * Request headers the routes read and a browser may not send cross-origin without a preflight, plus the
 * W3C trace context a traced dashboard sends.
 */
export const CORS_REQUEST_HEADERS = [
  "authorization",
  "content-type",
  "idempotency-key",
  "x-request-token",
  "traceparent",
  "tracestate",
] as const;

/**
 * Response headers the dashboard reads beyond the CORS-safelisted ones: a created resource's Location,
 * when to retry and the rate-limit state, whether an idempotent POST was replayed, the correlation id.
 */
export const CORS_EXPOSED_HEADERS = [
  "location",
  "retry-after",
  "idempotent-replayed",
  "x-correlation-id",
  "ratelimit",
  "ratelimit-policy",
] as const;

/** How long a browser may reuse a preflight answer (Chromium caps it at 7200 s, Firefox at 86400 s). */
export const CORS_MAX_AGE_SECONDS = 600;

export interface CorsPolicy {
  /** Is this `Origin` one of the dashboard's? Exact match: scheme, host and port. */
  allows(origin: string | null | undefined): origin is string;
}

export function corsPolicy(origins: readonly string[]): CorsPolicy {
  const listed = new Set(origins.filter((o) => o !== "*"));
  return { allows: (origin): origin is string => !!origin && listed.has(origin) };
}

/** Adds `Origin` to the answer's Vary list (once): a cache must not give one origin's answer to another. */
function varyOnOrigin(headers: Record<string, string>): Record<string, string> {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === "vary");
  const current = key ? headers[key]! : "";
  const names = current
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const rest = Object.fromEntries(Object.entries(headers).filter(([k]) => k !== key));
  if (names.some((n) => n === "*" || n.toLowerCase() === "origin")) return { ...rest, vary: current };
  return { ...rest, vary: [...names, "Origin"].join(", ") };
}

/**
 * An actual (non-preflight) answer as the browser should see it: for a listed origin, that origin and
 * the exposed headers; for any other, no CORS header at all (the browser then refuses to hand the answer
 * to the page). `Vary: Origin` either way, since the answer depends on it.
 */
export function withCors(
  res: ApiResponse,
  policy: CorsPolicy,
  origin: string | null | undefined,
): ApiResponse {
  const headers = varyOnOrigin(res.headers ?? {});
  if (policy.allows(origin)) {
    headers["access-control-allow-origin"] = origin;
    headers["access-control-expose-headers"] = CORS_EXPOSED_HEADERS.join(", ");
  }
  return { ...res, headers };
}

interface RequestLike {
  method: string;
  headers: { get(name: string): string | null };
}

/**
 * The answer to a CORS preflight (OPTIONS with `Origin` and `Access-Control-Request-Method`), or
 * undefined when the request is not one. A listed origin gets the methods, request headers and max-age;
 * any other origin a bare 204, which the browser reads as a refusal.
 */
export function preflight(policy: CorsPolicy, req: RequestLike): ApiResponse | undefined {
  if (req.method.toUpperCase() !== "OPTIONS") return undefined;
  const origin = req.headers.get("origin");
  if (!origin || !req.headers.get("access-control-request-method")) return undefined;
  if (!policy.allows(origin)) return { status: 204, headers: varyOnOrigin({}) };
  return {
    status: 204,
    headers: varyOnOrigin({
      "access-control-allow-origin": origin,
      "access-control-allow-methods": CORS_METHODS.join(", "),
      "access-control-allow-headers": CORS_REQUEST_HEADERS.join(", "),
      "access-control-max-age": String(CORS_MAX_AGE_SECONDS),
    }),
  };
}
