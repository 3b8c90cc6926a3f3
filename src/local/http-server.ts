import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createHostRouter, ROUTE_PREFIX } from "../http/dispatch";
import { problem } from "../http/problem";
import { corsPolicy, preflight, withCors } from "../http/cors";
import { runWithInvocationLog } from "../http/invocation-log";
import { edgeHeaders, guard } from "../http/route";
import { correlationIdFrom } from "../http/trace-context";
import type { ApiRequest, ApiResponse } from "../http/types";
import { type FunctionEntry, hostHttpFunctions } from "../function-table";
import type { Runtime } from "../runtime";
import type { PageServer } from "./web-server";

/**
 * The request body as a web stream (what `@azure/functions` hands a route), read from the socket only
 * as fast as the route reads it. When the route cancels (the body passed the size limit) reading stops
 * at once: the bytes still coming are never buffered, and the answer does not wait for them.
 */
function bodyStream(req: IncomingMessage): ReadableStream<Uint8Array> {
  let settled = false;
  let onData: ((chunk: Buffer) => void) | undefined;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      onData = (chunk) => {
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        // Backpressure: hold the socket until the route asks for more (pull).
        if ((controller.desiredSize ?? 0) <= 0) req.pause();
      };
      req.on("data", onData);
      req.once("end", () => {
        if (settled) return;
        settled = true;
        controller.close();
      });
      req.once("error", (e) => {
        if (settled) return;
        settled = true;
        controller.error(e);
      });
      req.once("close", () => {
        if (settled) return;
        settled = true;
        controller.error(new Error("The client closed the connection before the body ended."));
      });
    },
    pull() {
      req.resume();
    },
    cancel() {
      settled = true;
      if (onData) req.off("data", onData);
      req.pause();
    },
  });
}

/** How long a connection whose body we stopped reading is drained before it is cut. */
const LINGER_MS = 2000;

function send(
  req: IncomingMessage,
  res: ServerResponse,
  out: ApiResponse,
  extraHeaders: Record<string, string>,
): void {
  const body = out.jsonBody !== undefined ? JSON.stringify(out.jsonBody) : (out.body ?? "");
  // Answered before the request's body ended (413 mid-stream, or a route that never reads one): the
  // connection cannot carry another request, so it is closed once the answer is out.
  const unfinished = !req.complete;
  res.writeHead(out.status, { ...extraHeaders, ...out.headers, "content-length": Buffer.byteLength(body) });
  res.end(body);
  if (unfinished) {
    res.once("finish", () => {
      // A lingering close: half-close, then drain what the client already sent until it stops or the
      // time is up. Closing with unread bytes outright would reset the connection, and a client still
      // writing could lose the answer to the reset. (So no `Connection: close`: Node would close at
      // once.) The drained bytes are discarded, never buffered.
      const socket = req.socket;
      req.resume();
      socket.end();
      setTimeout(() => socket.destroy(), LINGER_MS).unref();
    });
  }
}

/**
 * Serves the function table's HTTP functions the way the Functions host does (routePrefix `api`; in
 * function-name order, the first whose template and method match; the catch-all included, answering
 * what no route takes: src/http/dispatch.ts), with the same CORS (src/http/cors.ts) as Azure: a preflight
 * reaches the catch-all, as there. The correlation id is the trace id of a valid incoming `traceparent`,
 * else of a new trace. Logs method, route name, status and time: never the URL, whose query can hold a
 * phone number.
 */
export function createLocalHttpServer(rt: Runtime, table: FunctionEntry[], pages?: PageServer): Server {
  const route = createHostRouter(hostHttpFunctions(table));
  const underPrefix = new RegExp(`^/${ROUTE_PREFIX}(?:/|$)`, "i");
  const cors = corsPolicy(rt.config.DASHBOARD_ORIGINS);
  return createServer((req, res) => {
    const started = process.hrtime.bigint();
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
    const correlationId = correlationIdFrom([headers.get("traceparent")]);
    const url = new URL(req.url ?? "/", "http://localhost");
    const method = (req.method ?? "GET").toUpperCase();
    let routeName = "unmatched";
    const finish = (out: ApiResponse) => {
      // Every response carries its correlation id, the edge headers (no-store, nosniff) and CORS, the
      // 404/405/preflight answered here too (as in Azure, where the catch-all function goes through
      // guard); a route's own correlation header is the same id.
      send(req, res, withCors(edgeHeaders(out), cors, headers.get("origin")), {
        "x-correlation-id": correlationId,
      });
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
    // The web pages (/privacy/, /console/) are outside the API's prefix: in Azure a static host serves them.
    if (pages?.owns(url.pathname)) return void pages.handle(req, res, url.pathname);
    const found = route(method, url.pathname);
    if (!found) {
      // No function at all (outside the prefix, or an empty segment): the host's own 404 in Azure.
      return finish(
        problem(
          404,
          underPrefix.test(url.pathname)
            ? "No such endpoint. See /api/openapi.json."
            : "No such endpoint. The API lives under /api.",
        ),
      );
    }
    const { entry } = found.fn;
    // The catch-all answers as in Azure, with the same code: a CORS preflight (the only function listing
    // OPTIONS), else 405 for a known path, else 404.
    if (entry.trigger === "httpCatchAll")
      return finish(preflight(cors, { method, headers }) ?? entry.answer(method, url.pathname));
    routeName = entry.route.name;
    // As the Functions front end does: append the address the connection came from to whatever the
    // client wrote, so the right-most entry is ours. Without one, an entry that is no address at all:
    // the client's own last entry must never move into the trusted place.
    const forwarded = headers.get("x-forwarded-for");
    const peer = req.socket.remoteAddress ?? "unknown";
    headers.set("x-forwarded-for", forwarded ? `${forwarded}, ${peer}` : peer);
    let body: ReadableStream<Uint8Array> | undefined;
    const apiRequest: ApiRequest = {
      method,
      url: url.toString(),
      headers,
      query: url.searchParams,
      params: found.params,
      // Built on first use: a route without a body never starts reading one.
      get body() {
        return (body ??= bodyStream(req));
      },
    };
    // As in Azure (functions/http.ts): the request's own logger is the invocation's, so an unexpected failure
    // and anything a use case reports on the way go through the runtime's logger, not a line of their own.
    const log = rt.logs({ fn: routeName, invocationId: correlationId });
    void runWithInvocationLog(log, () =>
      guard(correlationId, () => entry.route.handle(apiRequest, rt, correlationId), log),
    ).then(finish);
  });
}

export async function listen(server: Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  return (server.address() as AddressInfo).port;
}
