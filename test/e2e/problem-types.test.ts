import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { problemTypes } from "../../src/http/problem-types";
import { checkedFetch } from "../support/contract";
import { startTestHost, type TestHost } from "../support/host";

/**
 * Every problem `type` is an absolute URI under the service's public address (PUBLIC_BASE_URL) that
 * resolves to a page about it. That every problem the suite meets has a type in the catalogue is
 * checked on each answer (test/support/contract.ts); here, each page is served.
 */
const PUBLIC = "https://dpdp.example.test";
let host: TestHost;
let origin: string;

beforeAll(async () => {
  host = await startTestHost({ PUBLIC_BASE_URL: PUBLIC });
  origin = host.url.replace(/\/api$/, "");
});
afterAll(async () => {
  await host?.stop();
});

describe("problem types", () => {
  it("a problem names its type under the public address, and that page answers with the type's title", async () => {
    const res = await host.call("GET", "/v1/requests");
    expect(res.status).toBe(401);
    expect(res.body.type).toBe(`${PUBLIC}/api/problems/unauthenticated`);
    const page = await checkedFetch(`${origin}${new URL(res.body.type as string).pathname}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<h1>Unauthenticated</h1>");
  });

  it("every catalogue entry's page is 200 HTML with its title, no script, and a CSP that forbids one", async () => {
    for (const t of problemTypes) {
      const res = await checkedFetch(`${origin}/api/problems/${t.slug}`);
      expect(res.status, t.slug).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(res.headers.get("content-security-policy")).toMatch(/^default-src 'none'/);
      expect(res.headers.get("cache-control")).toMatch(/^public, max-age=\d+$/);
      const html = await res.text();
      expect(html).toContain(`<title>${t.title} (${t.status})`);
      expect(html).toContain(`<h1>${t.title}</h1>`);
      expect(html).not.toMatch(/<script/i);
    }
  });

  it("an unknown type is a 404 problem", async () => {
    const res = await host.call("GET", "/problems/no-such-problem");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(res.body.type).toBe(`${PUBLIC}/api/problems/not-found`);
  });
});
