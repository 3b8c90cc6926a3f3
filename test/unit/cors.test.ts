import {
  HttpRequest,
  type HttpFunctionOptions,
  type HttpResponseInit,
  InvocationContext,
} from "@azure/functions";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { registerHttp } from "../../functions/http";
import { CATCH_ALL_NAME, functionTable } from "../../src/function-table";
import {
  CORS_EXPOSED_HEADERS,
  CORS_METHODS,
  CORS_REQUEST_HEADERS,
  corsPolicy,
  preflight,
  withCors,
} from "../../src/http/cors";
import { allRoutes } from "../../src/http/routes";
import { createLocalHttpServer, listen } from "../../src/local/http-server";
import type { Runtime } from "../../src/runtime";

// functions/http.ts registers with `app` on import: outside the Functions host, a stand-in that records.
vi.mock("@azure/functions", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@azure/functions")>()),
  app: { http: () => undefined },
}));

const DASHBOARD = "https://app.callmissed.com";
const LOCAL_DASHBOARD = "http://localhost:5173";
const policy = corsPolicy([DASHBOARD, LOCAL_DASHBOARD]);
const headersOf = (h: Record<string, string>) => new Headers(h);

describe("src/http/cors.ts", () => {
  it("allows exactly the listed origins: scheme, host and port; never '*'", () => {
    expect(policy.allows(DASHBOARD)).toBe(true);
    expect(policy.allows(LOCAL_DASHBOARD)).toBe(true);
    for (const origin of [
      "http://app.callmissed.com",
      "https://app.callmissed.com:8443",
      "https://app.callmissed.com.evil.example",
      "https://APP.callmissed.com",
      "null",
      "",
      undefined,
      null,
    ])
      expect(policy.allows(origin), String(origin)).toBe(false);
    expect(corsPolicy(["*"]).allows("https://anything.example")).toBe(false);
  });

  it("an answer for a listed origin names it and exposes the headers the dashboard reads; Vary: Origin", () => {
    const res = withCors({ status: 201, headers: { location: "/api/v1/requests/r-1" } }, policy, DASHBOARD);
    expect(res.headers).toMatchObject({
      location: "/api/v1/requests/r-1",
      "access-control-allow-origin": DASHBOARD,
      vary: "Origin",
    });
    expect(res.headers?.["access-control-expose-headers"]?.split(", ")).toEqual([
      "location",
      "retry-after",
      "idempotent-replayed",
      "x-correlation-id",
      "ratelimit",
      "ratelimit-policy",
    ]);
    expect(res.headers).not.toHaveProperty("access-control-allow-credentials");
  });

  it("an answer for any other origin has no CORS header, and still varies on Origin", () => {
    for (const origin of ["https://evil.example", undefined]) {
      const res = withCors({ status: 200, headers: { Vary: "Accept" } }, policy, origin);
      expect(Object.keys(res.headers ?? {}).filter((h) => h.startsWith("access-control-"))).toEqual([]);
      expect(res.headers?.vary).toBe("Accept, Origin");
    }
    // Origin is added once.
    expect(withCors({ status: 200, headers: { vary: "origin" } }, policy, DASHBOARD).headers?.vary).toBe(
      "origin",
    );
  });

  it("answers a preflight from a listed origin with methods, request headers and max-age", () => {
    const res = preflight(policy, {
      method: "OPTIONS",
      headers: headersOf({ origin: DASHBOARD, "access-control-request-method": "POST" }),
    });
    expect(res?.status).toBe(204);
    expect(res?.headers).toEqual({
      "access-control-allow-origin": DASHBOARD,
      "access-control-allow-methods": "GET, POST",
      "access-control-allow-headers":
        "authorization, content-type, idempotency-key, x-request-token, traceparent, tracestate",
      "access-control-max-age": "600",
      vary: "Origin",
    });
  });

  it("gives a preflight from any other origin no CORS header; an OPTIONS that is no preflight is not one", () => {
    const refused = preflight(policy, {
      method: "OPTIONS",
      headers: headersOf({ origin: "https://evil.example", "access-control-request-method": "GET" }),
    });
    expect(refused).toEqual({ status: 204, headers: { vary: "Origin" } });
    expect(
      preflight(policy, { method: "OPTIONS", headers: headersOf({ origin: DASHBOARD }) }),
    ).toBeUndefined();
    expect(
      preflight(policy, {
        method: "GET",
        headers: headersOf({ origin: DASHBOARD, "access-control-request-method": "GET" }),
      }),
    ).toBeUndefined();
  });

  it("lists every method a route uses and every request header a route reads", () => {
    for (const route of allRoutes(true)) expect(CORS_METHODS, route.name).toContain(route.method);
    expect(CORS_REQUEST_HEADERS).toEqual(
      expect.arrayContaining(["authorization", "content-type", "idempotency-key", "x-request-token"]),
    );
    expect(CORS_EXPOSED_HEADERS).toContain("x-correlation-id");
  });
});

describe("one CORS implementation for both hosts", () => {
  const origins = [DASHBOARD, LOCAL_DASHBOARD];
  const registrations: { name: string; options: HttpFunctionOptions }[] = [];
  let localUrl = "";
  let close: () => Promise<void> = async () => {};

  beforeAll(async () => {
    registerHttp(
      { http: (name, options) => void registrations.push({ name, options }) },
      functionTable({ includeDev: false }),
      () => Promise.reject(new Error("a preflight must not build the runtime")),
      corsPolicy(origins),
    );
    // The local host answers a preflight from its catch-all entry: it reads nothing else of the runtime.
    const server = createLocalHttpServer(
      { config: { DASHBOARD_ORIGINS: origins } } as unknown as Runtime,
      functionTable({ includeDev: true }),
    );
    localUrl = `http://127.0.0.1:${await listen(server, 0)}`;
    close = () => new Promise((done) => server.close(() => done()));
  });
  afterAll(() => close());

  const azure = async (method: string, path: string, headers: Record<string, string>) => {
    // Nothing but the catch-all lists OPTIONS: the host hands it every OPTIONS request (checked above).
    const options = registrations.find((r) => r.name === CATCH_ALL_NAME)!.options;
    const req = new HttpRequest({ method, url: `http://127.0.0.1:7071${path}`, headers });
    const res = (await options.handler(
      req,
      new InvocationContext({ invocationId: "inv-cors" }),
    )) as HttpResponseInit;
    return { status: res.status, headers: res.headers as Record<string, string> };
  };
  const local = async (method: string, path: string, headers: Record<string, string>) => {
    const res = await fetch(`${localUrl}${path}`, { method, headers });
    await res.arrayBuffer();
    return { status: res.status, headers: Object.fromEntries(res.headers.entries()) };
  };
  /** The headers both hosts set themselves (the local host's transport adds date, connection…). */
  const shared = (h: Record<string, string>) =>
    Object.fromEntries(
      Object.entries(h).filter(
        ([k]) =>
          k.startsWith("access-control-") || ["vary", "cache-control", "x-content-type-options"].includes(k),
      ),
    );

  it("a preflight reaches Azure's catch-all (the only function listing OPTIONS) and is answered there", () => {
    const withOptions = registrations
      .filter((r) => r.options.methods?.includes("OPTIONS"))
      .map((r) => r.name);
    expect(withOptions).toEqual([CATCH_ALL_NAME]);
  });

  for (const origin of [DASHBOARD, "https://evil.example"]) {
    it(`gives the same preflight answer in Azure and locally (${origin})`, async () => {
      const headers = {
        origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type, traceparent",
      };
      const [a, l] = await Promise.all([
        azure("OPTIONS", "/api/v1/requests", headers),
        local("OPTIONS", "/api/v1/requests", headers),
      ]);
      expect(a.status).toBe(204);
      expect(l.status).toBe(204);
      expect(shared(a.headers)).toEqual(shared(l.headers));
      expect(a.headers["x-correlation-id"]).toMatch(/^[0-9a-f]{32}$/);
      if (origin === DASHBOARD) expect(a.headers["access-control-allow-origin"]).toBe(DASHBOARD);
      else expect(Object.keys(a.headers).filter((k) => k.startsWith("access-control-"))).toEqual([]);
    });
  }

  it("an unknown path's 404 carries the same CORS headers in Azure and locally", async () => {
    const [a, l] = await Promise.all([
      azure("OPTIONS", "/api/v1/nothing", { origin: DASHBOARD }),
      local("OPTIONS", "/api/v1/nothing", { origin: DASHBOARD }),
    ]);
    // An OPTIONS that is no preflight is an ordinary request: a method no route takes.
    expect(a.status).toBe(404);
    expect(l.status).toBe(404);
    expect(shared(a.headers)).toEqual(shared(l.headers));
    expect(a.headers["access-control-expose-headers"]).toContain("x-correlation-id");
  });
});
