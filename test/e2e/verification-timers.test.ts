import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestHost, type TestHost } from "../support/host";
import { patchPort } from "../support/ports";

/** An unfinished verification: one reminder after 24 hours, expiry with a notice after 7 days. */
let host: TestHost;
let n = 0;

beforeAll(async () => {
  host = await startTestHost();
});
afterAll(async () => {
  await host?.stop();
});

async function pendingRequest() {
  const phone = `+9196${String(10_000_000 + n++).padStart(8, "0")}`;
  const res = await host.call("POST", "/v1/requests", {
    body: { kind: "erasure", scope: { type: "whatsapp_number", phone } },
    headers: { "x-forwarded-for": `10.5.5.${n}` },
  });
  expect(res.status).toBe(201);
  return { id: res.body.id as string, token: res.body.requestToken as string, phone };
}

const notices = async (phone: string) =>
  (await host.call("POST", "/_dev/outbox", { body: { to: phone } })).body.messages as {
    template: string;
    text: string;
  }[];
const templates = async (phone: string) => (await notices(phone)).map((m) => m.template);
const advance = (d: string) => host.call("POST", "/_dev/clock", { body: { advance: d } });
const statusOf = async (id: string, token: string) =>
  (await host.call("GET", `/v1/requests/${id}`, { headers: { "x-request-token": token } })).body.status;

describe("verification reminder and expiry", () => {
  it("one reminder after 24 hours (no code in it), then expiry with a notice after 7 days", async () => {
    const r = await pendingRequest();
    await advance("PT23H");
    expect(await templates(r.phone)).not.toContain("verification_reminder");
    await advance("PT2H");
    expect((await templates(r.phone)).filter((t) => t === "verification_reminder")).toHaveLength(1);
    const reminder = (await notices(r.phone)).find((m) => m.template === "verification_reminder")!;
    expect(reminder.text).not.toMatch(/\b\d{6}\b/);
    expect(reminder.text).toContain("karan@callmissed.com");
    await advance("P2D");
    // The reminder has left the queue (noticeTimeToLive): a second one would be there now.
    expect((await templates(r.phone)).filter((t) => t === "verification_reminder")).toHaveLength(0);
    expect(await statusOf(r.id, r.token)).toBe("pending_verification");
    await advance("P5D");
    expect(await statusOf(r.id, r.token)).toBe("cancelled");
    expect((await templates(r.phone)).filter((t) => t === "verification_expired")).toHaveLength(1);
    const late = await host.call("POST", `/v1/requests/${r.id}/verification`, {
      headers: { "x-request-token": r.token },
      body: { code: "123456" },
    });
    expect(late.status).toBe(409);
    expect(late.body.resourceStatus).toBe("cancelled");
  });

  it("a request verified in time gets neither", async () => {
    const r = await pendingRequest();
    const code = /\b(\d{6})\b/.exec((await notices(r.phone)).at(-1)!.text)![1];
    const ok = await host.call("POST", `/v1/requests/${r.id}/verification`, {
      headers: { "x-request-token": r.token },
      body: { code },
    });
    expect(ok.status).toBe(200);
    await advance("P8D");
    const t = await templates(r.phone);
    expect(t).not.toContain("verification_reminder");
    expect(t).not.toContain("verification_expired");
  });

  it("with the scheduled messages lost, the hourly sweep still reminds and expires", async () => {
    const undo = patchPort(host, "scheduler", {
      ...host.runtime.app.ports.scheduler,
      schedule: async () => {
        throw new Error("Service Bus unavailable");
      },
    });
    let r;
    try {
      r = await pendingRequest();
    } finally {
      undo();
    }
    await advance("PT26H");
    expect((await templates(r.phone)).filter((t) => t === "verification_reminder")).toHaveLength(1);
    await advance("P6D");
    expect(await statusOf(r.id, r.token)).toBe("cancelled");
    expect((await templates(r.phone)).filter((t) => t === "verification_expired")).toHaveLength(1);
  });
});
