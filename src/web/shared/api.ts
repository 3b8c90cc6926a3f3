/** The service's HTTP API, as the pages use it: the same public routes any client has (docs/openapi.json). */

export interface FieldProblem {
  field: string;
  message: string;
}

/** An RFC 9457 problem, as the API answers it; `errors` names each offending field. */
export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  errors?: FieldProblem[];
  retryAfterSeconds?: number;
}

export type ApiResult<T> =
  { ok: true; status: number; body: T; headers: Headers } | { ok: false; problem: Problem };

export interface CallOptions {
  body?: unknown;
  bearer?: string;
  requestToken?: string;
  idempotencyKey?: string;
}

/** Where the API is: written into the page at build time (`<meta name="api-base">`), `/api` locally. */
export function apiBase(): string {
  const meta = document.querySelector<HTMLMetaElement>('meta[name="api-base"]');
  return (meta?.content || "/api").replace(/\/+$/, "");
}

export async function call<T>(
  method: "GET" | "POST",
  path: string,
  options: CallOptions = {},
): Promise<ApiResult<T>> {
  const headers: Record<string, string> = { accept: "application/json, application/problem+json" };
  if (options.body !== undefined) headers["content-type"] = "application/json";
  if (options.bearer) headers.authorization = `Bearer ${options.bearer}`;
  if (options.requestToken) headers["x-request-token"] = options.requestToken;
  if (options.idempotencyKey) headers["idempotency-key"] = options.idempotencyKey;
  let res: Response;
  try {
    res = await fetch(`${apiBase()}/${path.replace(/^\/+/, "")}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: "omit",
      cache: "no-store",
      referrerPolicy: "no-referrer",
    });
  } catch {
    return { ok: false, problem: { status: 0 } };
  }
  const text = await res.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (res.ok) return { ok: true, status: res.status, body: parsed as T, headers: res.headers };
  const p = (parsed && typeof parsed === "object" ? parsed : {}) as Partial<Problem>;
  return {
    ok: false,
    problem: {
      status: res.status,
      title: typeof p.title === "string" ? p.title : undefined,
      detail: typeof p.detail === "string" ? p.detail : undefined,
      errors: Array.isArray(p.errors) ? p.errors.filter(isFieldProblem) : undefined,
      retryAfterSeconds: Number(res.headers.get("retry-after")) || undefined,
    },
  };
}

function isFieldProblem(v: unknown): v is FieldProblem {
  return (
    typeof v === "object" &&
    v !== null &&
    typeof (v as FieldProblem).field === "string" &&
    typeof (v as FieldProblem).message === "string"
  );
}

/** A key per user action, so a retried click never files twice (the API's Idempotency-Key). */
export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}
