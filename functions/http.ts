import { app, type HttpMethod, type HttpRequest, type InvocationContext } from "@azure/functions";
import { invocationContextLogger } from "../src/adapters/logging/invocation-context";
import { AzureConfig } from "../src/config/schema";
import { corsPolicy, type CorsPolicy, preflight, withCors } from "../src/http/cors";
import { runWithInvocationLog } from "../src/http/invocation-log";
import { guard } from "../src/http/route";
import { correlationIdFrom } from "../src/http/trace-context";
import type { FunctionEntry } from "../src/function-table";
import { functionTable, hostHttpFunctions } from "../src/function-table";
import { safeId } from "../src/ports/logger";
import type { Runtime } from "../src/runtime";
import { getRuntime } from "./runtime";

type HttpApp = Pick<typeof app, "http">;

/**
 * The dashboard's origins, read here rather than from the runtime: a preflight is answered without
 * building it (no store is touched for an OPTIONS). A list the configuration refuses ("*") gives none;
 * the runtime's own configuration check then fails every route with the reason.
 */
function originsFromEnvironment(): string[] {
  const parsed = AzureConfig.shape.DASHBOARD_ORIGINS.safeParse(process.env.DASHBOARD_ORIGINS);
  return parsed.success ? parsed.data : [];
}

/**
 * The correlation id: the trace id of the host's trace context for this invocation (the host continues
 * a caller's valid `traceparent`: it hands the worker its current activity's id,
 * Azure/azure-functions-host src/WebJobs.Script.Grpc/MessageExtensions/ScriptInvocationContextExtensions.cs
 * GetRpcTraceContext; @azure/functions exposes it as `context.traceContext.traceParent`), else the request's
 * own `traceparent`, else a new trace id.
 */
const correlationIdOf = (req: HttpRequest, ctx: InvocationContext) =>
  correlationIdFrom([ctx.traceContext?.traceParent, req.headers.get("traceparent")]);

/**
 * Every HTTP function of the table: one per route, plus the catch-all that answers unknown paths with
 * a problem+json 404 or 405 (the host's own 404 is not problem+json) and CORS preflights (it is the
 * only function listing OPTIONS). The host routes them in name order, first template-and-method match
 * wins; the table is refused when that would shadow a route (src/function-table.ts checkFunctionTable),
 * so the catch-all only sees what no route takes. Every answer gets the same CORS headers as on the
 * local host (src/http/cors.ts); unexpected failures are logged through the invocation's context.
 */
export function registerHttp(
  target: HttpApp,
  table: FunctionEntry[],
  runtime: () => Promise<Runtime>,
  cors: CorsPolicy = corsPolicy(originsFromEnvironment()),
): void {
  for (const { name, route, methods, entry } of hostHttpFunctions(table)) {
    target.http(name, {
      route,
      methods: [...methods] as HttpMethod[],
      authLevel: "anonymous",
      handler: async (req: HttpRequest, ctx: InvocationContext) => {
        const correlationId = correlationIdOf(req, ctx);
        const log = invocationContextLogger(ctx).with({ correlationId: safeId(correlationId) });
        const work =
          entry.trigger === "http"
            ? async () => entry.route.handle(req, await runtime(), correlationId)
            : // The same answers the local host gives (it runs this entry too): never builds the runtime.
              async () => preflight(cors, req) ?? entry.answer(req.method, new URL(req.url).pathname);
        const res = await runWithInvocationLog(log, () => guard(correlationId, work, log));
        return withCors(res, cors, req.headers.get("origin"));
      },
    });
  }
}

registerHttp(app, functionTable({ includeDev: false }), getRuntime);
