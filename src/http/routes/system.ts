import { z } from "zod";
import { health } from "../../app/health";
import { API_VERSION, openApiDocument } from "../openapi";
import { type HttpRoute, json, route } from "../route";

const Health = z
  .object({
    status: z.enum(["ok", "degraded"]),
    checks: z.object({ cosmos: z.enum(["ok", "failing"]), blob: z.enum(["ok", "failing"]) }),
    time: z.string(),
  })
  .meta({ id: "Health" });

/** How long a load balancer or client should wait before asking a failing instance again. */
const READY_RETRY_AFTER_SECONDS = "10";

const readiness = (name: string, path: string, summary: string) =>
  route({
    name,
    method: "GET",
    path,
    summary,
    access: "public",
    responses: {
      200: { description: "Every store answers", schema: Health },
      503: { description: "A store fails", schema: Health, headers: ["Retry-After"] },
    },
    async handler({ rt }) {
      const result = await health(rt.app.ports);
      return result.status === "ok"
        ? json(200, result, { "cache-control": "no-store" })
        : json(503, result, { "cache-control": "no-store", "retry-after": READY_RETRY_AFTER_SECONDS });
    },
  });

/** Readiness: a round trip to each store the service cannot work without. */
export const readinessRoute = readiness(
  "healthReady",
  "health/ready",
  "Readiness: a round trip to Cosmos DB and Blob Storage (503 when one fails)",
);

/** The same check at its older address, which deployments, runbooks and the bench already use. */
export const healthRoute = readiness(
  "health",
  "health",
  "Readiness, as GET /api/health/ready: a round trip to Cosmos DB and Blob Storage",
);

/** A probe's answer: the process serves HTTP. No store is touched, so it is also the bench's bare handler. */
export const livenessRoute = route({
  name: "liveness",
  method: "GET",
  path: "health/live",
  summary: "Liveness only: answers without touching any store (for probes; /health/ready checks the stores)",
  access: "public",
  responses: {
    200: {
      description: "The process serves requests",
      schema: z.object({ status: z.literal("ok") }).meta({ id: "Liveness" }),
    },
  },
  async handler() {
    return json(200, { status: "ok" }, { "cache-control": "no-store" });
  },
});

const OpenApi = z
  .object({
    openapi: z.literal("3.1.0"),
    info: z.object({ title: z.string(), version: z.string() }).loose(),
    paths: z.record(
      z.string().regex(/^\/api\//),
      z.partialRecord(
        z.enum(["get", "post", "put", "patch", "delete"]),
        z.object({ operationId: z.string(), responses: z.record(z.string(), z.object({}).loose()) }).loose(),
      ),
    ),
    components: z.object({}).loose(),
  })
  .loose()
  .meta({ id: "OpenApiDocument", description: "This document" });

/**
 * The OpenAPI document of the routes `routesOf` gives (with the dev routes when the host has them): a
 * factory, because the route list includes this route itself. Public and cacheable: it changes only
 * with a deployment, so each form is built once per process (a build takes milliseconds of CPU, which a
 * public route must not spend on every anonymous call).
 */
export const openApiRouteOver = (routesOf: (includeDev: boolean) => HttpRoute[]): HttpRoute => {
  const built = new Map<boolean, ReturnType<typeof openApiDocument>>();
  const documentFor = (includeDev: boolean) => {
    let document = built.get(includeDev);
    if (!document) built.set(includeDev, (document = openApiDocument(routesOf(includeDev), API_VERSION)));
    return document;
  };
  return route({
    name: "openapi",
    method: "GET",
    path: "openapi.json",
    summary: "This API as OpenAPI 3.1, generated from the schemas that validate it",
    access: "public",
    responses: { 200: { description: "The OpenAPI document", schema: OpenApi } },
    async handler({ rt }) {
      return json(200, documentFor(rt.dev !== undefined), { "cache-control": "public, max-age=300" });
    },
  });
};
