import { version as packageVersion } from "../../package.json";
import type { HttpRoute, ResponseSpec } from "./route";
import {
  EVERY_ANSWER,
  type HeaderName,
  headerRefs,
  headers,
  parameterRef,
  parameters,
  problemResponseRef,
  problemResponses,
} from "./openapi/components";
import { SchemaComponents } from "./openapi/schemas";
import { Problem } from "./schemas/problem";

type Json = Record<string, unknown>;

/** The package's version is the API's: one number to bump, read once when this module loads. */
export const API_VERSION: string = packageVersion;

const toOpenApiPath = (path: string) => `/api/${path}`.replace(/\{\*?([A-Za-z_][A-Za-z0-9_]*)\}/g, "{$1}");

/**
 * The problem statuses a route can give, from what it declares about itself: a bad token is a 401 on any
 * route (the token is checked whenever one is sent), roles give 403, a body 400/413/415, a query or path
 * 400, Idempotency-Key 400 (malformed: on a body-less route too), 409 (the first is still in flight) and
 * 422 (reused with another body), a rate limit 429. A route's own `responses` add the rest (404, 409, 410, …).
 */
function derivedProblems(r: HttpRoute): number[] {
  return [
    401,
    ...(Array.isArray(r.access) ? [403] : []),
    ...(r.body ? [400, 413, 415] : []),
    ...(r.query || r.params || /\{/.test(r.path) ? [400] : []),
    ...(r.idempotent ? [400, 409, 422] : []),
    ...(r.rateLimited ? [429] : []),
  ];
}

function successResponse(r: HttpRoute, status: number, res: ResponseSpec, schemas: SchemaComponents): Json {
  const own: HeaderName[] = [...(res.headers ?? [])];
  if (r.idempotent && status < 300) own.push("Idempotent-Replayed");
  if (r.rateLimited && status < 300) own.push("RateLimit", "RateLimit-Policy");
  const contentType = res.contentType ?? "application/json";
  const content: Json = {};
  if (res.schema) content[contentType] = { schema: schemas.of(res.schema, "output") };
  else if (res.contentType) content[contentType] = { schema: { type: "string" } };
  for (const other of res.alsoAs ?? []) content[other] = { schema: { type: "string" } };
  return {
    description: res.description,
    headers: headerRefs([...EVERY_ANSWER, ...own]),
    ...(Object.keys(content).length ? { content } : {}),
  };
}

function operation(r: HttpRoute, schemas: SchemaComponents): Json {
  const path = toOpenApiPath(r.path);
  const params: Json[] = [];
  const pathSchema = r.params
    ? (schemas.of(r.params, "input") as { properties?: Record<string, unknown> })
    : undefined;
  for (const m of path.matchAll(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g)) {
    const name = m[1]!;
    params.push({
      name,
      in: "path",
      required: true,
      schema: pathSchema?.properties?.[name] ?? { type: "string" },
    });
  }
  if (r.query) {
    const q = schemas.of(r.query, "input") as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, schema] of Object.entries(q.properties ?? {})) {
      params.push(
        name === "continuationToken"
          ? parameterRef("ContinuationToken")
          : { name, in: "query", required: q.required?.includes(name) ?? false, schema },
      );
    }
  }
  if (r.access === "optional") params.push(parameterRef("RequestToken"));
  if (r.idempotent) params.push(parameterRef("IdempotencyKey"));
  params.push(parameterRef("Traceparent"));

  const responses: Json = {};
  const isProblem = (res: ResponseSpec) => res.schema === Problem;
  for (const [status, res] of Object.entries(r.responses)) {
    responses[status] = isProblem(res)
      ? { ...problemResponseRef(Number(status)), description: res.description }
      : successResponse(r, Number(status), res, schemas);
  }
  for (const status of derivedProblems(r)) responses[String(status)] ??= problemResponseRef(status);
  // Only a failure of ours is left to `default`: every other status is listed.
  responses.default = problemResponseRef(500);

  return {
    operationId: r.name,
    summary: r.summary,
    ...(r.access === "public"
      ? { security: [] }
      : r.access === "optional"
        ? { security: [{}, { bearer: [] }] }
        : { "x-roles": r.access }),
    parameters: params,
    ...(r.body
      ? {
          requestBody: {
            required: true,
            content: { "application/json": { schema: schemas.of(r.body, "input") } },
          },
        }
      : {}),
    responses: Object.fromEntries(
      Object.entries(responses).sort(([a], [b]) =>
        a === "default" ? 1 : b === "default" ? -1 : a.localeCompare(b),
      ),
    ),
  };
}

/** OpenAPI 3.1 (JSON Schema 2020-12) generated from the same zod schemas that validate the requests. */
export function openApiDocument(routes: HttpRoute[], version: string = API_VERSION): Json {
  const schemas = new SchemaComponents();
  const problemSchema = schemas.of(Problem, "output");
  const paths: Record<string, Json> = {};
  for (const r of routes)
    (paths[toOpenApiPath(r.path)] ??= {})[r.method.toLowerCase()] = operation(r, schemas);
  return {
    openapi: "3.1.0",
    info: {
      title: "dpdp-rights",
      version,
      description:
        "Data principal rights under the DPDP Act 2023 for CallMissed: requests, verification, purge, export, proof.",
      license: { name: "UNLICENSED", identifier: "LicenseRef-UNLICENSED" },
    },
    servers: [{ url: "/" }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
      schemas: Object.fromEntries(Object.entries(schemas.schemas).sort(([a], [b]) => a.localeCompare(b))),
      parameters,
      headers,
      responses: problemResponses(problemSchema),
    },
  };
}
