import { app, type HttpMethod, type HttpRequest, type InvocationContext } from "@azure/functions";
import { guard } from "../src/http/route";
import type { FunctionEntry } from "../src/function-table";
import { functionTable, hostHttpFunctions } from "../src/function-table";
import type { Runtime } from "../src/runtime";
import { getRuntime } from "./runtime";

type HttpApp = Pick<typeof app, "http">;

/**
 * Every HTTP function of the table: one per route, plus the catch-all that answers unknown paths with
 * a problem+json 404 or 405 (the host's own 404 is not problem+json). The host routes them in name
 * order, first template-and-method match wins; the table is refused when that would shadow a route
 * (src/function-table.ts checkFunctionTable), so the catch-all only sees what no route takes.
 */
export function registerHttp(target: HttpApp, table: FunctionEntry[], runtime: () => Promise<Runtime>): void {
  for (const { name, route, methods, entry } of hostHttpFunctions(table)) {
    target.http(name, {
      route,
      methods: [...methods] as HttpMethod[],
      authLevel: "anonymous",
      handler:
        entry.trigger === "http"
          ? async (req: HttpRequest, ctx: InvocationContext) =>
              guard(ctx.invocationId, async () => entry.route.handle(req, await runtime(), ctx.invocationId))
          : async (req: HttpRequest, ctx: InvocationContext) =>
              // The same answer the local host gives (it runs this entry too): never builds the runtime.
              guard(ctx.invocationId, async () => entry.answer(req.method, new URL(req.url).pathname)),
    });
  }
}

registerHttp(app, functionTable({ includeDev: false }), getRuntime);
