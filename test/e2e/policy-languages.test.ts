import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPolicy } from "../../src/domain/policy/periods";
import { publishedPolicy } from "../../src/domain/policy/published";
import { PolicyView } from "../../src/http/routes/policy";
import { startTestHost, type TestHost } from "../support/host";

/**
 * GET /api/v1/policy?language=hi: the same document in Hindi (what the privacy center renders), every
 * label and description translated, values and citations unchanged; English as before; anything else 400.
 */

const DPO = "dpo@callmissed.example";
const DEVANAGARI = /[\u0900-\u097F]/;

describe("GET /api/v1/policy in the policy's languages", () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startTestHost({ DPO_CONTACT_EMAIL: DPO });
  });
  afterAll(async () => {
    await host?.stop();
  });

  it("answers English without a language and with language=en, the same document", async () => {
    const plain = await host.call("GET", "/v1/policy");
    const en = await host.call("GET", "/v1/policy?language=en");
    expect(plain.status).toBe(200);
    expect(en.status).toBe(200);
    expect(en.body).toEqual(plain.body);
    expect(plain.body).toEqual(publishedPolicy(createPolicy({}), { dpoContact: DPO }));
    expect(en.headers.get("content-language")).toBe("en");
    expect(plain.body.languages).toEqual(expect.arrayContaining(["en", "hi"]));
    expect(plain.body.processing.categories.map((c: { category: string }) => c.category)).toEqual([
      "account",
      "usage",
      "communication",
      "payment",
    ]);
  });

  it("answers Hindi: every label and description in Devanagari, values and citations as in English", async () => {
    const en = (await host.call("GET", "/v1/policy")).body;
    const res = await host.call("GET", "/v1/policy?language=hi");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-language")).toBe("hi");
    const hi = PolicyView.parse(res.body);
    expect(hi).toEqual(res.body);

    // The structure and every value a program reads are the English document's.
    expect(hi.dataFiduciary).toBe(en.dataFiduciary);
    expect(hi.grievanceOfficer.email).toBe(DPO);
    expect(hi.languages).toEqual(en.languages);
    expect(hi.periods.map((p) => [p.name, p.duration, p.default, p.basis, p.min, p.max])).toEqual(
      en.periods.map((p: Record<string, string>) => [p.name, p.duration, p.default, p.basis, p.min, p.max]),
    );
    expect(hi.requests.map((r) => [r.kind, r.answerWithin, r.clockStarts])).toEqual(
      en.requests.map((r: Record<string, string>) => [r.kind, r.answerWithin, r.clockStarts]),
    );

    // Every text a person reads is in Hindi (no sentence left in English).
    const texts: string[] = [
      hi.grievanceOfficer.role,
      hi.escalation.to,
      hi.escalation.when,
      hi.processing.residency,
      ...hi.channels.map((c) => c.description),
      ...hi.requests.flatMap((r) => [
        r.label,
        ...r.identifiers.flatMap((i) => [i.who, i.verification, ...i.provide]),
      ]),
      ...hi.periods.map((p) => p.label),
      ...hi.processing.categories.flatMap((c) => [c.label, c.data, c.purpose]),
    ];
    for (const text of texts) expect(text, text).toMatch(DEVANAGARI);
    // The email channel's verification names the Grievance Officer's mailbox in Hindi too.
    const email = hi.requests[0]!.identifiers.find((i) => i.channel === "email")!;
    expect(email.verification).toContain(DPO);
  });

  it("refuses a language it is not published in, naming the field and not repeating the value", async () => {
    for (const language of ["fr", "HI", "hi-IN", "", "<script>alert(1)</script>", "x".repeat(500)]) {
      const res = await host.call("GET", `/v1/policy?language=${encodeURIComponent(language)}`);
      expect(res.status, language).toBe(400);
      expect(res.headers.get("content-type")).toMatch(/application\/problem\+json/);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(["query.language"]);
      expect(res.body.errors[0].message).toMatch(/en, hi/);
      if (language.length > 2) expect(JSON.stringify(res.body)).not.toContain(language);
    }
  });

  it("hostile callers: a repeated or unknown parameter is a 400 with the field named, never a 500", async () => {
    const unknown = await host.call("GET", "/v1/policy?language=hi&lang=en");
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors.map((e: { field: string }) => e.field)).toContain("query");
    const repeated = await host.call("GET", "/v1/policy?language=hi&language=fr");
    expect([200, 400]).toContain(repeated.status);
    if (repeated.status === 200) expect(repeated.headers.get("content-language")).toMatch(/^(en|hi)$/);
    const proto = await host.call("GET", "/v1/policy?language=__proto__");
    expect(proto.status).toBe(400);
  });
});
