import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestHost, type TestHost } from "../support/host";

/**
 * RateLimit / RateLimit-Policy (draft-ietf-httpapi-ratelimit-headers-11) beside Retry-After, and
 * caching: authenticated answers are `no-store` (every one the suite receives is checked in
 * test/support/contract.ts), published documents say how long they may be kept.
 */
const HOUR = 3_600_000;
let host: TestHost;
beforeAll(async () => {
  host = await startTestHost();
});
afterAll(async () => {
  await host?.stop();
});

const grievance = (n: number) => ({
  kind: "grievance",
  contact: { email: `ratelimit-${n}@example.com` },
  details: { summary: `Complaint number ${n}` },
});

const item = (header: string | null) => {
  const m = /^"([a-z0-9_.-]+)"((?:;[a-z]+=\d+)+)$/.exec(header ?? "");
  if (!m) throw new Error(`not a RateLimit item: ${header}`);
  return {
    name: m[1],
    ...Object.fromEntries([...m[2]!.matchAll(/;([a-z]+)=(\d+)/g)].map((p) => [p[1], Number(p[2])])),
  };
};

describe("RateLimit headers", () => {
  it("a public request advertises its limit, remaining counts down, and the 429 says when it resets", async () => {
    const now = host.runtime.app.ports.clock.now().getTime();
    await host.runtime.dev!.advanceClock(new Date((Math.floor(now / HOUR) + 1) * HOUR + 1000));
    // One client (the address the trusted front end writes), its own budget on this host.
    const from = { "x-forwarded-for": "203.0.113.77" };
    const remaining: number[] = [];
    let policy: Record<string, unknown> | undefined;
    for (let i = 1; i <= 20; i++) {
      const res = await host.call("POST", "/v1/requests", { body: grievance(i), headers: from });
      expect(res.status).toBe(201);
      const advertised = item(res.headers.get("ratelimit-policy"));
      policy = advertised;
      const state = item(res.headers.get("ratelimit"));
      expect(state.name).toBe(advertised.name);
      expect(state.t).toBeGreaterThan(0);
      expect(state.t).toBeLessThanOrEqual(3600);
      remaining.push(state.r as number);
    }
    expect(policy).toEqual({ name: "client", q: 20, w: 3600 });
    expect(remaining).toEqual(Array.from({ length: 20 }, (_, i) => 19 - i));

    const refused = await host.call("POST", "/v1/requests", { body: grievance(21), headers: from });
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(item(refused.headers.get("ratelimit-policy"))).toEqual({ name: "client", q: 20, w: 3600 });
    expect(item(refused.headers.get("ratelimit"))).toEqual({ name: "client", r: 0, t: retryAfter });
  });

  it("an answer that consumed no limit carries none", async () => {
    const res = await host.call("GET", "/v1/policy");
    expect(res.headers.get("ratelimit")).toBeNull();
    const staff = await host.call("GET", "/v1/requests", { token: await host.token("privacy_officer") });
    expect(staff.headers.get("ratelimit")).toBeNull();
  });
});

describe("caching", () => {
  it("authenticated answers are no-store, successes and refusals alike", async () => {
    const member = await host.token("member", "t-cache");
    for (const [method, path] of [
      ["GET", "/v1/requests"],
      ["GET", "/v1/sla"],
      ["GET", "/v1/backups"],
    ] as const) {
      const res = await host.call(method, path, { token: member });
      expect(res.headers.get("cache-control"), `${method} ${path} → ${res.status}`).toBe("no-store");
    }
  });

  it("published, public documents say how long they may be kept", async () => {
    for (const path of ["/openapi.json", "/v1/policy", "/problems/not-found"]) {
      const res = await host.call("GET", path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("cache-control"), path).toMatch(/^public, max-age=[1-9]\d*$/);
    }
  });
});
