import { z } from "zod";
import type { HttpRoute } from "./route";
import { Problem } from "./schemas/problem";

const schemaOf = (schema: z.ZodType, io: "input" | "output") =>
  z.toJSONSchema(schema, { io, unrepresentable: "any", target: "draft-2020-12" });

/** OpenAPI 3.1 (JSON Schema 2020-12) generated from the same zod schemas that validate the requests. */
export function openApiDocument(routes: HttpRoute[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = `/api/${r.path}`.replace(/\{\*?([A-Za-z_][A-Za-z0-9_]*)\}/g, "{$1}");
    const parameters: unknown[] = [...path.matchAll(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => ({
      name: m[1],
      in: "path",
      required: true,
      schema: { type: "string" },
    }));
    if (r.query) {
      const q = schemaOf(r.query, "input") as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, schema] of Object.entries(q.properties ?? {})) {
        parameters.push({ name, in: "query", required: q.required?.includes(name) ?? false, schema });
      }
    }
    const responses: Record<string, unknown> = {};
    for (const [status, res] of Object.entries(r.responses)) {
      responses[status] = {
        description: res.description,
        ...(res.schema
          ? { content: { "application/json": { schema: schemaOf(res.schema, "output") } } }
          : {}),
      };
    }
    responses.default = {
      description: "An error, as RFC 9457 problem details",
      content: { "application/problem+json": { schema: schemaOf(Problem, "output") } },
    };
    (paths[path] ??= {})[r.method.toLowerCase()] = {
      operationId: r.name,
      summary: r.summary,
      ...(r.access === "public" || r.access === "optional" ? { security: [] } : {}),
      ...(Array.isArray(r.access) ? { "x-roles": r.access } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(r.body
        ? {
            requestBody: {
              required: true,
              content: { "application/json": { schema: schemaOf(r.body, "input") } },
            },
          }
        : {}),
      responses,
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "dpdp-rights",
      version,
      description:
        "Data principal rights under the DPDP Act 2023 for CallMissed: requests, verification, purge, export, proof.",
    },
    servers: [{ url: "/" }],
    components: { securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } } },
    security: [{ bearer: [] }],
    paths,
  };
}
