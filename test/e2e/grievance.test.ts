import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addDuration } from "../../src/domain/duration";
import type { Notification } from "../../src/ports/notifier";
import { startTestHost, type TestHost } from "../support/host";

/**
 * Grievances (Privacy Policy §14) end to end over HTTP: anyone files one, acknowledged at once (an
 * acknowledgement that could not go out within 24 hours is retried and flagged late); resolution due
 * in 15 days (SPDI: one month); staff assign, answer and resolve; the resolution notice says how to
 * escalate to the Data Protection Board; overdue grievances surface in the SLA view.
 */

const DAY = 86_400_000;
let host: TestHost;
let support: string;
let officer: string;
let tenant: { tenantId: string; ownerToken: string };
let clientSeq = 0;
const client = () => ({ "x-forwarded-for": `10.41.${Math.floor(clientSeq / 250)}.${clientSeq++ % 250}` });

async function outbox(to: string): Promise<{ template: string; text: string }[]> {
  return (await host.call("POST", "/_dev/outbox", { body: { to } })).body.messages;
}

async function fileGrievance(email: string, details: Record<string, unknown> = {}) {
  const res = await host.call("POST", "/v1/requests", {
    headers: client(),
    body: {
      kind: "grievance",
      contact: { email },
      details: { summary: "I keep getting messages.", ...details },
    },
  });
  expect(res.status).toBe(201);
  return res;
}

async function slaItem(id: string) {
  const res = await host.call("GET", "/v1/sla?kind=grievance", { token: officer });
  expect(res.status).toBe(200);
  return res.body.items.find((i: { id: string }) => i.id === id);
}

beforeAll(async () => {
  host = await startTestHost();
  support = await host.token("support");
  officer = await host.token("privacy_officer");
  tenant = (await host.call("POST", "/_dev/seed", { body: { conversations: 1, messagesPerConversation: 1 } }))
    .body;
});
afterAll(async () => {
  await host?.stop();
});

describe("a grievance", () => {
  it("is acknowledged at once, assigned, answered and resolved with how to escalate", async () => {
    const related = await host.call("POST", "/v1/requests", {
      token: tenant.ownerToken,
      body: { kind: "correction", corrections: [{ field: "organisation", value: "Nair Travels LLP" }] },
    });
    const res = await fileGrievance("ravi.k@example.in", { relatedRequestId: related.body.id });
    expect(res.body).toMatchObject({ kind: "grievance", status: "in_progress" });
    // Acknowledged in the same call (the dev clock runs in real time between its jumps).
    expect(Date.parse(res.body.acknowledgedAt) - Date.parse(res.body.createdAt)).toBeLessThan(5_000);
    expect(Date.parse(res.body.acknowledgeDueAt) - Date.parse(res.body.createdAt)).toBe(DAY);
    expect(Date.parse(res.body.dueAt) - Date.parse(res.body.createdAt)).toBe(15 * DAY);
    expect((await outbox("ravi.k@example.in")).map((m) => m.template)).toEqual(["grievance_acknowledged"]);
    const id = res.body.id as string;

    const assigned = await host.call("POST", `/v1/requests/${id}/assign`, {
      token: support,
      body: { assignee: "priya.support" },
    });
    expect(assigned.status).toBe(200);
    expect(assigned.body.details.handling).toMatchObject({ assignee: "priya.support" });
    expect(await slaItem(id)).toMatchObject({ assignee: "priya.support", acknowledgement: { late: false } });

    const answered = await host.call("POST", `/v1/requests/${id}/respond`, {
      token: support,
      body: { message: "We have asked the business to stop messaging your number." },
    });
    expect(answered.status).toBe(200);
    expect(answered.body.status).toBe("in_progress");
    expect(answered.body.details.handling.responses).toBe(1);
    const reply = (await outbox("ravi.k@example.in")).at(-1)!;
    expect(reply.template).toBe("grievance_response");
    expect(reply.text).toContain("asked the business to stop");
    expect(reply.text).toContain("karan@callmissed.com");

    const resolved = await host.call("POST", `/v1/requests/${id}/resolve`, {
      token: officer,
      body: { resolution: "The business removed your number from its lists on 3 March." },
    });
    expect(resolved.status).toBe(200);
    expect(resolved.body.status).toBe("completed");
    expect(resolved.body.details.handling.resolution).toMatch(/removed your number/);
    const notice = (await outbox("ravi.k@example.in")).at(-1)!;
    expect(notice.template).toBe("grievance_resolved");
    expect(notice.text).toContain("removed your number from its lists");
    expect(notice.text).toMatch(/Data Protection Board of India/);
    expect(notice.text).toContain("karan@callmissed.com");

    // Closed: nothing more can be done to it, and it leaves the SLA view.
    for (const [verb, body] of [
      ["assign", { assignee: "someone" }],
      ["respond", { message: "hello" }],
      ["resolve", { resolution: "again" }],
    ] as const) {
      expect((await host.call("POST", `/v1/requests/${id}/${verb}`, { token: support, body })).status).toBe(
        409,
      );
    }
    expect(await slaItem(id)).toBeUndefined();

    // The audit trail: every step, keyed hashes of what staff wrote, never the words.
    const trail = await host.call("GET", `/v1/requests/${id}/audit`, { token: officer });
    expect(trail.body.chain.valid).toBe(true);
    expect(trail.body.events.map((e: { action: string }) => e.action)).toEqual([
      "create",
      "acknowledge",
      "assign",
      "respond",
      "complete",
    ]);
    const text = JSON.stringify(trail.body);
    expect(text).not.toContain("priya.support");
    expect(text).not.toContain("removed your number");
    expect(text).not.toContain("ravi.k@example.in");
  });

  it("under the SPDI Rules is due in one month; in Hindi it is answered in Hindi", async () => {
    const res = await host.call("POST", "/v1/requests", {
      headers: client(),
      body: {
        kind: "grievance",
        language: "hi",
        contact: { email: "sunita@example.in" },
        details: { summary: "My health details were shared.", spdi: true },
      },
    });
    expect(res.status).toBe(201);
    expect(res.body.dueAt).toBe(addDuration(new Date(res.body.createdAt), "P1M").toISOString());
    const ack = (await outbox("sunita@example.in")).at(-1)!;
    expect(ack.template).toBe("grievance_acknowledged");
    expect(ack.text).toMatch(/[\u0900-\u097F]{3}/);
    const item = await slaItem(res.body.id);
    expect(item).toMatchObject({ deadline: "spdiGrievanceResolution", dueAt: res.body.dueAt });
  });

  it("whose acknowledgement could not go out is retried hourly and flagged late after 24 hours", async () => {
    const notifier = host.runtime.app.ports.notifier;
    const send = notifier.send.bind(notifier);
    notifier.send = async (n: Notification) => {
      if (n.template === "grievance_acknowledged") throw new Error("mail relay down");
      return send(n);
    };
    try {
      const res = await fileGrievance("asha.k@example.in");
      expect(res.body.acknowledgedAt).toBeUndefined();
      expect(await slaItem(res.body.id)).toMatchObject({ acknowledgement: { late: false } });
      await host.call("POST", "/_dev/clock", { body: { advance: "PT25H" } });
      // Still failing past the 24 hours: flagged late, still without an acknowledgement.
      const late = await slaItem(res.body.id);
      expect(late.acknowledgement.late).toBe(true);
      expect(late.acknowledgement.at).toBeUndefined();
      const view = await host.call("GET", "/v1/sla?kind=grievance", { token: officer });
      expect(view.body.counts.acknowledgementsLate).toBeGreaterThanOrEqual(1);

      notifier.send = send;
      await host.call("POST", "/_dev/clock", { body: { advance: "PT1H" } });
      const read = await host.call("GET", `/v1/requests/${res.body.id}`, { token: support });
      const ackAfter = Date.parse(read.body.acknowledgedAt) - Date.parse(read.body.createdAt);
      expect(ackAfter).toBeGreaterThanOrEqual(26 * 3_600_000);
      expect(ackAfter).toBeLessThan(26 * 3_600_000 + 60_000);
      expect((await outbox("asha.k@example.in")).map((m) => m.template)).toEqual(["grievance_acknowledged"]);
      const flagged = await slaItem(res.body.id);
      expect(flagged.acknowledgement).toMatchObject({ late: true, at: read.body.acknowledgedAt });
      const trail = await host.call("GET", `/v1/requests/${res.body.id}/audit`, { token: officer });
      const actions = trail.body.events.map((e: { action: string }) => e.action);
      expect(actions.filter((a: string) => a === "acknowledge_failed").length).toBeGreaterThanOrEqual(2);
      expect(actions.at(-1)).toBe("acknowledge");
    } finally {
      notifier.send = send;
    }
  });

  it("past its 15 days surfaces as overdue for staff", async () => {
    const res = await fileGrievance("kiran@example.in");
    await host.call("POST", "/_dev/clock", { body: { advance: "P14D" } });
    expect(await slaItem(res.body.id)).toMatchObject({ overdue: false });
    await host.call("POST", "/_dev/clock", { body: { advance: "P1DT1H" } });
    const item = await slaItem(res.body.id);
    expect(item).toMatchObject({ overdue: true, deadline: "grievanceResolution" });
    expect(item.timeLeftSeconds).toBeLessThan(0);
    const overdue = await host.call("GET", "/v1/sla?kind=grievance&overdue=true", { token: officer });
    expect(overdue.body.items.map((i: { id: string }) => i.id)).toContain(res.body.id);
    const listed = await host.call("GET", "/v1/requests?kind=grievance&overdue=true", { token: support });
    expect(listed.body.items.map((i: { id: string }) => i.id)).toContain(res.body.id);
  });
});

describe("bad input and roles", () => {
  it("is 400 problem+json and changes nothing; staff only; 409 on a request that is not a grievance", async () => {
    const res = await fileGrievance("meena@example.in");
    const id = res.body.id as string;
    const cases: [string, unknown][] = [
      ["assign", {}],
      ["assign", { assignee: "" }],
      ["assign", { assignee: "x", extra: 1 }],
      ["respond", {}],
      ["respond", { message: "   " }],
      ["resolve", {}],
      ["resolve", { resolution: "x".repeat(2001) }],
    ];
    for (const [verb, body] of cases) {
      const r = await host.call("POST", `/v1/requests/${id}/${verb}`, { token: support, body });
      expect(r.status, `${verb} ${JSON.stringify(body)}`).toBe(400);
      expect(r.headers.get("content-type")).toMatch(/application\/problem\+json/);
    }
    expect(
      (await host.call("POST", "/v1/requests/r-nope/assign", { token: support, body: { assignee: "a" } }))
        .status,
    ).toBe(400);
    const read = await host.call("GET", `/v1/requests/${id}`, { token: support });
    expect(read.body.details.handling).toBeUndefined();
    expect(read.body.status).toBe("in_progress");
    expect((await outbox("meena@example.in")).map((m) => m.template)).toEqual(["grievance_acknowledged"]);

    expect(
      (
        await host.call("POST", `/v1/requests/${id}/resolve`, {
          token: tenant.ownerToken,
          body: { resolution: "x" },
        })
      ).status,
    ).toBe(403);
    expect(
      (await host.call("POST", `/v1/requests/${id}/resolve`, { body: { resolution: "x" } })).status,
    ).toBe(401);

    const correction = await host.call("POST", "/v1/requests", {
      token: tenant.ownerToken,
      body: { kind: "correction", corrections: [{ field: "name", value: "R. Nair" }] },
    });
    const wrongKind = await host.call("POST", `/v1/requests/${correction.body.id}/assign`, {
      token: support,
      body: { assignee: "priya.support" },
    });
    expect(wrongKind.status).toBe(409);

    for (const details of [
      {},
      { summary: "" },
      { summary: "x", relatedRequestId: "123" },
      { summary: "x", y: 1 },
    ]) {
      const bad = await host.call("POST", "/v1/requests", {
        headers: client(),
        body: { kind: "grievance", contact: { email: "meena@example.in" }, details },
      });
      expect(bad.status, JSON.stringify(details)).toBe(400);
    }
    expect((await outbox("meena@example.in")).length).toBe(1);
  });
});
