import { app, type HttpRequest, type InvocationContext } from "@azure/functions";
import { createDispatcher } from "../src/http/dispatch";
import { problem } from "../src/http/problem";
import { guard } from "../src/http/route";
import type { FunctionEntry } from "../src/function-table";
import { functionTable } from "../src/function-table";
import type { Runtime } from "../src/runtime";
import { getRuntime } from "./runtime";

type HttpApp = Pick<typeof app, "http">;
const ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] as const;

/**
 * One Azure function per route of the table, plus a catch-all that answers unknown paths with a
 * problem+json 404 or 405 (the host's own 404 is not problem+json).
 */
export function registerHttp(target: HttpApp, table: FunctionEntry[], runtime: () => Promise<Runtime>): void {
  const routes = table.flatMap((f) => (f.trigger === "http" ? [f.route] : []));
  for (const route of routes) {
    target.http(route.name, {
      route: route.path,
      methods: [route.method],
      authLevel: "anonymous",
      handler: async (req: HttpRequest, ctx: InvocationContext) =>
        guard(ctx.invocationId, async () => route.handle(req, await runtime(), ctx.invocationId)),
    });
  }
  const dispatch = createDispatcher(routes);
  target.http("notFound", {
    route: "{*path}",
    methods: [...ALL_METHODS],
    authLevel: "anonymous",
    handler: async (req: HttpRequest, ctx: InvocationContext) =>
      guard(ctx.invocationId, async () => {
        const path = new URL(req.url).pathname.replace(/^\/api\/?/, "");
        const found = dispatch(req.method, path);
        return found.kind === "method_not_allowed"
          ? problem(
              405,
              `Use ${found.allow.join(" or ")} on this path.`,
              {},
              { allow: found.allow.join(", ") },
            )
          : problem(404, "No such endpoint. See /api/openapi.json.");
      }),
  });
}

registerHttp(app, functionTable({ includeDev: false }), getRuntime);
