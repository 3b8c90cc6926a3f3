import { CosmosClient } from "@azure/cosmos";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { EMULATOR_COSMOS_KEY } from "../../src/composition";
import { startTestHost, type TestHost } from "../support/host";

/** Liveness touches nothing; readiness (and /health, its older address) checks each store. */
let host: TestHost;
beforeAll(async () => {
  host = await startTestHost();
});
afterAll(async () => {
  await host?.stop();
});

/**
 * A probe past its 5 s budget is reported failing, which is right for a store that slow; on a loaded 2-core
 * CI machine one round trip sometimes is. Azure's own probes retry before acting (App Service health check:
 * several failed pings before an instance is taken out), so a healthy service is one whose readiness says
 * 200 within a few asks, never one that answers 200 to every single ask.
 */
async function readyAnswer(path: string) {
  let answer = await host.call("GET", path);
  for (let attempt = 1; attempt < 3 && answer.status === 503; attempt++)
    answer = await host.call("GET", path);
  return answer;
}

describe("health", () => {
  it("live, ready and /health answer 200 with the stores up, never cached", async () => {
    const live = await host.call("GET", "/health/live");
    expect(live.status).toBe(200);
    expect(live.body).toEqual({ status: "ok" });
    for (const path of ["/health/ready", "/health"]) {
      const ready = await readyAnswer(path);
      expect(ready.status, `${path}: ${JSON.stringify(ready.body)}`).toBe(200);
      expect(ready.body).toMatchObject({ status: "ok", checks: { cosmos: "ok", blob: "ok" } });
    }
    for (const path of ["/health/live", "/health/ready"])
      expect((await host.call("GET", path)).headers.get("cache-control")).toBe("no-store");
  });

  it("with a store gone, ready is 503 naming it (with Retry-After) while live still answers 200", async () => {
    const broken = await startTestHost();
    try {
      const client = new CosmosClient({
        endpoint: inject("cosmosEndpoint"),
        key: EMULATOR_COSMOS_KEY,
        connectionPolicy: { enableEndpointDiscovery: false },
      });
      await client.database(broken.runtime.config.COSMOS_DATABASE).delete();
      client.dispose();
      const ready = await broken.call("GET", "/health/ready");
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({ status: "degraded", checks: { cosmos: "failing", blob: "ok" } });
      expect(Number(ready.headers.get("retry-after"))).toBeGreaterThan(0);
      expect((await broken.call("GET", "/health")).status).toBe(503);
      expect((await broken.call("GET", "/health/live")).status).toBe(200);
    } finally {
      await broken.stop();
    }
  });
});
