import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestHost, type TestHost } from "../support/host";

/**
 * The SLA view (GET /sla) end to end over HTTP: every open request and breach with its deadline, time
 * left and overdue flag, most urgent first; each deadline crossed with the dev clock; staff only.
 */

let host: TestHost;
let officer: string;
let support: string;
let tenant: { tenantId: string; ownerToken: string };
const ids = { correction: "", grievance: "", breach: "" };

type Item = {
  id: string;
  kind: string;
  dueAt: string;
  overdue: boolean;
  timeLeftSeconds: number;
  deadline: string;
};

async function sla(
  query = "",
): Promise<{ now: string; items: Item[]; counts: Record<string, number>; awaitingVerification: number }> {
  const res = await host.call("GET", `/v1/sla${query}`, { token: officer });
  expect(res.status).toBe(200);
  return res.body;
}

const find = (items: Item[], id: string) => items.find((i) => i.id === id);
const advance = (duration: string) => host.call("POST", "/_dev/clock", { body: { advance: duration } });

beforeAll(async () => {
  host = await startTestHost();
  officer = await host.token("privacy_officer");
  support = await host.token("support");
  tenant = (await host.call("POST", "/_dev/seed", { body: { conversations: 1, messagesPerConversation: 1 } }))
    .body;
});
afterAll(async () => {
  await host?.stop();
});

describe("the SLA view", () => {
  it("lists every open request and breach, most urgent first, and flags each deadline as it passes", async () => {
    const correction = await host.call("POST", "/v1/requests", {
      token: tenant.ownerToken,
      body: { kind: "correction", corrections: [{ field: "organisation", value: "Joshi Coaching LLP" }] },
    });
    ids.correction = correction.body.id;
    const grievance = await host.call("POST", "/v1/requests", {
      headers: { "x-forwarded-for": "10.61.0.1" },
      body: { kind: "grievance", contact: { email: "neha@example.in" }, details: { summary: "No reply." } },
    });
    ids.grievance = grievance.body.id;
    const now = Date.parse((await advance("PT0S")).body.now);
    const breach = await host.call("POST", "/v1/breaches", {
      token: officer,
      body: {
        discoveredAt: new Date(now).toISOString(),
        nature: "A laptop with an unencrypted export was stolen.",
        dataCategories: ["account"],
        principalsAffected: { estimated: 1 },
        likelyConsequences: "Your name and email may be misused.",
        measuresTaken: "We revoked the laptop's access.",
        safetySteps: "Watch out for phishing emails.",
      },
    });
    ids.breach = breach.body.id;
    // Not listed: an unverified request (its clock has not started), a completed one.
    const unverified = await host.call("POST", "/v1/requests", {
      headers: { "x-forwarded-for": "10.61.0.2" },
      body: { kind: "erasure", scope: { type: "whatsapp_number", phone: "+919846001122" } },
    });
    const access = await host.call("POST", "/v1/requests", {
      token: tenant.ownerToken,
      body: { kind: "access" },
    });
    expect(access.body.status).toBe("completed");

    const view = await sla();
    expect(view.items.map((i) => i.id)).toEqual([ids.breach, ids.grievance, ids.correction]);
    expect(find(view.items, unverified.body.id)).toBeUndefined();
    expect(view.awaitingVerification).toBe(1);
    expect(view.counts).toMatchObject({ total: 3, overdue: 0 });
    expect(find(view.items, ids.breach)).toMatchObject({ kind: "breach", deadline: "breachBoardReport" });
    expect(find(view.items, ids.grievance)).toMatchObject({
      kind: "grievance",
      status: "in_progress",
      deadline: "grievanceResolution",
      acknowledgement: { late: false, at: expect.any(String) },
    });
    expect(find(view.items, ids.correction)).toMatchObject({
      kind: "correction",
      status: "verified",
      deadline: "correctionResponse",
      dueAt: correction.body.dueAt,
      scope: { type: "account", tenantId: tenant.tenantId },
    });
    for (const item of view.items) {
      expect(item.overdue).toBe(false);
      expect(item.timeLeftSeconds).toBe(Math.floor((Date.parse(item.dueAt) - Date.parse(view.now)) / 1000));
    }
    expect(Math.round(find(view.items, ids.breach)!.timeLeftSeconds / 3600)).toBe(72);
    expect(Math.round(find(view.items, ids.grievance)!.timeLeftSeconds / 86400)).toBe(15);
    expect(Math.round(find(view.items, ids.correction)!.timeLeftSeconds / 86400)).toBe(30);

    const overdueOf = async () => Object.fromEntries((await sla()).items.map((i) => [i.id, i.overdue]));
    await advance("P3DT1H"); // the breach's 72 hours
    expect(await overdueOf()).toEqual({
      [ids.breach]: true,
      [ids.grievance]: false,
      [ids.correction]: false,
    });
    await advance("P12D"); // the grievance's 15 days
    expect(await overdueOf()).toEqual({
      [ids.breach]: true,
      [ids.grievance]: true,
      [ids.correction]: false,
    });
    await advance("P15D"); // the correction's 30 days
    const late = await sla();
    expect(late.items.every((i) => i.overdue && i.timeLeftSeconds < 0)).toBe(true);
    expect(late.counts).toMatchObject({ total: 3, overdue: 3 });
    // Most urgent first still: the longest overdue at the top.
    expect(late.items.map((i) => i.id)).toEqual([ids.breach, ids.grievance, ids.correction]);
    expect(late.items.map((i) => i.dueAt)).toEqual([...late.items.map((i) => i.dueAt)].sort());
  });

  it("filters by kind and overdue; closed items leave it", async () => {
    expect((await sla("?kind=breach")).items.map((i) => i.id)).toEqual([ids.breach]);
    expect((await sla("?kind=correction")).items.map((i) => i.id)).toEqual([ids.correction]);
    expect((await sla("?overdue=false")).items).toEqual([]);
    expect((await sla("?overdue=true")).items).toHaveLength(3);

    await host.call("POST", `/v1/requests/${ids.grievance}/resolve`, {
      token: support,
      body: { resolution: "We have answered your request." },
    });
    await host.call("POST", `/v1/breaches/${ids.breach}/board-report`, {
      token: officer,
      body: { reference: "DPB/2026/7" },
    });
    await host.call("POST", `/v1/requests/${ids.correction}/approve`, { token: support });
    expect((await sla()).items).toEqual([]);
  });

  it("is for staff only; bad filters are 400 problem+json", async () => {
    expect((await host.call("GET", "/v1/sla", { token: support })).status).toBe(200);
    expect((await host.call("GET", "/v1/sla", { token: tenant.ownerToken })).status).toBe(403);
    expect((await host.call("GET", "/v1/sla")).status).toBe(401);
    for (const q of ["?kind=nope", "?overdue=maybe", "?x=1", "?kind="]) {
      const res = await host.call("GET", `/v1/sla${q}`, { token: officer });
      expect(res.status, q).toBe(400);
      expect(res.headers.get("content-type")).toMatch(/application\/problem\+json/);
    }
  });
});
