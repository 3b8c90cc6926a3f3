import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { API_VERSION, openApiDocument } from "../../src/http/openapi";
import { problem, problemTypeUri } from "../../src/http/problem";
import { problemTypes } from "../../src/http/problem-types";
import { allRoutes } from "../../src/http/routes";
import { checkAnswer, ContractError } from "../support/contract";

const root = join(__dirname, "..", "..");
type Op = { responses: Record<string, { $ref?: string }>; parameters?: { $ref?: string; name?: string }[] };
const doc = openApiDocument(allRoutes(false)) as {
  info: { version: string };
  paths: Record<string, Record<string, Op>>;
  components: Record<string, Record<string, unknown>>;
};
const op = (path: string, method: string) => doc.paths[path]![method]!;

describe("docs/openapi.json", () => {
  it("is what the code generates (run `npm run openapi` after changing a route)", () => {
    const published: unknown = JSON.parse(readFileSync(join(root, "docs", "openapi.json"), "utf8"));
    expect(published).toEqual(doc);
  });

  it("has the package's version", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
    expect(doc.info.version).toBe(pkg.version);
    expect(API_VERSION).toBe(pkg.version);
  });

  it("passes Redocly CLI's recommended rules, offline", () => {
    // Fast (about a second) so it runs here too; the environment turns off every call home.
    const out = execFileSync(
      process.execPath,
      [join(root, "node_modules", "@redocly", "cli", "bin", "cli.js"), "lint", "docs/openapi.json"],
      {
        cwd: root,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          REDOCLY_TELEMETRY: "off",
          REDOCLY_SUPPRESS_UPDATE_NOTICE: "true",
          REDOCLY_SUPPRESS_NOTIFICATIONS: "true",
        },
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
        timeout: 20_000,
      },
    );
    expect(out + "").not.toMatch(/error/i);
  }, 30_000);
});

describe("the OpenAPI document", () => {
  it("shares parameters, headers and the problem answers as components", () => {
    expect(Object.keys(doc.components.parameters!)).toEqual(
      expect.arrayContaining(["IdempotencyKey", "RequestToken", "Traceparent", "ContinuationToken"]),
    );
    expect(Object.keys(doc.components.headers!)).toEqual(
      expect.arrayContaining([
        "X-Correlation-Id",
        "Location",
        "Retry-After",
        "RateLimit",
        "RateLimit-Policy",
        "Idempotent-Replayed",
        "Cache-Control",
      ]),
    );
    expect(Object.keys(doc.components.responses!).length).toBe(13);
    expect(Object.keys(doc.components.schemas!)).toEqual(
      expect.arrayContaining(["Problem", "RequestView", "RequestList", "Health"]),
    );
  });

  it("derives each operation's problem statuses from what the route declares", () => {
    const create = op("/api/v1/requests", "post");
    expect(Object.keys(create.responses)).toEqual(
      expect.arrayContaining(["400", "401", "413", "415", "429", "default"]),
    );
    expect(create.responses.default).toEqual({ $ref: "#/components/responses/InternalServerError" });
    expect(create.parameters).toContainEqual({ $ref: "#/components/parameters/RequestToken" });
    const list = op("/api/v1/requests", "get");
    expect(Object.keys(list.responses)).toEqual(expect.arrayContaining(["400", "401", "403"]));
    expect(list.parameters).toContainEqual({ $ref: "#/components/parameters/ContinuationToken" });
    const live = op("/api/health/live", "get");
    expect(Object.keys(live.responses).sort()).toEqual(["200", "401", "default"]);
    for (const [path, item] of Object.entries(doc.paths))
      for (const o of Object.values(item)) {
        expect(o.parameters, path).toContainEqual({ $ref: "#/components/parameters/Traceparent" });
        expect(Object.keys(o.responses), path).not.toContain("500");
      }
  });

  it("documents Idempotency-Key, 409 and 422 on idempotent routes", () => {
    const routes = allRoutes(false).map((r) => ({ ...r, idempotent: true }));
    const withKey = openApiDocument(routes) as typeof doc;
    const create = withKey.paths["/api/v1/requests"]!.post!;
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(["409", "422"]));
    expect(create.parameters).toContainEqual({ $ref: "#/components/parameters/IdempotencyKey" });
  });
});

describe("the contract checker (test/support/contract.ts)", () => {
  const good = () =>
    new Headers({
      "content-type": "application/json",
      "x-correlation-id": "0af7651916cd43dd8448eb211c80319c",
      "cache-control": "no-store",
    });
  const live =
    (status: number, headers: Headers, body: string, authenticated = false) =>
    () =>
      checkAnswer("GET", "http://127.0.0.1:1/api/health/live", status, headers, body, { authenticated });

  it("accepts an answer the document describes", () => {
    expect(live(200, good(), '{"status":"ok"}')).not.toThrow();
  });

  it("refuses an undocumented status", () => {
    expect(live(418, good(), '{"status":"ok"}')).toThrow(ContractError);
  });

  it("refuses a body that breaks the schema", () => {
    expect(live(200, good(), '{"status":"fine"}')).toThrow(/breaks the schema/);
    expect(live(200, good(), '{"status":"ok","extra":1}')).toThrow(/breaks the schema/);
  });

  it("refuses a missing required header", () => {
    const h = good();
    h.delete("x-correlation-id");
    expect(live(200, h, '{"status":"ok"}')).toThrow(/X-Correlation-Id is missing/);
  });

  it("refuses an undocumented media type, an unknown operation, a storable authenticated answer", () => {
    const html = good();
    html.set("content-type", "text/html");
    expect(live(200, html, "<p>ok</p>")).toThrow(/content-type/);
    expect(() => checkAnswer("PUT", "/api/health/live/x", 200, good(), "")).toThrow(/no operation/);
    const cached = good();
    cached.set("cache-control", "public, max-age=60");
    expect(live(200, cached, '{"status":"ok"}', true)).toThrow(/no-store/);
  });

  it("refuses a problem whose type is not in the catalogue", () => {
    const answer = problem(401, "no");
    const headers = new Headers({ ...answer.headers, "x-correlation-id": "c", "cache-control": "no-store" });
    headers.set("www-authenticate", "Bearer");
    expect(live(401, headers, answer.body!)).not.toThrow();
    const body = { ...(JSON.parse(answer.body!) as object), type: problemTypeUri("teapot") };
    expect(live(401, headers, JSON.stringify(body))).toThrow(/not in the catalogue/);
  });

  it("knows a page for every problem type, one general type per status", () => {
    const general = new Set(problemTypes.map((t) => t.status));
    for (const status of general) expect(JSON.parse(problem(status).body!).type).toMatch(/\/api\/problems\//);
    expect(new Set(problemTypes.map((t) => t.slug)).size).toBe(problemTypes.length);
  });
});
