import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestHost, type TestHost } from "../support/host";

/** The local host's page server answers only the build's own files (src/local/web-server.ts). */
let host: TestHost;
let origin: string;
beforeAll(async () => {
  host = await startTestHost();
  origin = new URL(host.url).origin;
});
afterAll(async () => {
  await host?.stop();
});

describe("the pages' static server", () => {
  it("serves each page's three files with the CSP, and nothing else", async () => {
    for (const file of ["", "index.html", "app.js", "app.css"]) {
      const res = await fetch(`${origin}/privacy/${file}`);
      expect(res.status, file).toBe(200);
      expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    }
    for (const path of [
      "/privacy/constructor",
      "/privacy/__proto__",
      "/console/toString",
      "/privacy/..%2Fpackage.json",
    ]) {
      const res = await fetch(`${origin}${path}`);
      expect(res.status, path).toBe(404);
    }
    expect((await fetch(`${origin}/console/`, { method: "POST" })).status).toBe(405);
    const bare = await fetch(`${origin}/console`, { redirect: "manual" });
    expect(bare.status).toBe(308);
    expect(bare.headers.get("location")).toBe("/console/");
  });
});
