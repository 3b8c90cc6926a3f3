import { describe, expect, it } from "vitest";
import { createDispatcher, type Resolution } from "../../src/http/dispatch";
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

  it("lets a literal segment beat a parameter, whatever the declaration order", () => {
    expect(matched(dispatch("GET", "v1/requests/overdue")).name).toBe("overdue");
    expect(matched(createDispatcher([...routes].reverse())("GET", "v1/requests/overdue")).name).toBe(
      "overdue",
    );
    // The parameter route still takes every other value.
    expect(matched(dispatch("GET", "v1/requests/overdue2")).name).toBe("getRequest");
  });

  it("decodes parameters after splitting, so an encoded slash stays inside one", () => {
    expect(matched(dispatch("GET", "v1/requests/r%20x%C3%A9")).params).toEqual({ id: "r xé" });
    expect(matched(dispatch("GET", "v1/requests/a%2Fb")).params).toEqual({ id: "a/b" });
    expect(dispatch("POST", "v1/accounts%2Ft-1%2Freactivate")).toEqual({ kind: "not_found" });
  });

  it("matches methods case-insensitively and ignores empty segments", () => {
    expect(matched(dispatch("get", "health")).name).toBe("health");
    expect(matched(dispatch("GET", "/health/")).name).toBe("health");
    expect(matched(dispatch("GET", "v1//requests")).name).toBe("listRequests");
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

  it("routes everything to a root catch-all, after every more specific route", () => {
    const withCatchAll = createDispatcher([fake("notFound", "GET", "{*path}"), ...routes]);
    expect(matched(withCatchAll("GET", "anything/at/all"))).toEqual({
      name: "notFound",
      params: { path: "anything/at/all" },
    });
    expect(matched(withCatchAll("GET", "health")).name).toBe("health");
    expect(matched(withCatchAll("GET", "v1/requests/r-1")).name).toBe("getRequest");
  });

  it.each(["v1/requests/%E0%A4%A", "v1/requests/%", "v1/requests/%zz", "%C3%28/x"])(
    "answers not_found for malformed percent-encoding %s",
    (path) => {
      expect(dispatch("GET", path)).toEqual({ kind: "not_found" });
    },
  );
});
