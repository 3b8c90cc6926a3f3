import { describe, expect, it } from "vitest";
import {
  compareFunctionNames,
  createDispatcher,
  createHostRouter,
  HOST_HTTP_METHODS,
  hostRoutingProblems,
  parseRouteTemplate,
  type Resolution,
} from "../../src/http/dispatch";
import type { HttpRoute } from "../../src/http/route";
import type { Method } from "../../src/http/types";

const fake = (name: string, method: Method, path: string): HttpRoute => ({
  name,
  method,
  path,
  summary: name,
  access: "public",
  responses: {},
  handle: async () => ({ status: 204 }),
});

const routes = [
  fake("getRequest", "GET", "v1/requests/{id}"),
  fake("listRequests", "GET", "v1/requests"),
  fake("createRequest", "POST", "v1/requests"),
  fake("verify", "POST", "v1/requests/{id}/verification"),
  fake("resend", "POST", "v1/requests/{id}/verification/resend"),
  fake("cancel", "POST", "v1/requests/{id}/cancel"),
  fake("exportLink", "GET", "v1/requests/{id}/export"),
  fake("overdue", "GET", "v1/requests/overdue"),
  fake("reactivate", "POST", "v1/accounts/{tenantId}/reactivate"),
  fake("inventory", "GET", "v1/subjects/inventory"),
  fake("health", "GET", "health"),
  fake("files", "GET", "files/{*path}"),
];

const dispatch = createDispatcher(routes);

const matched = (r: Resolution) => {
  if (r.kind !== "match") throw new Error(`expected a match, got ${JSON.stringify(r)}`);
  return { name: r.route.name, params: r.params };
};

describe("createDispatcher", () => {
  it("matches literal routes and parameter routes with their params", () => {
    expect(matched(dispatch("GET", "health"))).toEqual({ name: "health", params: {} });
    expect(matched(dispatch("GET", "v1/requests/r-1"))).toEqual({
      name: "getRequest",
      params: { id: "r-1" },
    });
    expect(matched(dispatch("POST", "v1/requests/r-1/verification/resend"))).toEqual({
      name: "resend",
      params: { id: "r-1" },
    });
    expect(matched(dispatch("POST", "v1/accounts/t-9/reactivate"))).toEqual({
      name: "reactivate",
      params: { tenantId: "t-9" },
    });
  });

  it("routes in function-name order, first template-and-method match, whatever the declaration order", () => {
    // The host: functions ordered by name, OrdinalIgnoreCase (azure-functions-host
    // FunctionMetadataManager.cs:192), routes added in that order, first match wins
    // (WebScriptHostHttpRoutesManager.cs:48-68, WebJobsRouteBuilder.Build). "getRequest" sorts before
    // "overdue", so its parameter takes "overdue" (azure-functions-host#9876: Details beat List).
    expect(matched(dispatch("GET", "v1/requests/overdue"))).toEqual({
      name: "getRequest",
      params: { id: "overdue" },
    });
    expect(matched(createDispatcher([...routes].reverse())("GET", "v1/requests/overdue")).name).toBe(
      "getRequest",
    );
    // Named to sort first, the literal route wins; the parameter route takes every other value.
    const renamed = createDispatcher([...routes, fake("aOverdue", "GET", "v1/requests/overdue")]);
    expect(matched(renamed("GET", "v1/requests/overdue")).name).toBe("aOverdue");
    expect(matched(renamed("GET", "v1/requests/overdue2")).name).toBe("getRequest");
    // A route of another method never shadows: the method is part of the match.
    expect(matched(dispatch("POST", "v1/requests")).name).toBe("createRequest");
  });

  it("orders names as StringComparer.OrdinalIgnoreCase: upper-cased, then by code unit", () => {
    expect(compareFunctionNames("Zeta", "alpha")).toBeGreaterThan(0);
    expect(compareFunctionNames("HEALTH", "health")).toBe(0);
    // "_" (0x5F) is after "Z" (0x5A): upper-casing, not lower-casing, decides.
    expect(compareFunctionNames("a_b", "ab")).toBeGreaterThan(0);
    expect(compareFunctionNames("a-b", "ab")).toBeLessThan(0);
    // So "z_x" sorts after "zzNotFound": the catch-all's name alone proves nothing, the table check does.
    expect(["zzNotFound", "Health", "approve", "z_x"].sort(compareFunctionNames)).toEqual([
      "approve",
      "Health",
      "zzNotFound",
      "z_x",
    ]);
  });

  it("matches literal segments ignoring case, as ASP.NET Core routing does, and keeps the value's case", () => {
    expect(matched(dispatch("GET", "HEALTH")).name).toBe("health");
    expect(matched(dispatch("GET", "V1/Requests/R-1"))).toEqual({
      name: "getRequest",
      params: { id: "R-1" },
    });
  });

  it("decodes parameters after splitting, so an encoded slash stays inside one", () => {
    expect(matched(dispatch("GET", "v1/requests/r%20x%C3%A9")).params).toEqual({ id: "r xé" });
    expect(matched(dispatch("GET", "v1/requests/a%2Fb")).params).toEqual({ id: "a/b" });
    expect(dispatch("POST", "v1/accounts%2Ft-1%2Freactivate")).toEqual({ kind: "not_found" });
  });

  it("matches methods case-insensitively, ignores one trailing slash, and matches nothing on an empty segment", () => {
    // dotnet/aspnetcore PathTokenizer (trailing "/" ignored) and RoutePatternMatcher (an empty segment
    // fails the match, before any catch-all).
    expect(matched(dispatch("get", "health")).name).toBe("health");
    expect(matched(dispatch("GET", "/health/")).name).toBe("health");
    expect(dispatch("GET", "v1//requests")).toEqual({ kind: "not_found" });
    expect(dispatch("GET", "health//")).toEqual({ kind: "not_found" });
    const route = createHostRouter([{ name: "zzNotFound", route: "{*path}", methods: HOST_HTTP_METHODS }]);
    expect(route("GET", "/api//requests")).toBeUndefined();
    expect(route("GET", "/api/v1/requests")?.params).toEqual({ path: "v1/requests" });
    // After the catch-all's first segment the matcher stops looking: empty segments are its value's.
    expect(route("GET", "/api/v1//requests")?.params).toEqual({ path: "v1//requests" });
    expect(route("GET", "/elsewhere")).toBeUndefined();
  });

  it("answers 405 with the allowed methods for a known path and a wrong method", () => {
    expect(dispatch("DELETE", "v1/requests")).toEqual({ kind: "method_not_allowed", allow: ["GET", "POST"] });
    expect(dispatch("GET", "v1/requests/r-1/cancel")).toEqual({
      kind: "method_not_allowed",
      allow: ["POST"],
    });
    expect(dispatch("PUT", "health")).toEqual({ kind: "method_not_allowed", allow: ["GET"] });
    // A literal and a parameter route both match this path: the method is listed once.
    expect(dispatch("DELETE", "v1/requests/overdue")).toEqual({ kind: "method_not_allowed", allow: ["GET"] });
  });

  it("answers 404 for a path no route matches", () => {
    for (const path of [
      "",
      "nope",
      "v1",
      "v1/requests/r-1/unknown",
      "v1/requests/r-1/cancel/extra",
      "healthz",
    ]) {
      expect(dispatch("GET", path), path).toEqual({ kind: "not_found" });
    }
  });

  it("treats a {*path} parameter as a catch-all of the rest of the path", () => {
    expect(matched(dispatch("GET", "files/a/b/c.txt"))).toEqual({
      name: "files",
      params: { path: "a/b/c.txt" },
    });
    expect(matched(dispatch("GET", "files/one"))).toEqual({ name: "files", params: { path: "one" } });
    expect(matched(dispatch("GET", "files/a%20b/c"))).toEqual({ name: "files", params: { path: "a b/c" } });
    expect(dispatch("POST", "files/a/b")).toEqual({ kind: "method_not_allowed", allow: ["GET"] });
  });

  it("takes a catch-all named after every other function last, and one named before them first", () => {
    const all = [...HOST_HTTP_METHODS];
    const last = createDispatcher([fake("zzNotFound", "GET", "{*path}"), ...routes]);
    expect(matched(last("GET", "anything/at/all"))).toEqual({
      name: "zzNotFound",
      params: { path: "anything/at/all" },
    });
    expect(matched(last("GET", "health")).name).toBe("health");
    expect(matched(last("GET", "v1/requests/r-1")).name).toBe("getRequest");
    // Named "notFound", it sorts before "overdue", "reactivate", "resend" …: in Azure they answer 404.
    const first = createDispatcher([fake("notFound", "GET", "{*path}"), ...routes]);
    expect(matched(first("GET", "v1/subjects/inventory")).name).toBe("inventory");
    expect(matched(first("GET", "files/a")).name).toBe("files");
    expect(matched(first("GET", "health")).name).toBe("health");
    const fns = (catchAll: string) => [
      ...routes.map((r) => ({ name: r.name, route: r.path, methods: [r.method] })),
      { name: catchAll, route: "{*path}", methods: all },
    ];
    expect(hostRoutingProblems(fns("notFound"))).toEqual(
      expect.arrayContaining([
        expect.stringContaining('should reach "resend" but "notFound" takes it'),
        expect.stringContaining('should reach "reactivate" but "notFound" takes it'),
      ]),
    );
    expect(hostRoutingProblems(fns("zzNotFound"))).toEqual([
      // Still refused: the parameter route sorts first and shadows the literal (see above).
      expect.stringContaining('should reach "overdue" but "getRequest" takes it'),
    ]);
  });

  it("reproduces the reports of the host's order: nodejs-library#300 and azure-functions-host#6062", () => {
    // #300: optional parameters; "accounts" sorts before "products" and takes its paths.
    const optional = [
      { name: "accounts", route: "accounts/{accountId?}/{action?}", methods: ["GET"] },
      { name: "products", route: "accounts/{accountId?}/products/{productId?}", methods: ["GET"] },
    ];
    const route = createHostRouter(optional);
    expect(route("GET", "/api/accounts/12345/products/")).toEqual({
      fn: optional[0],
      params: { accountId: "12345", action: "products" },
    });
    expect(route("GET", "/api/accounts")?.params).toEqual({});
    expect(route("GET", "/api/accounts/1/products/2")?.fn.name).toBe("products");
    expect(hostRoutingProblems(optional)).toEqual([expect.stringContaining('should reach "products"')]);
    // #6062 (2020, before the host sorted by name): "Greet" sorts before "Hello" now, so it wins.
    const greet = createHostRouter([
      { name: "Hello", route: "{name}", methods: ["GET"] },
      { name: "Greet", route: "greet", methods: ["GET"] },
    ]);
    expect(greet("GET", "/api/greet")?.fn.name).toBe("Greet");
    expect(greet("GET", "/api/bob")?.params).toEqual({ name: "bob" });
  });

  it("applies the inline constraints it models, and refuses templates it does not", () => {
    const route = createHostRouter([
      { name: "a", route: "items/{id:int}", methods: ["GET"] },
      { name: "b", route: "items/{code:alpha:length(3)}", methods: ["GET"] },
      { name: "c", route: "items/{slug:minlength(5)}", methods: ["GET"] },
    ]);
    expect(route("GET", "/api/items/42")?.fn.name).toBe("a");
    expect(route("GET", "/api/items/abc")?.fn.name).toBe("b");
    expect(route("GET", "/api/items/abcdef")?.fn.name).toBe("c");
    expect(route("GET", "/api/items/ab")).toBeUndefined();
    for (const bad of ["{a}.{b}", "x/{id=5}", "x/{id:regex(^a$)}", "a//b", "/a", "{*rest}/x", "x/{*rest?}"]) {
      expect(() => parseRouteTemplate(bad), bad).toThrow();
    }
  });

  it("refuses what the host refuses: same route and method twice, reserved routes, bad names", () => {
    const get = (name: string, route: string) => ({ name, route, methods: ["GET"] });
    expect(hostRoutingProblems([get("a", "v1/x"), get("b", "V1/X")])).toEqual([
      expect.stringContaining('"a" and "b" have the same route and method GET'),
    ]);
    expect(hostRoutingProblems([get("a", "v1/x"), { name: "b", route: "v1/x", methods: ["POST"] }])).toEqual(
      [],
    );
    expect(hostRoutingProblems([get("a", "administration")])).toEqual([expect.stringContaining("admin")]);
    expect(hostRoutingProblems([get("host", "x")])).toHaveLength(1);
    expect(hostRoutingProblems([get("1st", "x")])).toHaveLength(1);
    expect(hostRoutingProblems([get("Same", "x"), get("same", "y")])).toEqual([
      expect.stringContaining("one name to the host"),
    ]);
  });

  it.each(["v1/requests/%E0%A4%A", "v1/requests/%", "v1/requests/%zz", "%C3%28/x"])(
    "answers not_found for malformed percent-encoding %s",
    (path) => {
      expect(dispatch("GET", path)).toEqual({ kind: "not_found" });
    },
  );
});
