import { DomainError, type FieldError } from "../domain/errors";
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

const TITLES: Record<number, string> = {
  400: "Bad request",
  401: "Unauthenticated",
  403: "Forbidden",
  404: "Not found",
  405: "Method not allowed",
  409: "Conflict",
  410: "Gone",
  413: "Payload too large",
  415: "Unsupported media type",
  422: "Unprocessable content",
  429: "Too many requests",
  500: "Internal server error",
  503: "Service unavailable",
};

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

export function problem(
  status: number,
  detail?: string,
  extra: Partial<Problem> = {},
  headers: Record<string, string> = {},
): ApiResponse {
  const title = TITLES[status] ?? "Error";
  const body: Problem = {
    type: `https://dpdp-rights.callmissed.com/problems/${title.toLowerCase().replace(/ /g, "-")}`,
    title,
    status,
    ...(detail ? { detail } : {}),
    ...extra,
  };
  return {
    status,
    headers: { "content-type": "application/problem+json", ...headers },
    body: JSON.stringify(body),
  };
}

export function problemFromDomain(e: DomainError): ApiResponse {
  const status = STATUS[e.kind];
  const headers: Record<string, string> = {};
  if (status === 401) headers["www-authenticate"] = 'Bearer realm="dpdp-rights"';
  if (typeof e.extra.retryAfterSeconds === "number")
    headers["retry-after"] = String(e.extra.retryAfterSeconds);
  return problem(
    status,
    e.message,
    { ...e.extra, ...(e.fieldErrors.length ? { errors: e.fieldErrors } : {}) },
    headers,
  );
}
