import { problemTypes } from "../problem-types";

/**
 * The shared parts of the document: header parameters the routes read, the headers answers carry, and
 * the problem answers (RFC 9457) by status. Referenced by name from each operation.
 */

const string = (extra: Record<string, unknown> = {}) => ({ type: "string", ...extra });

export const parameters = {
  IdempotencyKey: {
    name: "Idempotency-Key",
    in: "header",
    required: false,
    description:
      "Makes a creating POST safe to retry (draft-ietf-httpapi-idempotency-key-header): a retry with the same key and body gets the first answer (with Idempotent-Replayed: true); the same key with another body is a 422; a retry while the first call still runs is a 409 with Retry-After; a malformed key is a 400.",
    schema: string({ minLength: 1, maxLength: 255, pattern: "^[\\x21-\\x7e]{1,255}$" }),
  },
  RequestToken: {
    name: "X-Request-Token",
    in: "header",
    required: false,
    description:
      "The requestToken a public request was given when it was made: lets its requester read and act on it.",
    schema: string({ minLength: 1, maxLength: 200 }),
  },
  Traceparent: {
    name: "traceparent",
    in: "header",
    required: false,
    description: "W3C Trace Context: the answer's X-Correlation-Id is then this trace's id.",
    schema: string({ pattern: "^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$" }),
  },
  ContinuationToken: {
    name: "continuationToken",
    in: "query",
    required: false,
    description: "From the previous page's `continuationToken`, unchanged; absent for the first page.",
    schema: string({ minLength: 1, maxLength: 4096 }),
  },
} as const;

export const headers = {
  "X-Correlation-Id": {
    description: "Identifies this answer in our logs: quote it to support.",
    required: true,
    schema: string({ minLength: 1 }),
  },
  "Cache-Control": {
    description: "`no-store` unless the answer is public and cacheable.",
    required: true,
    schema: string(),
  },
  Location: { description: "The URL of the created or accepted resource.", required: true, schema: string() },
  "Retry-After": {
    description: "Seconds to wait before trying again.",
    required: true,
    schema: string({ pattern: "^[0-9]+$" }),
  },
  RateLimit: {
    description:
      'Where you stand against the limit (draft-ietf-httpapi-ratelimit-headers): `"<policy>";r=<remaining>;t=<seconds to reset>`.',
    required: false,
    schema: string(),
  },
  "RateLimit-Policy": {
    description:
      'The limit (draft-ietf-httpapi-ratelimit-headers): `"<policy>";q=<quota>;w=<window seconds>`.',
    required: false,
    schema: string(),
  },
  "Idempotent-Replayed": {
    description: "`true` when this is the stored answer to an earlier request with the same Idempotency-Key.",
    required: false,
    schema: string({ enum: ["true"] }),
  },
  "WWW-Authenticate": { description: "The authentication scheme: Bearer.", required: true, schema: string() },
  Allow: { description: "The methods this path takes.", required: true, schema: string() },
} as const;

export type HeaderName = keyof typeof headers;

const ref = (kind: "headers" | "parameters" | "responses" | "schemas", name: string) => ({
  $ref: `#/components/${kind}/${name}`,
});
export const headerRefs = (names: readonly HeaderName[]) =>
  Object.fromEntries(names.map((n) => [n, ref("headers", n)]));
export const parameterRef = (name: keyof typeof parameters) => ref("parameters", name);
export const schemaRef = (name: string) => ref("schemas", name);

/** Every problem status, its component name, and the headers beyond those every answer has. */
const PROBLEM_RESPONSES: Record<number, { name: string; headers?: readonly HeaderName[] }> = {
  400: { name: "BadRequest" },
  401: { name: "Unauthenticated", headers: ["WWW-Authenticate"] },
  403: { name: "Forbidden" },
  404: { name: "NotFound" },
  405: { name: "MethodNotAllowed", headers: ["Allow"] },
  409: { name: "Conflict" },
  410: { name: "Gone" },
  413: { name: "PayloadTooLarge" },
  415: { name: "UnsupportedMediaType" },
  422: { name: "UnprocessableContent" },
  429: { name: "TooManyRequests", headers: ["Retry-After", "RateLimit", "RateLimit-Policy"] },
  500: { name: "InternalServerError" },
  503: { name: "ServiceUnavailable" },
};

export const problemStatuses = Object.keys(PROBLEM_RESPONSES).map(Number);
export const problemResponseRef = (status: number) => {
  const entry = PROBLEM_RESPONSES[status];
  if (!entry) throw new Error(`No problem response for status ${status}`);
  return ref("responses", entry.name);
};

/** Headers every answer carries (src/http/route.ts guard and edgeHeaders). */
export const EVERY_ANSWER: readonly HeaderName[] = ["X-Correlation-Id", "Cache-Control"];

export function problemResponses(problemSchemaRef: object): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(PROBLEM_RESPONSES).map(([status, { name, headers: own = [] }]) => {
      const types = problemTypes.filter((t) => String(t.status) === status).map((t) => t.slug);
      return [
        name,
        {
          description: `${problemTypes.find((t) => String(t.status) === status)?.title ?? name}, as RFC 9457 problem details (type: ${types.join(" or ")})`,
          headers: headerRefs([...EVERY_ANSWER, ...own]),
          content: { "application/problem+json": { schema: problemSchemaRef } },
        },
      ];
    }),
  );
}
