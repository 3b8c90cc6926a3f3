import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestHost, type TestHost } from "../support/host";
import { latinRuns } from "../support/latin-script";

/**
 * The breach register (Privacy Policy §10; DPDP Rules 2025 Rule 7) end to end over HTTP: the 72-hour
 * Board deadline with reminders at 24 and 48 hours crossed with the dev clock, plain-language notices
 * to the people affected and the owners of affected accounts, the Board report as JSON and printable
 * HTML, the privacy officer only, bad input refused with nothing stored.
 */

const HOUR = 3_600_000;
const OFFICER_MAIL = "karan@callmissed.com";
let host: TestHost;
let officer: string;
let support: string;
let tenant: { tenantId: string; ownerToken: string; ownerEmail: string };

const now = async () =>
  Date.parse((await host.call("POST", "/_dev/clock", { body: { advance: "PT0S" } })).body.now);
const advance = (duration: string) => host.call("POST", "/_dev/clock", { body: { advance: duration } });

function breachBody(discoveredAt: string, extra: Record<string, unknown> = {}) {
  return {
    discoveredAt,
    nature: "A support export with contact names and numbers was readable by a wrong link for two hours.",
    dataCategories: ["conversations", "messages"],
    tenantsAffected: [tenant.tenantId],
    principalsAffected: { estimated: 120 },
    likelyConsequences: "Someone may have seen your name and number, and could send you unwanted messages.",
    measuresTaken: "We disabled the link within two hours, rotated keys and reviewed access logs.",
    safetySteps: "Do not share codes or pay anyone who messages you claiming to be from the business.",
    ...extra,
  };
}

async function reminders(breachId: string): Promise<{ text: string; subject?: string }[]> {
  const out = await host.call("POST", "/_dev/outbox", { body: { to: OFFICER_MAIL } });
  return (out.body.messages as { template: string; text: string }[]).filter(
    (m) => m.template === "breach_report_reminder" && m.text.includes(breachId),
  );
}

async function breachCount(): Promise<number> {
  return ((await host.call("GET", "/v1/breaches", { token: officer })).body.items as unknown[]).length;
}

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

describe("the 72-hour Board deadline", () => {
  it("is tracked with reminders at 24 and 48 hours, and shows overdue after 72", async () => {
    const discoveredAt = new Date((await now()) - HOUR).toISOString();
    const res = await host.call("POST", "/v1/breaches", { token: officer, body: breachBody(discoveredAt) });
    expect(res.status).toBe(201);
    expect(res.headers.get("location")).toBe(`/api/v1/breaches/${res.body.id}`);
    const id = res.body.id as string;
    expect(id).toMatch(/^b-[0-9a-f-]{36}$/);
    expect(res.body).toMatchObject({ state: "open", overdue: false, discoveredAt });
    expect(Date.parse(res.body.boardDueAt) - Date.parse(discoveredAt)).toBe(72 * HOUR);
    expect(Date.parse(res.body.certInDueAt) - Date.parse(discoveredAt)).toBe(6 * HOUR);
    expect(res.body.reminders.map((r: { hours: number }) => r.hours)).toEqual([24, 48]);

    const sla = await host.call("GET", "/v1/sla?kind=breach", { token: officer });
    expect(sla.body.items).toEqual([
      expect.objectContaining({ id, kind: "breach", deadline: "breachBoardReport", overdue: false }),
    ]);

    await advance("PT22H"); // 23 hours after discovery: no reminder yet
    expect(await reminders(id)).toHaveLength(0);
    await advance("PT2H"); // 25 hours
    const first = await reminders(id);
    expect(first).toHaveLength(1);
    expect(first[0]!.text).toMatch(/discovered 24 hours ago/);
    expect(first[0]!.subject).toMatch(/due in 4[67] hours/);
    await advance("PT24H"); // 49 hours
    // The 24-hour reminder has left the queue (noticeTimeToLive); both were sent (sentAt below).
    expect((await reminders(id)).map((r) => r.text.match(/discovered (\d+) hours/)?.[1])).toEqual(["48"]);
    const read = await host.call("GET", `/v1/breaches/${id}`, { token: officer });
    expect(read.body.reminders.every((r: { sentAt?: string }) => r.sentAt)).toBe(true);

    await advance("PT24H"); // 73 hours: overdue, no more reminders (the two sent have expired from the queue)
    expect(await reminders(id)).toHaveLength(0);
    const late = await host.call("GET", `/v1/breaches/${id}`, { token: officer });
    expect(late.body.overdue).toBe(true);
    expect(late.body.timeLeftSeconds).toBeLessThan(0);
    const overdue = await host.call("GET", "/v1/sla?overdue=true", { token: officer });
    expect(overdue.body.items[0]).toMatchObject({ id, kind: "breach", overdue: true });

    const filed = await host.call("POST", `/v1/breaches/${id}/board-report`, {
      token: officer,
      body: { reference: "DPB/2026/000123" },
    });
    expect(filed.status).toBe(200);
    expect(filed.body).toMatchObject({
      state: "reported",
      board: { reference: "DPB/2026/000123" },
      overdue: false,
    });
    expect((await host.call("GET", "/v1/sla?kind=breach", { token: officer })).body.items).toEqual([]);
    const report = await host.call("GET", `/v1/breaches/${id}/report?format=json`, { token: officer });
    expect(report.body.board).toMatchObject({ reference: "DPB/2026/000123", withinDeadline: false });
    const again = await host.call("POST", `/v1/breaches/${id}/board-report`, {
      token: officer,
      body: { reference: "DPB/2026/000124" },
    });
    expect(again.status).toBe(409);
    const trail = await host.call("GET", `/v1/breaches/${id}/audit`, { token: officer });
    expect(trail.body.chain.valid).toBe(true);
    expect(trail.body.events.map((e: { action: string }) => e.action)).toEqual([
      "register_breach",
      "board_report_reminder",
      "board_report_reminder",
      "board_report_filed",
    ]);
    // The reminders came by their scheduled messages on request-timers.
    expect(trail.body.events[1].data).toEqual({ hours: 24, source: "timer" });
    expect(trail.body.events[3].data).toMatchObject({ withinDeadline: false });
  });

  it("a reminder whose scheduled message was lost is sent by the hourly sweep", async () => {
    const res = await host.call("POST", "/v1/breaches", {
      token: officer,
      body: breachBody(new Date(await now()).toISOString()),
    });
    const id = res.body.id as string;
    // Lose the scheduled messages (a dead-lettered or never-sent message looks the same).
    const stored = (await host.runtime.app.ports.documents
      .collection("service", "requests")
      .read<{ id: string; reminders: { ticket?: string }[] }>(id, `breach:${id}`))!.doc;
    for (const r of stored.reminders)
      expect(await host.runtime.app.ports.scheduler.cancel("request-timers", r.ticket!)).toBe("cancelled");
    await advance("PT25H");
    expect(await reminders(id)).toHaveLength(1);
    const trail = await host.call("GET", `/v1/breaches/${id}/audit`, { token: officer });
    expect(trail.body.events.at(-1)).toMatchObject({
      action: "board_report_reminder",
      data: { hours: 24, source: "reconcile" },
    });
    await host.call("POST", `/v1/breaches/${id}/board-report`, {
      token: officer,
      body: { reference: "DPB/9" },
    });
  });

  it("filed in time: the reminders stop", async () => {
    const res = await host.call("POST", "/v1/breaches", {
      token: officer,
      body: breachBody(new Date(await now()).toISOString()),
    });
    const id = res.body.id as string;
    await advance("PT5H");
    const filed = await host.call("POST", `/v1/breaches/${id}/board-report`, {
      token: officer,
      body: { reference: "DPB/2026/000200" },
    });
    expect(filed.body.state).toBe("reported");
    await advance("PT50H");
    expect(await reminders(id)).toHaveLength(0);
    const report = await host.call("GET", `/v1/breaches/${id}/report`, { token: officer });
    expect(report.body.board.withinDeadline).toBe(true);
  });
});

describe("notices and the report", () => {
  it("notify the people affected and account owners in plain language, once each", async () => {
    const res = await host.call("POST", "/v1/breaches", {
      token: officer,
      body: breachBody(new Date((await now()) - 2 * HOUR).toISOString(), {
        principalsAffected: {
          estimated: 2,
          contacts: [
            { email: "Asha.R@example.in" },
            { phone: "+91 98450 33221" },
            { email: "asha.r@example.in" },
          ],
        },
      }),
    });
    expect(res.status).toBe(201);
    expect(res.body.principalsAffected).toEqual({ estimated: 2, contacts: 2 });
    expect(JSON.stringify(res.body)).not.toMatch(/asha|98450/i);
    const id = res.body.id as string;

    const sent = await host.call("POST", `/v1/breaches/${id}/notices`, { token: officer });
    expect(sent.status).toBe(200);
    expect(sent.body.run).toMatchObject({ sent: 3, principals: 2, owners: 1, alreadyNotified: 0 });
    for (const to of ["asha.r@example.in", "+919845033221", tenant.ownerEmail]) {
      const out = await host.call("POST", "/_dev/outbox", { body: { to } });
      const notice = (out.body.messages as { template: string; text: string }[]).find(
        (m) => m.template === "breach_notice",
      );
      expect(notice, to).toBeDefined();
      expect(notice!.text).toContain("What happened: A support export");
      expect(notice!.text).toContain("What this may mean for you: Someone may have seen");
      expect(notice!.text).toContain("What we have done: We disabled the link");
      expect(notice!.text).toContain("What you can do to protect yourself: Do not share codes");
      expect(notice!.text).toContain(OFFICER_MAIL);
      expect(notice!.text).toContain(id);
    }
    const again = await host.call("POST", `/v1/breaches/${id}/notices`, { token: officer });
    expect(again.body.run).toMatchObject({ sent: 0, alreadyNotified: 3 });
    expect(again.body.breach.notices).toMatchObject({ principalsNotified: 2, ownersNotified: 1 });
  });

  it("exports the Board report as JSON and as printable HTML, naming no one", async () => {
    const res = await host.call("POST", "/v1/breaches", {
      token: officer,
      body: breachBody(new Date((await now()) - HOUR).toISOString(), {
        nature: "Attachments <b>leaked</b> & were indexed.",
        cause: "A misconfigured storage rule.",
        principalsAffected: { estimated: 5, contacts: [{ email: "victim@example.in" }] },
      }),
    });
    const id = res.body.id as string;
    const json = await host.call("GET", `/v1/breaches/${id}/report?format=json`, { token: officer });
    expect(json.status).toBe(200);
    expect(json.headers.get("content-type")).toMatch(/^application\/json/);
    expect(json.body).toMatchObject({
      dataFiduciary: { name: "CallMissed Technologies Pvt. Ltd.", grievanceOfficer: OFFICER_MAIL },
      breach: {
        id,
        nature: "Attachments <b>leaked</b> & were indexed.",
        cause: "A misconfigured storage rule.",
        dataCategories: [
          { category: "conversations", label: expect.any(String) },
          { category: "messages", label: expect.any(String) },
        ],
      },
      affected: {
        tenants: { count: 1, ids: [tenant.tenantId] },
        principals: { estimated: 5, addressesRecorded: 1 },
      },
      deadlines: { boardReportDueAt: res.body.boardDueAt },
      intimationToPrincipals: { sent: false },
      board: null,
    });
    expect(json.body.basis).toMatch(/Rule 7\(2\)\(b\)/);
    expect(JSON.stringify(json.body)).not.toContain("victim@example.in");

    const html = await host.call("GET", `/v1/breaches/${id}/report?format=html`, { token: officer });
    expect(html.status).toBe(200);
    expect(html.headers.get("content-type")).toMatch(/^text\/html/);
    const page = html.body as string;
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain(`<title>Breach report ${id}</title>`);
    expect(page).toContain("@media print");
    expect(page).toContain("Attachments &lt;b&gt;leaked&lt;/b&gt; &amp; were indexed.");
    expect(page).not.toContain("<b>leaked");
    expect(page).not.toMatch(/<script/i);
    expect(page).not.toContain("victim@example.in");

    const bad = await host.call("GET", `/v1/breaches/${id}/report?format=pdf`, { token: officer });
    expect(bad.status).toBe(400);
  });
});

describe("access and bad input", () => {
  it("only the privacy officer; invalid breaches are 400 problem+json and nothing is stored", async () => {
    const valid = breachBody(new Date((await now()) - HOUR).toISOString());
    expect((await host.call("POST", "/v1/breaches", { token: support, body: valid })).status).toBe(403);
    expect((await host.call("POST", "/v1/breaches", { token: tenant.ownerToken, body: valid })).status).toBe(
      403,
    );
    expect((await host.call("POST", "/v1/breaches", { body: valid })).status).toBe(401);
    expect((await host.call("GET", "/v1/breaches", { token: support })).status).toBe(403);

    const before = await breachCount();
    const future = new Date((await now()) + HOUR).toISOString();
    const bodies: unknown[] = [
      {},
      { ...valid, nature: "" },
      { ...valid, dataCategories: [] },
      { ...valid, dataCategories: ["bank_accounts"] },
      { ...valid, discoveredAt: "yesterday" },
      { ...valid, discoveredAt: future },
      { ...valid, occurredAt: future },
      { ...valid, tenantsAffected: ["bad id!"] },
      { ...valid, principalsAffected: { estimated: -1 } },
      { ...valid, principalsAffected: { estimated: 1, contacts: [{ phone: "12" }] } },
      {
        ...valid,
        principalsAffected: { estimated: 1, contacts: [{ email: "a@b.in", phone: "+919812345678" }] },
      },
      { ...valid, severity: "high" },
      { ...valid, safetySteps: "x".repeat(601) },
    ];
    for (const body of bodies) {
      const res = await host.call("POST", "/v1/breaches", { token: officer, body });
      expect(res.status, JSON.stringify(body).slice(0, 120)).toBe(400);
      expect(res.headers.get("content-type")).toMatch(/application\/problem\+json/);
    }
    expect(await breachCount()).toBe(before);

    expect((await host.call("GET", "/v1/breaches/b-nope", { token: officer })).status).toBe(400);
    const missing = "b-00000000-0000-4000-8000-000000000000";
    expect((await host.call("GET", `/v1/breaches/${missing}`, { token: officer })).status).toBe(404);
    expect((await host.call("POST", `/v1/breaches/${missing}/notices`, { token: officer })).status).toBe(404);
    const created = await host.call("POST", "/v1/breaches", { token: officer, body: valid });
    const id = created.body.id as string;
    for (const body of [
      {},
      { reference: "" },
      { reference: "DPB/1", reportedAt: future },
      { reference: "x", y: 1 },
    ]) {
      const res = await host.call("POST", `/v1/breaches/${id}/board-report`, { token: officer, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect((await host.call("GET", `/v1/breaches/${id}`, { token: officer })).body.state).toBe("open");
    expect((await host.call("GET", "/v1/breaches?open=maybe", { token: officer })).status).toBe(400);
  });

  it("the four texts per language: a Hindi reader gets them in Hindi; without them, English said so, and the officer is alerted", async () => {
    const hiTexts = {
      nature: "एक गलत लिंक से दो घंटे तक संपर्कों के नाम और नंबर देखे जा सकते थे।",
      likelyConsequences: "किसी ने आपका नाम और नंबर देखा हो सकता है।",
      measuresTaken: "हमने दो घंटे के भीतर लिंक बंद किया और कुंजियाँ बदलीं।",
      safetySteps: "कोड किसी को न बताएँ और अनजान संदेशों पर पैसे न भेजें।",
    };
    const discoveredAt = new Date((await now()) - HOUR).toISOString();
    const res = await host.call("POST", "/v1/breaches", {
      token: officer,
      body: breachBody(discoveredAt, {
        tenantsAffected: [],
        principalsAffected: {
          estimated: 2,
          contacts: [{ email: "lata.m@example.in", language: "hi" }, { email: "john.d@example.in" }],
        },
        texts: { hi: hiTexts },
      }),
    });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body.texts)).toEqual(["hi"]);
    const id = res.body.id as string;
    expect(
      (await host.call("POST", `/v1/breaches/${id}/notices`, { token: officer })).body.run,
    ).toMatchObject({
      sent: 2,
    });
    const notice = async (to: string) =>
      (
        (await host.call("POST", "/_dev/outbox", { body: { to } })).body.messages as {
          template: string;
          text: string;
        }[]
      )
        .filter((m) => m.template === "breach_notice")
        .at(-1)!;
    const hindi = await notice("lata.m@example.in");
    expect(hindi.text).toContain(`क्या हुआ: ${hiTexts.nature}`);
    expect(hindi.text).toContain(`अपनी सुरक्षा के लिए आप क्या कर सकते हैं: ${hiTexts.safetySteps}`);
    expect(hindi.text).toContain("https://www.dpb.gov.in");
    expect(latinRuns(hindi.text)).toEqual([]);
    expect((await notice("john.d@example.in")).text).toContain("What happened: A support export");

    // Registered in English only: the Hindi reader is told the details are in English, the officer is alerted.
    const only = await host.call("POST", "/v1/breaches", {
      token: officer,
      body: breachBody(discoveredAt, {
        tenantsAffected: [],
        principalsAffected: { estimated: 1, contacts: [{ phone: "+91 98450 44112", language: "hi" }] },
      }),
    });
    const other = only.body.id as string;
    await host.call("POST", `/v1/breaches/${other}/notices`, { token: officer });
    const fallback = await notice("+919845044112");
    expect(fallback.text).toContain("नीचे दिया गया विवरण अभी हिंदी में नहीं है: यह अंग्रेज़ी में है");
    expect(fallback.text).toContain("क्या हुआ: A support export");
    const alerts = (
      (await host.call("POST", "/_dev/outbox", { body: { to: OFFICER_MAIL } })).body.messages as {
        template: string;
        text: string;
      }[]
    ).filter((m) => m.template === "breach_texts_missing" && m.text.includes(other));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.text).toContain(`POST /api/v1/breaches/${other}/texts/hi`);

    // The officer writes them: later notices (and the register) have them.
    const written = await host.call("POST", `/v1/breaches/${other}/texts/hi`, {
      token: officer,
      body: hiTexts,
    });
    expect(written.status).toBe(200);
    expect(written.body.texts.hi).toMatchObject(hiTexts);
    const trail = await host.call("GET", `/v1/breaches/${other}/audit`, { token: officer });
    expect(JSON.stringify(trail.body)).toContain("breach_texts");
  });

  it("writing texts: the privacy officer only; a bad language or text is a 400 naming it, and nothing is stored", async () => {
    const created = await host.call("POST", "/v1/breaches", {
      token: officer,
      body: breachBody(new Date((await now()) - HOUR).toISOString()),
    });
    const id = created.body.id as string;
    const texts = { nature: "क", likelyConsequences: "ख", measuresTaken: "ग", safetySteps: "घ" };
    const path = `/v1/breaches/${id}/texts/hi`;
    expect((await host.call("POST", path, { token: support, body: texts })).status).toBe(403);
    expect((await host.call("POST", path, { token: tenant.ownerToken, body: texts })).status).toBe(403);
    expect((await host.call("POST", path, { body: texts })).status).toBe(401);
    const missing = "b-00000000-0000-4000-8000-000000000000";
    expect(
      (await host.call("POST", `/v1/breaches/${missing}/texts/hi`, { token: officer, body: texts })).status,
    ).toBe(404);
    for (const [language, body, field] of [
      ["en", texts, "language"],
      ["fr", texts, "language"],
      ["HI!", texts, "language"],
      ["hi", { ...texts, nature: "" }, "nature"],
      ["hi", { ...texts, severity: "high" }, ""],
      ["hi", { nature: "क" }, "likelyConsequences"],
    ] as const) {
      const res = await host.call("POST", `/v1/breaches/${id}/texts/${language}`, { token: officer, body });
      expect(res.status, `${language} ${JSON.stringify(body)}`).toBe(400);
      expect(JSON.stringify(res.body.errors ?? res.body)).toContain(field);
    }
    for (const body of [
      breachBody(created.body.discoveredAt, { texts: { en: texts } }),
      breachBody(created.body.discoveredAt, { texts: { hi: { ...texts, safetySteps: "" } } }),
      breachBody(created.body.discoveredAt, {
        principalsAffected: { estimated: 1, contacts: [{ email: "a@b.in", language: "xx" }] },
      }),
    ]) {
      const before = await breachCount();
      const res = await host.call("POST", "/v1/breaches", { token: officer, body });
      expect(res.status, JSON.stringify(body).slice(0, 200)).toBe(400);
      expect(await breachCount()).toBe(before);
    }
    expect((await host.call("GET", `/v1/breaches/${id}`, { token: officer })).body.texts).toEqual({});
  });
});
