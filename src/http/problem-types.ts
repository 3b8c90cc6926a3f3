/**
 * The catalogue of RFC 9457 problem types this API answers with. Each `type` URI is absolute, under the
 * service's own public address (`PUBLIC_BASE_URL`) + `/api/problems/<slug>`, and resolves to a page that
 * says what the problem means and what to do (src/http/routes/problems.ts). RFC 9457 §3.1.1: a `type`
 * should be an absolute URI a person can dereference for documentation.
 */
export interface ProblemType {
  slug: string;
  title: string;
  status: number;
  /** What it means and what to do, in plain words: the page's text. */
  description: string;
}

export const problemTypes = [
  {
    slug: "bad-request",
    title: "Bad request",
    status: 400,
    description:
      "The request is malformed or a field is invalid. `errors` names each offending field (body.…, query.…, path.… or header.…) with what it must be; correct those fields and send it again. Nothing was stored.",
  },
  {
    slug: "unauthenticated",
    title: "Unauthenticated",
    status: 401,
    description:
      "This endpoint needs a valid bearer token, or the token sent is expired or not one this service accepts. Sign in again and send `Authorization: Bearer <token>`.",
  },
  {
    slug: "forbidden",
    title: "Forbidden",
    status: 403,
    description:
      "You are signed in, but your role or your relation to this resource does not allow this action. Ask someone with the right role (an account owner, or privacy staff).",
  },
  {
    slug: "not-found",
    title: "Not found",
    status: 404,
    description:
      "There is no such endpoint, or no such resource that you may see. For requests, a request that is not yours answers the same as one that does not exist.",
  },
  {
    slug: "method-not-allowed",
    title: "Method not allowed",
    status: 405,
    description: "The path exists but not with this method. The `Allow` header lists the methods it takes.",
  },
  {
    slug: "conflict",
    title: "Conflict",
    status: 409,
    description:
      "The resource is not in a state that allows this action (for example a request already closed), or another request with the same Idempotency-Key is still being processed. Read the resource again, or retry the same request a little later.",
  },
  {
    slug: "gone",
    title: "Gone",
    status: 410,
    description:
      "What you asked for existed but no longer does: an expired link or code, or data already erased. Ask for a new one where the API offers it.",
  },
  {
    slug: "payload-too-large",
    title: "Payload too large",
    status: 413,
    description: "The body is larger than this service accepts. Send a smaller body.",
  },
  {
    slug: "unsupported-media-type",
    title: "Unsupported media type",
    status: 415,
    description: "Bodies must be JSON: send `Content-Type: application/json`.",
  },
  {
    slug: "unprocessable-content",
    title: "Unprocessable content",
    status: 422,
    description: "The request is well-formed, but this resource cannot take it as it is.",
  },
  {
    slug: "idempotency-key-reused",
    title: "Idempotency-Key reused",
    status: 422,
    description:
      "This Idempotency-Key was already used with a different body. A retry must send exactly the same body with the same key; a new request needs a new key.",
  },
  {
    slug: "too-many-requests",
    title: "Too many requests",
    status: 429,
    description:
      "You have reached a limit (requests from your address, codes sent to one address, wrong codes). Wait the number of seconds in `Retry-After` before trying again; `RateLimit` and `RateLimit-Policy` say which limit and when it resets.",
  },
  {
    slug: "internal-server-error",
    title: "Internal server error",
    status: 500,
    description:
      "Something went wrong on our side and nothing you sent is at fault. Retry later; if it persists, contact support quoting the `correlationId`.",
  },
  {
    slug: "service-unavailable",
    title: "Service unavailable",
    status: 503,
    description:
      "The service, or a store it depends on, cannot answer right now. Retry after the number of seconds in `Retry-After`, if given.",
  },
] as const satisfies readonly ProblemType[];

export type ProblemSlug = (typeof problemTypes)[number]["slug"];

const bySlug = new Map<string, ProblemType>(problemTypes.map((t) => [t.slug, t]));

/** The general type of each status: the first catalogue entry with it. */
const byStatus = new Map<number, ProblemType>();
for (const t of problemTypes) if (!byStatus.has(t.status)) byStatus.set(t.status, t);

export const problemTypeBySlug = (slug: string): ProblemType | undefined => bySlug.get(slug);

export const problemTypeOf = (status: number, slug?: ProblemSlug): ProblemType =>
  (slug ? bySlug.get(slug) : undefined) ?? byStatus.get(status) ?? byStatus.get(500)!;

/** The path of a type's page, under the API prefix. */
export const problemTypePath = (slug: string) => `/api/problems/${slug}`;
