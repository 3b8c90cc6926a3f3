import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PolicyView } from "../../../src/http/routes/policy";
import { openTarget, type Target } from "../../support/target";

/**
 * What any host of this service answers over HTTP alone: the local host here, the real Functions host in
 * .github/workflows/real-components.yml (test/support/target.ts chooses). No dev routes, tokens or store access.
 */

let target: Target;
beforeAll(async () => {
  target = await openTarget();
});
afterAll(async () => {
  await target?.close();
});

type Res = Awaited<ReturnType<Target["call"]>>;

function expectProblem(res: Res, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, title: expect.any(String), type: expect.any(String) });
}

describe("portable: the service answers", () => {
  it("GET /health/live: 200 without touching a store, not cached", async () => {
    const res = await target.call("GET", "/health/live");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: "ok" });
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  it("GET /openapi.json: an OpenAPI 3.1 document listing the public routes", async () => {
    const res = await target.call("GET", "/openapi.json");
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\.1\.\d+$/);
    const paths = Object.keys(res.body.paths as Record<string, unknown>);
    expect(paths.some((p) => p.endsWith("/v1/requests"))).toBe(true);
    expect(paths.some((p) => p.endsWith("/v1/policy"))).toBe(true);
  });

  it("GET /v1/policy: public, and valid against its own schema", async () => {
    const res = await target.call("GET", "/v1/policy");
    expect(res.status).toBe(200);
    expect(PolicyView.parse(res.body)).toEqual(res.body);
    expect(res.body.periods.length).toBeGreaterThan(0);
  });
});

describe("portable: errors and correlation", () => {
  it("404 for an unknown route, as problem+json", async () => {
    expectProblem(await target.call("GET", "/v1/nothing-here"), 404);
  });

  it("405 for a known path with the wrong method, naming the allowed one", async () => {
    const res = await target.call("POST", "/health/live");
    expectProblem(res, 405);
    expect(res.headers.get("allow")).toBe("GET");
  });

  it("every answer carries its own correlation id", async () => {
    const a = await target.call("GET", "/health/live");
    const b = await target.call("GET", "/v1/nothing-here");
    const ids = [a, b].map((r) => r.headers.get("x-correlation-id"));
    for (const id of ids) expect(id).toMatch(/^[0-9a-f-]{32,36}$/);
    expect(ids[0]).not.toBe(ids[1]);
  });
});
