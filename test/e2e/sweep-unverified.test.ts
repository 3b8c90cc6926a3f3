import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sweepUnverified } from "../../src/app/requests/verification-timers";
import { addDuration } from "../../src/domain/duration";
import { createPolicy } from "../../src/domain/policy/periods";
import { startTestHost, type TestHost } from "../support/host";

let host: TestHost;
let n = 0;
beforeAll(async () => {
  host = await startTestHost();
});
afterAll(async () => {
  await host?.stop();
});

async function pendingRequest(): Promise<string> {
  const phone = `+9197${String(20_000_000 + n++).padStart(8, "0")}`;
  const res = await host.call("POST", "/v1/requests", {
    body: { kind: "erasure", scope: { type: "whatsapp_number", phone } },
    headers: { "x-forwarded-for": `10.77.1.${n}` },
  });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

describe("sweepUnverified (review)", () => {
  it("reminds a request with no `verification` field once its reminder is due", async () => {
    const app = host.runtime.app;
    const id = await pendingRequest();
    const store = app.stores.requests;
    const now = app.ports.clock.now();
    await store.update(id, (doc) => {
      delete doc.verification;
      doc.createdAt = new Date(now.getTime() - 25 * 3600_000).toISOString();
      return doc;
    });
    await sweepUnverified(app);
    expect((await store.get(id)).verification?.reminderSentAt).toBeDefined();
  });

  it("a month-long expiry with its reminder a few days before: the sweep still reminds", async () => {
    // Legal overrides (reminder before expiry from some start): RETENTION_OVERRIDES.
    const policy = createPolicy({ verificationReminder: "P28D", verificationExpiry: "P1M" });
    const app = { ...host.runtime.app, policy };
    const id = await pendingRequest();
    const store = app.stores.requests;
    const now = app.ports.clock.now();
    const createdAt = new Date(now.getTime() - 28 * 86_400_000 - 3600_000);
    // Preconditions: the reminder is due and the request has not expired yet.
    expect(addDuration(createdAt, "P28D") <= now).toBe(true);
    expect(addDuration(createdAt, "P1M") > now).toBe(true);
    await store.update(id, (doc) => {
      doc.createdAt = createdAt.toISOString();
      return doc;
    });
    const report = await sweepUnverified(app);
    const after = await store.get(id);
    expect(after.status).toBe("pending_verification");
    expect(after.verification?.reminderSentAt).toBeDefined();
    expect(report.reminded).toBeGreaterThanOrEqual(1);
  });
});
