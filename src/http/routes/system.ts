import { z } from "zod";
import { health } from "../../app/health";
import { openApiDocument } from "../openapi";
import { type HttpRoute, json, route } from "../route";

const Health = z.object({
  status: z.enum(["ok", "degraded"]),
  checks: z.object({ cosmos: z.enum(["ok", "failing"]), blob: z.enum(["ok", "failing"]) }),
  time: z.string(),
});

export const healthRoute = route({
  name: "health",
  method: "GET",
  path: "health",
  summary: "Liveness, and a round trip to Cosmos DB and Blob Storage",
  access: "public",
  responses: {
    200: { description: "Every dependency answers", schema: Health },
    503: { description: "A dependency fails", schema: Health },
  },
  async handler({ rt }) {
    const result = await health(rt.app.ports);
    return json(result.status === "ok" ? 200 : 503, result, { "cache-control": "no-store" });
  },
});

/** A probe's answer: the process serves HTTP. No store is touched, so it is also the bench's bare handler. */
export const livenessRoute = route({
  name: "liveness",
  method: "GET",
  path: "health/live",
  summary: "Liveness only: answers without touching any store (for probes; /health checks the stores)",
  access: "public",
  responses: {
    200: { description: "The process serves requests", schema: z.object({ status: z.literal("ok") }) },
  },
  async handler() {
    return json(200, { status: "ok" });
  },
});

/**
 * The OpenAPI document of the routes `routesOf` gives (with the dev routes when the host has them): a
 * factory, because the route list includes this route itself.
 */
export const openApiRouteOver = (routesOf: (includeDev: boolean) => HttpRoute[]): HttpRoute =>
  route({
    name: "openapi",
    method: "GET",
    path: "openapi.json",
    summary: "This API as OpenAPI 3.1, generated from the schemas that validate it",
    access: "public",
    responses: { 200: { description: "The OpenAPI document" } },
    async handler({ rt }) {
      return json(200, openApiDocument(routesOf(rt.dev !== undefined), "1.0.0"));
    },
  });
