import Ajv2020, { type ErrorObject, type ValidateFunction } from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { appendFileSync } from "node:fs";
import { openApiDocument } from "../../src/http/openapi";
import { problemTypeBySlug } from "../../src/http/problem-types";
import { allRoutes } from "../../src/http/routes";

/**
 * The published contract, checked against every answer the end-to-end suite receives: the operation
 * exists, the status is documented for it (500 alone may come from `default`), the media type is one
 * documented for that status, a JSON body is valid against its schema (Ajv, JSON Schema 2020-12, as
 * OpenAPI 3.1 uses), the required headers are there, every problem's `type` is in the catalogue
 * (src/http/problem-types.ts), and an answer to a request with credentials is `no-store`.
 *
 * The document is the local host's (with the dev routes), built from the same routes it serves.
 * host.call checks every answer (test/support/host.ts); `checkedFetch` is for tests that call the host
 * with fetch. Left unchecked, on purpose:
 * - CORS preflights (OPTIONS): answered by the host's CORS layer, outside the OpenAPI operations;
 * - answers outside /api (test/e2e/http-contract.test.ts, the favicon): no operation of the API;
 * - export downloads (test/e2e/export.test.ts, foreign-links.test.ts): a Blob Storage SAS URL, not the API;
 * - raw bytes over node:http (test/e2e/hostile-edge.test.ts): malformed on purpose, the answer's shape
 *   is what those tests assert.
 */

type Json = Record<string, unknown>;
const DOC_ID = "https://contract.test/openapi.json";

const doc = openApiDocument(allRoutes(true)) as {
  paths: Record<string, Record<string, { operationId: string; responses: Record<string, Json> }>>;
  components: { responses: Record<string, Json>; headers: Record<string, Json> };
};

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
ajv.addSchema(doc as unknown as Json, DOC_ID);

const pointer = (...parts: string[]) =>
  parts.map((p) => p.replace(/~/g, "~0").replace(/\//g, "~1")).join("/");
const validators = new Map<string, ValidateFunction>();
function validatorAt(ptr: string): ValidateFunction {
  let v = validators.get(ptr);
  if (!v) {
    v = ajv.compile({ $ref: `${DOC_ID}#/${ptr}` });
    validators.set(ptr, v);
  }
  return v;
}

/** A path template as a pattern; literal paths win over templated ones (`/health/live` over `/{x}/live`). */
const templates = Object.keys(doc.paths)
  .map((t) => ({
    template: t,
    params: (t.match(/\{/g) ?? []).length,
    re: new RegExp(`^${t.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{[^}]+\}/g, "[^/]+")}$`),
  }))
  .sort((a, b) => a.params - b.params);

const resolveRef = (obj: Json): { value: Json; ptr?: string } => {
  const ref = obj.$ref;
  if (typeof ref !== "string") return { value: obj };
  const parts = ref.replace(/^#\//, "").split("/");
  let value: unknown = doc;
  for (const p of parts) value = (value as Json)[p.replace(/~1/g, "/").replace(/~0/g, "~")];
  return { value: value as Json, ptr: ref.replace(/^#\//, "") };
};

const mediaType = (contentType: string | null) => (contentType ?? "").split(";")[0]!.trim().toLowerCase();

export class ContractError extends Error {}

/**
 * CONTRACT_REPORT=<file>: append each breach to the file instead of throwing, so one run of the suite
 * lists them all (for fixing the document in one pass); unset, a breach fails its test.
 */
const report = process.env.CONTRACT_REPORT;

export interface AnswerRequest {
  /** The request sent credentials (Authorization): its answer must not be stored. */
  authenticated?: boolean;
}

class ReportedBreach extends Error {}

export function checkAnswer(
  method: string,
  url: string,
  status: number,
  headers: Headers,
  bodyText: string,
  request: AnswerRequest = {},
): void {
  try {
    checkOne(method, url, status, headers, bodyText, request);
  } catch (e) {
    if (!(e instanceof ReportedBreach)) throw e;
  }
}

function checkOne(
  method: string,
  url: string,
  status: number,
  headers: Headers,
  bodyText: string,
  request: AnswerRequest,
): void {
  const m = method.toUpperCase();
  const { pathname } = new URL(url, "http://host.invalid");
  if (m === "OPTIONS" || !pathname.startsWith("/api")) return;
  const fail = (what: string, errors?: ErrorObject[] | null): never => {
    const message = `Contract: ${m} ${pathname} → ${status}: ${what}${errors?.length ? ` ${ajv.errorsText(errors)}` : ""}`;
    if (report) {
      appendFileSync(report, `${message}\n`);
      throw new ReportedBreach();
    }
    throw new ContractError(
      `Contract: ${m} ${pathname} → ${status}: ${what}${errors?.length ? `\n${ajv.errorsText(errors, { separator: "\n" })}` : ""}\n${bodyText.slice(0, 500)}`,
    );
  };
  const lower = m.toLowerCase();
  const matched = templates.find((t) => t.re.test(pathname) && doc.paths[t.template]![lower]);
  let responsePtr: string;
  let response: Json;
  if (matched) {
    const op = doc.paths[matched.template]![lower]!;
    const byStatus = op.responses[String(status)];
    const chosen = byStatus ?? (status === 500 ? op.responses.default : undefined);
    if (!chosen)
      fail(`status not documented for ${op.operationId} (${Object.keys(op.responses).join(", ")})`);
    const resolved = resolveRef(chosen!);
    response = resolved.value;
    responsePtr =
      resolved.ptr ??
      pointer("paths", matched.template, lower, "responses", byStatus ? String(status) : "default");
  } else {
    // No operation: only the host's catch-all answers, 404 for an unknown path, 405 for a known path
    // with another method, as the shared problem responses describe.
    if (status !== 404 && status !== 405) fail("no operation for this method and path");
    responsePtr = pointer("components", "responses", status === 404 ? "NotFound" : "MethodNotAllowed");
    response = resolveRef({ $ref: `#/${responsePtr}` }).value;
  }

  const content = (response.content ?? {}) as Record<string, Json>;
  const type = mediaType(headers.get("content-type"));
  const documented = Object.keys(content);
  if (documented.length === 0) {
    if (bodyText !== "") fail("a body where none is documented");
  } else {
    const key = documented.find((d) => mediaType(d) === type);
    if (!key) fail(`content-type "${type}" is not one documented (${documented.join(", ")})`);
    if (/json$/.test(type)) {
      let body: unknown;
      try {
        body = JSON.parse(bodyText);
      } catch {
        fail("a JSON media type with a body that is not JSON");
      }
      const validate = validatorAt(`${responsePtr}/${pointer("content", key!, "schema")}`);
      if (!validate(body)) fail(`the body breaks the schema`, validate.errors);
      if (type === "application/problem+json") checkProblem(body as Json, status, fail);
    }
  }

  for (const [name, h] of Object.entries((response.headers ?? {}) as Record<string, Json>)) {
    const header = resolveRef(h).value;
    if (header.required === true && !headers.has(name)) fail(`the required header ${name} is missing`);
  }
  // draft-ietf-httpapi-ratelimit-headers: a refusal for a limit says where the caller stands.
  if (status === 429 && !headers.has("ratelimit")) fail("a 429 without RateLimit");
  if (request.authenticated && !/\bno-store\b/.test(headers.get("cache-control") ?? ""))
    fail(`an answer to an authenticated request without Cache-Control: no-store`);
}

function checkProblem(body: Json, status: number, fail: (what: string) => never): void {
  if (body.status !== status) fail(`the problem's status ${String(body.status)} is not the answer's`);
  const m = /\/api\/problems\/([a-z0-9-]+)$/.exec(String(body.type));
  const known = m?.[1] ? problemTypeBySlug(m[1]) : undefined;
  if (!known) fail(`problem type ${String(body.type)} is not in the catalogue`);
  if (known!.status !== status) fail(`problem type ${known!.slug} is for ${known!.status}`);
  if (body.title !== known!.title) fail(`problem title "${String(body.title)}" is not the type's`);
}

/** fetch against the host, with the answer checked against the contract. */
export async function checkedFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(url, init);
  const text = await res.clone().text();
  const authorization = new Headers(init.headers).has("authorization");
  checkAnswer(init.method ?? "GET", url, res.status, res.headers, text, { authenticated: authorization });
  return res;
}
