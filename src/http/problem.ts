import { DomainError, type FieldError } from "../domain/errors";
import { type ProblemSlug, problemTypeBySlug, problemTypeOf, problemTypePath } from "./problem-types";
import { type RateLimitState, rateLimitHeaders, remainingHeader } from "./rate-limit-headers";
import type { ApiResponse } from "./types";

/** RFC 9457 problem details; `errors` names each offending field. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  correlationId?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

const STATUS: Record<DomainError["kind"], number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  unprocessable: 422,
  rate_limited: 429,
};

/**
 * The service's public address, under which every problem `type` resolves. One process serves one
 * address, and problems are written where no runtime is at hand (the hosts' 404/405), so it is set once
 * by the composition root from PUBLIC_BASE_URL rather than passed to every `problem()`.
 */
let publicBaseUrl = "http://localhost:7071";
export function setProblemTypeBase(baseUrl: string): void {
  publicBaseUrl = baseUrl.replace(/\/+$/, "");
}
export const problemTypeUri = (slug: string) => `${publicBaseUrl}${problemTypePath(slug)}`;

/** `extra.problemType` picks a specific catalogue entry (e.g. idempotency-key-reused); it is not sent. */
export function problem(
  status: number,
  detail?: string,
  extra: Partial<Problem> & { problemType?: ProblemSlug } = {},
  headers: Record<string, string> = {},
): ApiResponse {
  const { problemType, ...rest } = extra;
  const type = problemTypeOf(status, problemType);
  // The members RFC 9457 defines are written last: an extension never takes their place.
  const body: Problem = {
    ...rest,
    type: problemTypeUri(type.slug),
    title: type.title,
    status,
    ...(detail ? { detail } : {}),
  };
  return {
    status,
    headers: { "content-type": "application/problem+json", ...headers },
    body: JSON.stringify(body),
  };
}

const isRateLimitState = (v: unknown): v is RateLimitState =>
  typeof v === "object" && v !== null && typeof (v as RateLimitState).policy === "string";

export function problemFromDomain(e: DomainError): ApiResponse {
  const status = STATUS[e.kind];
  const headers: Record<string, string> = {};
  if (status === 401) headers["www-authenticate"] = 'Bearer realm="dpdp-rights"';
  // `status` is the problem's own member (RFC 9457 §3.1.2, the HTTP status): a use case's `status` (the
  // state a resource is in) travels as `resourceStatus`.
  // retryAfterSeconds stays in the body too, as it always was: clients read it there.
  const { rateLimit, problemType, status: resourceStatus, ...extra } = e.extra;
  const retryAfterSeconds = extra.retryAfterSeconds;
  if (resourceStatus !== undefined) extra.resourceStatus = resourceStatus;
  if (typeof retryAfterSeconds === "number") headers["retry-after"] = String(retryAfterSeconds);
  if (isRateLimitState(rateLimit)) Object.assign(headers, rateLimitHeaders(rateLimit));
  else if (status === 429 && typeof retryAfterSeconds === "number")
    // A limit kept as a lock or a per-record count (verification codes) rather than a quota window.
    Object.assign(headers, remainingHeader("default", 0, retryAfterSeconds));
  return problem(
    status,
    e.message,
    {
      ...extra,
      ...(typeof problemType === "string" && problemTypeBySlug(problemType)
        ? { problemType: problemType as ProblemSlug }
        : {}),
      ...(e.fieldErrors.length ? { errors: e.fieldErrors } : {}),
    },
    headers,
  );
}
