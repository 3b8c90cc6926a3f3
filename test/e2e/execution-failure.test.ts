import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Executor } from "../../src/app/context";
import { applyAction } from "../../src/app/requests/transition";
import { startTestHost, type TestHost } from "../support/host";

/**
 * A request that fails in execution shows where it failed; staff retry it from that point; repeated
 * failures alert the privacy officer, once.
 */
let host: TestHost;
let support: string;

beforeAll(async () => {
  host = await startTestHost();
  support = await host.token("support");
});
afterAll(async () => {
  await host?.stop();
});

describe("execution failures", () => {
  it("records the failing step, resumes on retry, alerts after three failures, clears on success", async () => {
    let failuresLeft = 3;
    const steps: string[] = [];
    const executor: Executor = async (app, request, step) => {
      if (request.status === "verified") {
        step("start");
        await applyAction(app, request.id, "start", { kind: "system" }, { notify: false });
      }
      step("record_nominee");
      steps.push("record_nominee");
      if (failuresLeft-- > 0) throw new Error("nominee store unavailable");
      await applyAction(app, request.id, "complete", { kind: "system" }, { notify: false });
    };
    const kinds = host.runtime.app.kinds;
    const previous = kinds.nomination;
    kinds.nomination = { ...previous, execute: executor };
    try {
      const phone = "+919800000001";
      const created = await host.call("POST", "/v1/requests", {
        body: {
          kind: "nomination",
          scope: { type: "whatsapp_number", phone },
          nominee: { name: "Meera Iyer", relation: "sister", email: "meera@example.in" },
        },
      });
      const token = created.body.requestToken as string;
      const out = await host.call("POST", "/_dev/outbox", { body: { to: phone } });
      const code = /\b(\d{6})\b/.exec(out.body.messages.at(-1).text)?.[1];
      const verified = await host.call("POST", `/v1/requests/${created.body.id}/verification`, {
        headers: { "x-request-token": token },
        body: { code },
      });
      expect(verified.status).toBe(200);
      expect(verified.body.status).toBe("in_progress");
      expect(verified.body.failure).toMatchObject({ step: "record_nominee", attempts: 1 });

      const retry = () => host.call("POST", `/v1/requests/${created.body.id}/retry`, { token: support });
      expect((await retry()).body.failure).toMatchObject({ step: "record_nominee", attempts: 2 });
      const alertsBefore = (
        await host.call("POST", "/_dev/outbox", { body: { to: "karan@callmissed.com" } })
      ).body.messages.filter((m: { template: string }) => m.template === "execution_failure_alert").length;
      expect((await retry()).body.failure).toMatchObject({ attempts: 3 });
      const alerts = (
        await host.call("POST", "/_dev/outbox", { body: { to: "karan@callmissed.com" } })
      ).body.messages.filter((m: { template: string }) => m.template === "execution_failure_alert");
      expect(alerts.length).toBe(alertsBefore + 1);
      expect(alerts.at(-1).text).toContain("record_nominee");
      expect(alerts.at(-1).text).not.toContain(phone);

      const done = await retry();
      expect(done.status).toBe(200);
      expect(done.body.status).toBe("completed");
      expect(done.body.failure).toBeUndefined();
      // It resumed at the failed step each time: `start` ran once.
      expect(steps).toEqual(["record_nominee", "record_nominee", "record_nominee", "record_nominee"]);
      expect((await retry()).status).toBe(409);
      const trail = await host.call("GET", `/v1/requests/${created.body.id}/audit`, { token: support });
      expect(
        trail.body.events.filter((e: { action: string }) => e.action === "execution_failed").length,
      ).toBe(3);
      expect(trail.body.chain.valid).toBe(true);
    } finally {
      kinds.nomination = previous;
    }
  });

  it("retry is for staff only, and 409 when nothing failed", async () => {
    const owner = (
      await host.call("POST", "/_dev/seed", { body: { conversations: 1, messagesPerConversation: 1 } })
    ).body;
    const created = await host.call("POST", "/v1/requests", {
      token: owner.ownerToken,
      body: { kind: "correction", corrections: [{ field: "organisation", value: "Iyer Clinic" }] },
    });
    expect(
      (await host.call("POST", `/v1/requests/${created.body.id}/retry`, { token: owner.ownerToken })).status,
    ).toBe(403);
    const res = await host.call("POST", `/v1/requests/${created.body.id}/retry`, { token: support });
    expect(res.status).toBe(409);
    expect(res.body.detail).toMatch(/Nothing has failed/);
  });
});
