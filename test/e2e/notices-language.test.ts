import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addDuration } from "../../src/domain/duration";
import { startTestHost, type TestHost } from "../support/host";
import { latinRuns } from "../support/latin-script";

/**
 * Notices in the reader's language, end to end (docs/notices.md): the API says which language a
 * requester's notices go out in (`noticeLanguage`), staff say which language they wrote in
 * (`textLanguage`), and a Hindi reader gets every fact in Hindi: the reply, the new deadline as a date,
 * the resolution, and the Board's channel wherever the Board is named. Staff's words in another
 * language arrive labelled as the officer's own; a language notices are not written in is a 400.
 */

const BOARD = "https://www.dpb.gov.in";
let host: TestHost;
let support: string;
let officer: string;
let clientSeq = 0;
const client = () => ({ "x-forwarded-for": `10.43.${Math.floor(clientSeq / 250)}.${clientSeq++ % 250}` });

async function outbox(to: string): Promise<{ template: string; text: string }[]> {
  return (await host.call("POST", "/_dev/outbox", { body: { to } })).body.messages;
}

async function hindiGrievance(email: string) {
  const res = await host.call("POST", "/v1/requests", {
    headers: client(),
    body: {
      kind: "grievance",
      language: "hi",
      contact: { email },
      details: { summary: "मुझे बार-बार संदेश आ रहे हैं।" },
    },
  });
  expect(res.status).toBe(201);
  return res.body as { id: string; dueAt: string; language: string; noticeLanguage: string };
}

beforeAll(async () => {
  host = await startTestHost();
  support = await host.token("support");
  officer = await host.token("privacy_officer");
});
afterAll(async () => {
  await host?.stop();
});

describe("a Hindi reader", () => {
  it("gets staff's Hindi words as written, the new deadline as a Hindi date, and the Board's channel", async () => {
    const g = await hindiGrievance("meera.n@example.in");
    expect(g).toMatchObject({ language: "hi", noticeLanguage: "hi" });
    const read = await host.call("GET", `/v1/requests/${g.id}`, { token: support });
    expect(read.body.noticeLanguage).toBe("hi");

    const reply = "हमने कारोबार से आपका नंबर हटाने को कहा है।";
    const answered = await host.call("POST", `/v1/requests/${g.id}/respond`, {
      token: support,
      body: { message: reply, textLanguage: "hi" },
    });
    expect(answered.status).toBe(200);
    expect(answered.body.noticeLanguage).toBe("hi");
    const response = (await outbox("meera.n@example.in")).at(-1)!;
    expect(response.template).toBe("grievance_response");
    expect(response.text).toContain(reply);
    expect(response.text).not.toContain("अधिकारी के अपने शब्द");
    expect(latinRuns(response.text)).toEqual([]);

    const until = addDuration(new Date(g.dueAt), "P10D").toISOString();
    const extended = await host.call("POST", `/v1/requests/${g.id}/extend`, {
      token: support,
      body: { until, reason: "कारोबार का जवाब आना बाकी है।", textLanguage: "hi" },
    });
    expect(extended.status).toBe(200);
    const notice = (await outbox("meera.n@example.in")).at(-1)!;
    expect(notice.template).toBe("deadline_extended");
    expect(notice.text).toContain("कारण: कारोबार का जवाब आना बाकी है।");
    expect(notice.text).not.toMatch(/\d{4}-\d{2}-\d{2}/);
    const india = new Intl.DateTimeFormat("hi-IN", { dateStyle: "long", timeZone: "Asia/Kolkata" });
    expect(notice.text).toContain(india.format(new Date(until)));
    expect(notice.text).toContain(BOARD);
    expect(latinRuns(notice.text)).toEqual([]);

    const resolved = await host.call("POST", `/v1/requests/${g.id}/resolve`, {
      token: officer,
      body: { resolution: "कारोबार ने आपका नंबर अपनी सूची से हटा दिया है।", textLanguage: "hi" },
    });
    expect(resolved.status).toBe(200);
    const done = (await outbox("meera.n@example.in")).at(-1)!;
    expect(done.template).toBe("grievance_resolved");
    expect(done.text).toContain("डेटा संरक्षण बोर्ड");
    expect(done.text).toContain(BOARD);
    expect(latinRuns(done.text)).toEqual([]);
  });

  it("gets staff's English words labelled as the officer's own, in English (no textLanguage: English)", async () => {
    const g = await hindiGrievance("kabir.s@example.in");
    const res = await host.call("POST", `/v1/requests/${g.id}/respond`, {
      token: support,
      body: { message: "We have asked the business to stop." },
    });
    expect(res.status).toBe(200);
    const reply = (await outbox("kabir.s@example.in")).at(-1)!;
    expect(reply.text).toContain("(हमारे अधिकारी के अपने शब्द, अंग्रेज़ी में) We have asked the business to stop.");
  });

  it("a textLanguage notices are not written in is a 400 naming the field, and nothing is sent", async () => {
    const g = await hindiGrievance("tara.p@example.in");
    const before = (await outbox("tara.p@example.in")).length;
    for (const [verb, body] of [
      ["respond", { message: "नमस्ते", textLanguage: "xx" }],
      ["resolve", { resolution: "हल", textLanguage: "Hindi" }],
      [
        "extend",
        { until: addDuration(new Date(g.dueAt), "P1D").toISOString(), reason: "r", textLanguage: "" },
      ],
      ["reject", { reason: "r", textLanguage: "fr" }],
    ] as const) {
      const res = await host.call("POST", `/v1/requests/${g.id}/${verb}`, { token: officer, body });
      expect(res.status, verb).toBe(400);
      expect(JSON.stringify(res.body.errors), verb).toContain("textLanguage");
    }
    expect((await outbox("tara.p@example.in")).length).toBe(before);
    const read = await host.call("GET", `/v1/requests/${g.id}`, { token: officer });
    expect(read.body).toMatchObject({ status: "in_progress", dueAt: g.dueAt });
    expect(read.body.deadlineExtensions).toBeUndefined();
  });

  it("the requester cannot send staff's texts: only staff respond, extend or reject", async () => {
    const g = await hindiGrievance("nisha.r@example.in");
    for (const [verb, body] of [
      ["respond", { message: "मैं ही जवाब दूँ", textLanguage: "hi" }],
      [
        "extend",
        { until: addDuration(new Date(g.dueAt), "P1D").toISOString(), reason: "r", textLanguage: "hi" },
      ],
      ["reject", { reason: "r", textLanguage: "hi" }],
    ] as const) {
      const res = await host.call("POST", `/v1/requests/${g.id}/${verb}`, { headers: client(), body });
      expect([401, 403, 404], verb).toContain(res.status);
    }
    expect((await outbox("nisha.r@example.in")).map((m) => m.template)).toEqual(["grievance_acknowledged"]);
  });
});
