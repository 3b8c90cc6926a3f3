import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import {
  HttpRequest,
  type HttpFunctionOptions,
  type HttpResponseInit,
  InvocationContext,
  type ServiceBusQueueFunctionOptions,
  type TimerFunctionOptions,
} from "@azure/functions";
import ts from "typescript";
import { newRequestId } from "../../src/domain/requests/request-id";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { registerHttp } from "../../functions/http";
import { registerQueues } from "../../functions/queues";
import { registerTimers } from "../../functions/timers";
import { ConfigError } from "../../src/config/load";
import {
  CATCH_ALL_NAME,
  checkFunctionTable,
  type FunctionEntry,
  functionTable,
  type HttpCatchAllFunction,
  type QueueFunction,
  type TimerFunction,
} from "../../src/function-table";
import { compareFunctionNames } from "../../src/http/dispatch";
import { allRoutes } from "../../src/http/routes";
import type { Runtime } from "../../src/runtime";

/**
 * A stand-in for `app` of @azure/functions that records every registration. Outside the Functions
 * host the real `app` registers nothing and cannot be asked what was registered (DESIGN §8).
 */
function recordingApp() {
  const calls = {
    http: [] as { name: string; options: HttpFunctionOptions }[],
    serviceBusQueue: [] as { name: string; options: ServiceBusQueueFunctionOptions }[],
    timer: [] as { name: string; options: TimerFunctionOptions }[],
  };
  return {
    calls,
    http(name: string, options: HttpFunctionOptions) {
      calls.http.push({ name, options });
    },
    serviceBusQueue<T = unknown>(name: string, options: ServiceBusQueueFunctionOptions<T>) {
      calls.serviceBusQueue.push({ name, options: options as unknown as ServiceBusQueueFunctionOptions });
    },
    timer(name: string, options: TimerFunctionOptions) {
      calls.timer.push({ name, options });
    },
  };
}

// The entry point (functions/index.ts) registers on import, with `app`: record what it registers.
const moduleApp = vi.hoisted(() => {
  const calls = {
    http: [] as { name: string; options: unknown }[],
    serviceBusQueue: [] as { name: string; options: unknown }[],
    timer: [] as { name: string; options: unknown }[],
  };
  return {
    calls,
    http: (name: string, options: unknown) => void calls.http.push({ name, options }),
    serviceBusQueue: (name: string, options: unknown) => void calls.serviceBusQueue.push({ name, options }),
    timer: (name: string, options: unknown) => void calls.timer.push({ name, options }),
  };
});
vi.mock("@azure/functions", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@azure/functions")>()),
  app: moduleApp,
}));

type Headers = Record<string, string>;

/** A W3C trace id per invocation id, as the host's trace context would carry one. */
const traceIdOf = (invocationId: string) =>
  Buffer.from(invocationId.padEnd(16, "-")).toString("hex").slice(0, 32);

/** Invokes a registered HTTP handler the way the Functions host would, in a trace of the host's. */
async function invoke(
  options: HttpFunctionOptions,
  init: { method: string; url: string; body?: string; headers?: Headers },
  invocationId = "inv-1",
  logHandler?: (level: string, ...args: unknown[]) => void,
): Promise<HttpResponseInit & { headers: Headers }> {
  const req = new HttpRequest({
    method: init.method,
    url: init.url,
    headers: init.headers ?? {},
    ...(init.body !== undefined ? { body: { string: init.body } } : {}),
  });
  const ctx = new InvocationContext({
    invocationId,
    functionName: "test",
    traceContext: { traceParent: `00-${traceIdOf(invocationId)}-00f067aa0ba902b7-01` },
    ...(logHandler ? { logHandler } : {}),
  });
  const res = (await options.handler(req, ctx)) as HttpResponseInit;
  return { ...res, headers: (res.headers ?? {}) as Headers };
}

const problemOf = (res: HttpResponseInit) => JSON.parse(String(res.body)) as Record<string, unknown>;

const unusedRuntime = () => Promise.reject(new Error("the runtime must not be built for this call"));

const nonDevRoutes = allRoutes(true).filter((r) => !r.devOnly);

describe("functions/http.ts registerHttp", () => {
  const fakeApp = recordingApp();
  beforeAll(() => {
    registerHttp(fakeApp, functionTable({ includeDev: false }), unusedRuntime);
  });
  const registration = (name: string) => {
    const found = fakeApp.calls.http.find((c) => c.name === name);
    if (!found) throw new Error(`${name} was not registered`);
    return found.options;
  };

  it("registers every non-dev route once, with its route, method and anonymous auth", () => {
    expect(nonDevRoutes.length).toBeGreaterThan(0);
    for (const route of nonDevRoutes) {
      const options = registration(route.name);
      expect(options.route, route.name).toBe(route.path);
      expect(options.methods, route.name).toEqual([route.method]);
      expect(options.authLevel, route.name).toBe("anonymous");
      expect(options.route?.startsWith("api/"), route.name).toBe(false); // host.json adds the prefix
    }
    const names = fakeApp.calls.http.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.sort()).toEqual([...nonDevRoutes.map((r) => r.name), CATCH_ALL_NAME].sort());
    for (const name of names) expect(name).toMatch(/^[A-Za-z][A-Za-z0-9_-]{0,126}$/);
  });

  it("registers no _dev/ route for Azure", () => {
    expect(allRoutes(true).some((r) => r.devOnly)).toBe(true);
    for (const { name, options } of fakeApp.calls.http) {
      expect(options.route ?? "", name).not.toMatch(/^_dev\//);
    }
  });

  it("registers a catch-all {*path} for every method, anonymous, named after every other function", () => {
    const options = registration(CATCH_ALL_NAME);
    expect(options.route).toBe("{*path}");
    expect(options.authLevel).toBe("anonymous");
    expect(options.methods).toEqual(expect.arrayContaining(["GET", "POST", "PUT", "PATCH", "DELETE"]));
    // The host routes in name order, OrdinalIgnoreCase (src/http/dispatch.ts): the catch-all goes last.
    for (const { name } of fakeApp.calls.http) {
      if (name !== CATCH_ALL_NAME) expect(compareFunctionNames(name, CATCH_ALL_NAME), name).toBeLessThan(0);
    }
  });

  it("answers an unknown path through the catch-all with a problem+json 404", async () => {
    const res = await invoke(registration(CATCH_ALL_NAME), {
      method: "GET",
      url: "http://127.0.0.1:7071/api/v1/nothing-here?x=1",
    });
    expect(res.status).toBe(404);
    expect(res.headers["content-type"]).toBe("application/problem+json");
    expect(res.headers["x-correlation-id"]).toBe(traceIdOf("inv-1"));
    expect(problemOf(res)).toMatchObject({
      status: 404,
      title: "Not found",
      type: expect.stringMatching(/^https?:\/\/[^/]+\/api\/problems\/not-found$/),
    });
  });

  it("answers a dev route in Azure with 404: it does not exist there", async () => {
    const res = await invoke(registration(CATCH_ALL_NAME), {
      method: "POST",
      url: "http://127.0.0.1:7071/api/_dev/token",
      body: '{"role":"privacy_officer"}',
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(404);
  });

  it("answers a known path with a wrong method with a problem+json 405 and an allow header", async () => {
    const res = await invoke(
      registration(CATCH_ALL_NAME),
      { method: "DELETE", url: "http://127.0.0.1:7071/api/health" },
      "inv-405",
    );
    expect(res.status).toBe(405);
    expect(res.headers["content-type"]).toBe("application/problem+json");
    expect(res.headers.allow).toBe("GET");
    expect(res.headers["x-correlation-id"]).toBe(traceIdOf("inv-405"));
    expect(problemOf(res)).toMatchObject({ status: 405, title: "Method not allowed" });
    expect(String(problemOf(res).detail)).toContain("GET");
  });

  it("hands a route's request and the runtime to the route's handler", async () => {
    const fakeRuntime = { auth: { fromHeader: async () => undefined } } as unknown as Runtime;
    const app = recordingApp();
    registerHttp(app, functionTable({ includeDev: false }), async () => fakeRuntime);
    const openapi = app.calls.http.find((c) => c.name === "openapi")!.options;
    const res = await invoke(
      openapi,
      { method: "GET", url: "http://127.0.0.1:7071/api/openapi.json" },
      "inv-oa",
    );
    expect(res.status).toBe(200);
    expect(res.headers["x-correlation-id"]).toBe(traceIdOf("inv-oa"));
    const doc = res.jsonBody as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toContain("/api/health");
    expect(Object.keys(doc.paths).some((p) => p.includes("_dev"))).toBe(false);
  });

  it("reads only the template's parameters from `params`: a host that adds query or body fields there gets no 400", async () => {
    // The Node library in streaming mode puts every string trigger-metadata entry into params, query
    // and top-level body fields included (@azure/functions createStreamRequest; the host's
    // HttpTriggerAttributeBindingProvider.GetRequestBindingData): the path schemas are strict.
    const fakeRuntime = {
      auth: { fromHeader: async () => undefined },
      config: { MAX_BODY_BYTES: 65_536, TRUSTED_PROXY_HOPS: 1 },
    } as unknown as Runtime;
    const app = recordingApp();
    registerHttp(app, functionTable({ includeDev: false }), async () => fakeRuntime);
    const getRequest = app.calls.http.find((c) => c.name === "getRequest")!.options;
    const id = newRequestId("tenant:t-1");
    const req = new HttpRequest({
      method: "GET",
      url: `http://127.0.0.1:7071/api/v1/requests/${id}?format=html`,
      headers: {},
      params: { id, format: "html", reason: "from a JSON body" },
    });
    const res = (await getRequest.handler(
      req,
      new InvocationContext({ invocationId: "inv-p" }),
    )) as HttpResponseInit;
    // No token: 401 before any lookup, which shows the path itself was accepted.
    expect(res.status).toBe(401);
  });

  describe("when the runtime cannot be built", () => {
    afterEach(() => vi.restoreAllMocks());

    it("fails that invocation with a problem+json 500 carrying the trace id, logged at error through the invocation", async () => {
      const stderr = vi.spyOn(console, "error").mockImplementation(() => {});
      const logged: { level: string; line: string }[] = [];
      const app = recordingApp();
      registerHttp(app, functionTable({ includeDev: false }), () =>
        Promise.reject(new ConfigError(["COSMOS_ENDPOINT: missing; must be the Cosmos DB account URL"])),
      );
      const health = app.calls.http.find((c) => c.name === "health")!.options;
      const res = await invoke(
        health,
        { method: "GET", url: "http://127.0.0.1:7071/api/health" },
        "inv-500",
        (level, ...args) => void logged.push({ level, line: String(args[0]) }),
      );
      expect(res.status).toBe(500);
      expect(res.headers["content-type"]).toBe("application/problem+json");
      expect(problemOf(res)).toMatchObject({ status: 500, correlationId: traceIdOf("inv-500") });
      expect(String(res.body)).not.toContain("COSMOS_ENDPOINT");
      // Through the invocation's context (so Application Insights has it with the invocation), not stderr.
      expect(logged).toHaveLength(1);
      expect(logged[0]?.level).toBe("error");
      expect(JSON.parse(logged[0]!.line)).toMatchObject({
        level: "error",
        fn: "test",
        invocationId: "inv-500",
        event: "unexpected_error",
        correlationId: traceIdOf("inv-500"),
        error: "ConfigError",
      });
      expect(logged[0]?.line).not.toContain("COSMOS_ENDPOINT");
      expect(stderr).not.toHaveBeenCalled();
    });

    it("logs a route handler's own unexpected failure through the invocation too", async () => {
      const stderr = vi.spyOn(console, "error").mockImplementation(() => {});
      const logged: string[] = [];
      const broken = {
        auth: { fromHeader: () => Promise.reject(new TypeError("boom")) },
      } as unknown as Runtime;
      const app = recordingApp();
      registerHttp(app, functionTable({ includeDev: false }), async () => broken);
      const getRequest = app.calls.http.find((c) => c.name === "getRequest")!.options;
      const res = await invoke(
        getRequest,
        { method: "GET", url: `http://127.0.0.1:7071/api/v1/requests/${newRequestId("tenant:t-1")}` },
        "inv-inner",
        (_level, ...args) => void logged.push(String(args[0])),
      );
      expect(res.status).toBe(500);
      expect(logged.map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual([
        expect.objectContaining({ event: "unexpected_error", error: "TypeError", invocationId: "inv-inner" }),
      ]);
      expect(stderr).not.toHaveBeenCalled();
    });
  });
});

describe("functions/http.ts: the correlation id is the W3C trace id", () => {
  const app = recordingApp();
  beforeAll(() => registerHttp(app, functionTable({ includeDev: false }), unusedRuntime));
  const catchAll = () => app.calls.http.find((c) => c.name === CATCH_ALL_NAME)!.options;
  const call = async (traceParent: string | undefined, headers: Headers = {}) => {
    const req = new HttpRequest({ method: "GET", url: "http://127.0.0.1:7071/api/v1/none", headers });
    const ctx = new InvocationContext({ invocationId: "inv-t", traceContext: { traceParent } });
    const res = (await catchAll().handler(req, ctx)) as HttpResponseInit;
    return { header: (res.headers as Headers)["x-correlation-id"], body: problemOf(res) };
  };
  const HOST = "0af7651916cd43dd8448eb211c80319c";
  const CALLER = "4bf92f3577b34da6a3ce929d0e0e4736";

  it("is the host's trace id for the invocation (the host continues the caller's traceparent)", async () => {
    const res = await call(`00-${HOST}-b7ad6b7169203331-01`, {
      traceparent: `00-${CALLER}-00f067aa0ba902b7-01`,
    });
    expect(res.header).toBe(HOST);
    expect(res.body.correlationId).toBeUndefined(); // a 404 quotes it only in the header
  });

  it("else the request's own valid traceparent, else a new trace id", async () => {
    expect((await call(undefined, { traceparent: `00-${CALLER}-00f067aa0ba902b7-01` })).header).toBe(CALLER);
    expect((await call("|legacy.1.", { traceparent: `00-${CALLER}-00f067aa0ba902b7-01` })).header).toBe(
      CALLER,
    );
    const fresh = (await call(undefined, { traceparent: `00-${"0".repeat(32)}-00f067aa0ba902b7-01` })).header;
    expect(fresh).toMatch(/^[0-9a-f]{32}$/);
    expect(fresh).not.toBe("0".repeat(32));
  });
});

describe("the function table, checked against the host's routing when built", () => {
  const table = functionTable({ includeDev: true });
  const catchAll = table.find((f): f is HttpCatchAllFunction => f.trigger === "httpCatchAll")!;

  it("holds one catch-all, named after every other function, for every method", () => {
    expect(table.filter((f) => f.trigger === "httpCatchAll")).toHaveLength(1);
    expect(catchAll.name).toBe(CATCH_ALL_NAME);
    expect(catchAll.route).toBe("{*path}");
    expect(catchAll.methods).toEqual(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]);
    for (const f of table)
      if (f !== catchAll) expect(compareFunctionNames(f.name, catchAll.name)).toBeLessThan(0);
  });

  it("refuses a table whose catch-all sorts before routes (in Azure they would answer 404)", () => {
    const early = { ...catchAll, name: "notFound" };
    expect(() => checkFunctionTable([...table.filter((f) => f !== catchAll), early])).toThrow(
      /would not route in Azure[\s\S]*"slaView" but "notFound" takes it/,
    );
  });

  it("refuses a literal route that a parameter route named before it shadows, for the same method", () => {
    const getRequest = table.find((f) => f.name === "getRequest")!;
    if (getRequest.trigger !== "http") throw new Error("getRequest is an HTTP route");
    const overdue = {
      trigger: "http" as const,
      name: "overdueRequests",
      route: { ...getRequest.route, name: "overdueRequests", path: "v1/requests/overdue" },
    };
    expect(() => checkFunctionTable([...table, overdue])).toThrow(
      /"overdueRequests" but "getRequest" takes it/,
    );
    // Another method on the same path shadows nothing; a name that sorts first wins the path.
    expect(() =>
      checkFunctionTable([...table, { ...overdue, route: { ...overdue.route, method: "DELETE" } }]),
    ).not.toThrow();
    const first = {
      ...overdue,
      name: "aOverdueRequests",
      route: { ...overdue.route, name: "aOverdueRequests" },
    };
    expect(() => checkFunctionTable([...table, first])).not.toThrow();
  });

  it("refuses names the host refuses or confuses, whatever the trigger", () => {
    const timer = table.find((f) => f.trigger === "timer")!;
    expect(() => checkFunctionTable([...table, { ...timer, name: "RetentionSweep" }])).toThrow(/named/);
    expect(() => checkFunctionTable([...table, { ...timer, name: "retention.sweep" }])).toThrow(/valid/);
  });

  it("answers through the catch-all as the local host does: 405 for a known path, else 404", () => {
    expect(catchAll.answer("DELETE", "/api/health")).toMatchObject({
      status: 405,
      headers: { allow: "GET" },
    });
    expect(catchAll.answer("GET", "/API/_dev/token")).toMatchObject({
      status: 405,
      headers: { allow: "POST" },
    });
    expect(catchAll.answer("GET", "/api/v1/nothing")).toMatchObject({ status: 404 });
    expect(catchAll.answer("GET", "/api")).toMatchObject({ status: 404 });
    expect(catchAll.answer("GET", "/apiv1/health")).toMatchObject({ status: 404 });
  });
});

describe("functions/queues.ts registerQueues", () => {
  const received: { rt: Runtime; body: unknown; meta: { messageId: string; deliveryCount: number } }[] = [];
  const purge: QueueFunction = {
    trigger: "queue",
    name: "accountPurge",
    queue: "account-purge",
    async handle(rt, body, meta) {
      received.push({ rt, body, meta });
      if ((body as { fail?: boolean }).fail) throw new Error("transient");
    },
  };
  const rotation: QueueFunction = { ...purge, name: "backupRotation", queue: "backup-rotation" };
  const rt = { marker: "runtime" } as unknown as Runtime;
  const app = recordingApp();
  registerQueues(
    app,
    [...functionTable({ includeDev: false }).filter((f) => f.trigger !== "queue"), purge, rotation],
    async () => rt,
  );

  it("registers each queue entry on its queue with the identity-based ServiceBusConnection", () => {
    expect(app.calls.serviceBusQueue.map((c) => c.name)).toEqual(["accountPurge", "backupRotation"]);
    for (const { options } of app.calls.serviceBusQueue)
      expect(options.connection).toBe("ServiceBusConnection");
    expect(app.calls.serviceBusQueue.map((c) => c.options.queueName)).toEqual([
      "account-purge",
      "backup-rotation",
    ]);
    expect(app.calls.http).toHaveLength(0);
    expect(app.calls.timer).toHaveLength(0);
  });

  it("passes the message, the runtime and the delivery metadata to the handler", async () => {
    received.length = 0;
    const handler = app.calls.serviceBusQueue[0]!.options.handler;
    const ctx = new InvocationContext({
      invocationId: "inv-q",
      triggerMetadata: { messageId: "purge:r-1:3", deliveryCount: 4 },
    });
    await handler({ requestId: "r-1", version: 3 }, ctx);
    expect(received).toEqual([
      { rt, body: { requestId: "r-1", version: 3 }, meta: { messageId: "purge:r-1:3", deliveryCount: 4 } },
    ]);
    await handler({ requestId: "r-2" }, new InvocationContext({ invocationId: "inv-q2" }));
    expect(received[1]!.meta).toEqual({ messageId: "", deliveryCount: 1 });
  });

  it("lets a handler failure propagate, so Service Bus redelivers", async () => {
    const handler = app.calls.serviceBusQueue[0]!.options.handler;
    await expect(handler({ fail: true }, new InvocationContext({ invocationId: "inv-f" }))).rejects.toThrow(
      "transient",
    );
  });
});

describe("functions/timers.ts registerTimers", () => {
  it("registers each timer entry on its schedule, never on startup, and runs it with the runtime", async () => {
    const ran: Runtime[] = [];
    const reconcile: TimerFunction = {
      trigger: "timer",
      name: "reconcile",
      schedule: "0 5 * * * *",
      async handle(rt) {
        ran.push(rt);
      },
    };
    const rt = { marker: "runtime" } as unknown as Runtime;
    const app = recordingApp();
    const table: FunctionEntry[] = [
      ...functionTable({ includeDev: false }).filter((f) => f.trigger !== "timer"),
      reconcile,
    ];
    registerTimers(app, table, async () => rt);
    expect(app.calls.timer).toHaveLength(1);
    const { name, options } = app.calls.timer[0]!;
    expect(name).toBe("reconcile");
    expect(options.schedule).toBe("0 5 * * * *");
    expect(options.runOnStartup).toBe(false);
    await options.handler(
      {
        isPastDue: false,
        schedule: { adjustForDST: true },
        scheduleStatus: { last: "", next: "", lastUpdated: "" },
      },
      new InvocationContext(),
    );
    expect(ran).toEqual([rt]);
  });
});

describe("functions/index.ts, as the Functions host loads it", () => {
  beforeAll(async () => {
    await import("../../functions/index");
  });

  it("registers every non-dev HTTP route plus the catch-all, and no dev route", () => {
    const names = moduleApp.calls.http.map((c) => c.name).sort();
    expect(names).toEqual([...nonDevRoutes.map((r) => r.name), CATCH_ALL_NAME].sort());
    for (const { options } of moduleApp.calls.http) {
      const o = options as HttpFunctionOptions;
      expect(o.authLevel).toBe("anonymous");
      expect(o.route ?? "").not.toMatch(/^_dev\//);
    }
  });

  it("registers every queue and timer entry of the table, queues on ServiceBusConnection", () => {
    const table = functionTable({ includeDev: false });
    const queues = table.filter((f) => f.trigger === "queue");
    const timers = table.filter((f) => f.trigger === "timer");
    expect(moduleApp.calls.serviceBusQueue.map((c) => c.name)).toEqual(queues.map((q) => q.name));
    for (const { options } of moduleApp.calls.serviceBusQueue) {
      expect((options as ServiceBusQueueFunctionOptions).connection).toBe("ServiceBusConnection");
    }
    expect(moduleApp.calls.timer.map((c) => c.name)).toEqual(timers.map((t) => t.name));
  });
});

describe("the build the Functions host loads", () => {
  const root = resolve(__dirname, "../..");
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { main?: string };

  it("points package.json main at dist/functions/index.js", () => {
    expect(pkg.main).toBe("dist/functions/index.js");
  });

  it("compiles functions/ as CommonJS to exactly the file main names", () => {
    const file = join(root, "tsconfig.build.json");
    const read = ts.readConfigFile(file, (p) => ts.sys.readFile(p));
    expect(read.error).toBeUndefined();
    const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, dirname(file));
    expect(parsed.errors).toEqual([]);
    const entry = join(root, "functions", "index.ts");
    const inputs = parsed.fileNames.map((f) => resolve(f));
    for (const f of ["index.ts", "http.ts", "queues.ts", "timers.ts", "runtime.ts"]) {
      expect(inputs, f).toContain(join(root, "functions", f));
    }
    expect(parsed.options.module).toBe(ts.ModuleKind.CommonJS);
    expect(parsed.options.noEmit).toBe(false);
    const outDir = parsed.options.outDir!;
    const rootDir = parsed.options.rootDir ?? root;
    const emitted = join(outDir, relative(rootDir, entry)).replace(/\.ts$/, ".js");
    expect(emitted).toBe(resolve(root, pkg.main ?? ""));
  });
});
