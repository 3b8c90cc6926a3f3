import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createDispatcher } from "../http/dispatch";
import { problem } from "../http/problem";
import { guard, newCorrelationId } from "../http/route";
import type { ApiRequest, ApiResponse } from "../http/types";
import type { FunctionEntry } from "../function-table";
import type { Runtime } from "../runtime";

/** Reads at most `limit` bytes and stops: a huge body costs us nothing, the route answers 413. */
function bodyReader(req: IncomingMessage, limit: number): () => Promise<string> {
  let read: Promise<string> | undefined;
  return () =>
    (read ??= new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on("data", (chunk: Buffer) => {
        if (size > limit) return;
        size += chunk.length;
        chunks.push(chunk);
      });
      req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
      req.on("error", reject);
    }));
}

function send(res: ServerResponse, out: ApiResponse, extraHeaders: Record<string, string>): void {
  const body = out.jsonBody !== undefined ? JSON.stringify(out.jsonBody) : (out.body ?? "");
  res.writeHead(out.status, { ...extraHeaders, ...out.headers, "content-length": Buffer.byteLength(body) });
  res.end(body);
}

/**
 * Serves the function table's HTTP routes the way the Functions host does (routePrefix `api`), plus
 * CORS for exactly the configured origins. Logs method, route name, status and time: never the URL,
 * whose query can hold a phone number.
 */
export function createLocalHttpServer(rt: Runtime, table: FunctionEntry[]): Server {
  const routes = table.flatMap((f) => (f.trigger === "http" ? [f.route] : []));
  const dispatch = createDispatcher(routes);
  const origins = new Set(rt.config.CORS_ALLOWED_ORIGINS);
  return createServer((req, res) => {
    const started = process.hrtime.bigint();
    const correlationId = newCorrelationId();
    const url = new URL(req.url ?? "/", "http://localhost");
    const method = (req.method ?? "GET").toUpperCase();
    const origin = req.headers.origin;
    const cors: Record<string, string> =
      origin && origins.has(origin)
        ? {
            "access-control-allow-origin": origin,
            vary: "Origin",
            "access-control-expose-headers": "location, x-correlation-id",
          }
        : {};
    let routeName = "unmatched";
    const finish = (out: ApiResponse) => {
      // Every response carries its correlation id, the 404/405 answered here too (as in Azure, where
      // the catch-all function goes through guard); a route's own header is the same id.
      send(res, out, { ...cors, "x-correlation-id": correlationId });
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (process.env.LOCAL_HTTP_LOG !== "off") {
        console.log(
          JSON.stringify({
            level: "info",
            method,
            route: routeName,
            status: out.status,
            ms: Math.round(ms * 10) / 10,
            correlationId,
          }),
        );
      }
    };
    const path =
      url.pathname.startsWith("/api/") || url.pathname === "/api" ? url.pathname.slice(4) : undefined;
    if (method === "OPTIONS") {
      // CORS preflight: answered only for listed origins; others get no CORS headers, so browsers refuse.
      const headers = cors["access-control-allow-origin"]
        ? {
            ...cors,
            "access-control-allow-methods": "GET, POST, OPTIONS",
            "access-control-allow-headers": "authorization, content-type, idempotency-key",
            "access-control-max-age": "600",
          }
        : {};
      return finish({ status: 204, headers });
    }
    if (path === undefined) return finish(problem(404, "No such endpoint. The API lives under /api."));
    const found = dispatch(method, path);
    if (found.kind === "not_found") return finish(problem(404, "No such endpoint. See /api/openapi.json."));
    if (found.kind === "method_not_allowed") {
      return finish(
        problem(405, `Use ${found.allow.join(" or ")} on this path.`, {}, { allow: found.allow.join(", ") }),
      );
    }
    routeName = found.route.name;
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
    // As the Functions front end does: the client's address for per-client rate limits.
    if (!headers.has("x-forwarded-for") && req.socket.remoteAddress)
      headers.set("x-forwarded-for", req.socket.remoteAddress);
    const apiRequest: ApiRequest = {
      method,
      url: url.toString(),
      headers,
      query: url.searchParams,
      params: found.params,
      text: bodyReader(req, rt.config.MAX_BODY_BYTES),
    };
    void guard(correlationId, () => found.route.handle(apiRequest, rt, correlationId)).then(finish);
  });
}

export async function listen(server: Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  return (server.address() as AddressInfo).port;
}
