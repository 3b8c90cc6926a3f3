import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestHost, type TestHost } from "../support/host";

describe("local host: health, auth, seed, inventory over HTTP", () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startTestHost();
  });
  afterAll(async () => {
    await host?.stop();
  });

  it("answers health with both stores checked", async () => {
    const res = await host.call("GET", "/health");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "ok", checks: { cosmos: "ok", blob: "ok" } });
  });

  it("seeds a tenant and shows its records to the privacy officer only", async () => {
    const seeded = await host.call("POST", "/_dev/seed", {
      body: { conversations: 2, messagesPerConversation: 3 },
    });
    expect(seeded.status).toBe(201);
    const po = await host.token("privacy_officer");
    const inv = await host.call("GET", `/v1/subjects/inventory?tenantId=${seeded.body.tenantId}`, {
      token: po,
    });
    expect(inv.status).toBe(200);
    const messages = inv.body.categories.find((c: { category: string }) => c.category === "messages");
    expect(messages.records).toBe(6);
    const owner = await host.call("GET", `/v1/subjects/inventory?tenantId=${seeded.body.tenantId}`, {
      token: seeded.body.ownerToken,
    });
    expect(owner.status).toBe(403);
    expect((await host.call("GET", `/v1/subjects/inventory?tenantId=x`)).status).toBe(401);
  });
});

describe("local host: real-time delivery", () => {
  let probes = 0;
  const schedule = (host: TestHost) =>
    host.runtime.app.ports.scheduler.schedule({
      queue: "request-timers",
      messageId: `probe-${++probes}`,
      body: { type: "probe" },
      deliverAt: host.runtime.app.ports.clock.now(),
    });

  it("with LOCAL_REALTIME on, a due message is delivered without moving the clock", async () => {
    const host = await startTestHost({ LOCAL_REALTIME: "on" });
    try {
      const ticket = await schedule(host);
      const scheduler = host.runtime.dev!.scheduler;
      for (let i = 0; i < 50 && scheduler.pending().some((j) => j.ticket === ticket); i++)
        await new Promise((r) => setTimeout(r, 100));
      // Delivered: a cancel now finds nothing waiting.
      const outcome = await host.runtime.app.ports.scheduler.cancel("request-timers", ticket);
      expect(outcome).toBe("not_found");
    } finally {
      await host.stop();
    }
  });

  it("with LOCAL_REALTIME off (the tests), it waits for the dev clock", async () => {
    const host = await startTestHost();
    try {
      const ticket = await schedule(host);
      await new Promise((r) => setTimeout(r, 1500));
      expect(await host.runtime.app.ports.scheduler.cancel("request-timers", ticket)).toBe("cancelled");
    } finally {
      await host.stop();
    }
  });
});
