import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { notifyRequester } from "../../src/app/requests/notify";
import type { AppContext } from "../../src/app/context";
import { seal } from "../../src/domain/crypto";
import {
  languagePack,
  languagePacks,
  noticeLanguages,
  renderNotice,
  type RequesterNotice,
  type RequesterNoticeData,
  type RequesterTemplateName,
  staffTemplateNames,
} from "../../src/domain/notices";
import type { LanguagePack } from "../../src/domain/notices/types";
import type { RequestDoc } from "../../src/domain/requests/model";
import type { Notification } from "../../src/ports/notifier";
import type { Ports } from "../../src/ports";
import { defaultPolicy } from "../../src/domain/policy/periods";

const DPO = "grievance.officer@example.in";
const CODE = "493817";
const DUE = "2026-12-23T20:00:00.000Z";

/** One filled-in notice per template; TypeScript makes this list complete, the tests below check it. */
const samples: { [K in RequesterTemplateName]: RequesterNoticeData[K] } = {
  verification_code: { code: CODE, minutes: 15, kind: "erasure" },
  verification_reminder: { requestId: "r-abc", kind: "erasure", expiresAt: DUE },
  verification_expired: { requestId: "r-abc", kind: "access", days: 7 },
  request_received: { requestId: "r-abc", kind: "correction", dueAt: DUE },
  grievance_acknowledged: { requestId: "r-abc", dueAt: DUE },
  request_status: { requestId: "r-abc", kind: "erasure", status: "on_hold", reason: "a court order" },
  request_completed: {
    requestId: "r-abc",
    kind: "erasure",
    retained: [{ label: "Payment records, anonymised", basis: "Account Deletion Policy §4" }],
  },
  request_rejected: { requestId: "r-abc", kind: "nomination", reason: "the nominee's details are missing" },
  grievance_response: { requestId: "r-abc", message: "We are looking into the messages you received." },
  grievance_resolved: { requestId: "r-abc", resolution: "The business has stopped messaging your number." },
  nomination_revoked: { requestId: "r-abc" },
  breach_notice: {
    breachId: "b-abc",
    discoveredAt: DUE,
    nature: "A misconfigured export exposed contact names for two hours.",
    consequences: "Someone may have seen your name and number.",
    measures: "We closed the export and rotated every key.",
    safetySteps: "Be careful with messages asking for codes or payments.",
  },
};

/** Every template name any registered language has: the list the registry itself defines. */
const templatesInRegistry = (packs: readonly LanguagePack[]) =>
  [...new Set(packs.flatMap((p) => Object.keys(p.templates)))].sort();

/** For each language, the templates another language has and it lacks. */
function missingTemplates(packs: readonly LanguagePack[]): Record<string, string[]> {
  const all = templatesInRegistry(packs);
  const missing: Record<string, string[]> = {};
  for (const p of packs) {
    const lacks = all.filter((t) => typeof (p.templates as Record<string, unknown>)[t] !== "function");
    if (lacks.length) missing[p.code] = lacks;
  }
  return missing;
}

const noticeOf = (template: string): RequesterNotice => {
  const data = (samples as Record<string, object>)[template];
  if (!data) throw new Error(`no sample for template ${template}: add one to this test`);
  return { template, ...data } as RequesterNotice;
};

const ALL = templatesInRegistry(languagePacks);

describe("the notice registry", () => {
  it("has English and Hindi", () => {
    expect(noticeLanguages).toEqual(expect.arrayContaining(["en", "hi"]));
  });

  it("every language has every template (the list comes from the registry)", () => {
    expect(ALL.length).toBeGreaterThanOrEqual(8);
    expect(missingTemplates(languagePacks)).toEqual({});
  });

  it("the completeness check fails when one language lacks a template", () => {
    const hi = languagePacks.find((p) => p.code === "hi")!;
    const { request_rejected: _dropped, ...rest } = hi.templates;
    const broken = { ...hi, templates: rest } as unknown as LanguagePack;
    const en = languagePacks.find((p) => p.code === "en")!;
    expect(missingTemplates([en, broken])).toEqual({ hi: ["request_rejected"] });
  });

  it("has a sample for every template, and every template of the brief", () => {
    expect(Object.keys(samples).sort()).toEqual(ALL);
    for (const t of [
      "verification_code",
      "verification_reminder",
      "verification_expired",
      "request_received",
      "grievance_acknowledged",
      "request_status",
      "request_completed",
      "request_rejected",
    ]) {
      expect(ALL).toContain(t);
    }
    expect(staffTemplateNames).toContain("execution_failure_alert");
  });

  it("registers every language file in src/domain/notices (adding a language is adding a file)", () => {
    const dir = join(__dirname, "../../src/domain/notices");
    const languageFiles = readdirSync(dir)
      .filter((f) => /^[a-z]{2,3}(-[A-Za-z]{2,4})?\.ts$/.test(f))
      .map((f) => f.replace(/\.ts$/, ""));
    expect(languageFiles.sort()).toEqual([...noticeLanguages].sort());
  });
});

describe("every template in every language", () => {
  for (const pack of languagePacks) {
    for (const template of ALL) {
      it(`${template} in ${pack.code}: renders, in that language, with the DPO contact`, () => {
        const out = renderNotice(noticeOf(template), { dpoContact: DPO, language: pack.code });
        expect(out.language).toBe(pack.code);
        expect(out.subject.length).toBeGreaterThan(3);
        expect(out.subject.length).toBeLessThanOrEqual(200);
        expect(out.text).toContain(DPO);
        expect(out.text.length).toBeLessThanOrEqual(4000);
        expect(out.text).not.toMatch(/undefined|NaN|\[object/);
        if (pack.code === "hi") expect(out.text).toMatch(/[\u0900-\u097F]{3}/);
      });
    }
  }

  it("the one-time code appears in verification_code only, in every language", () => {
    for (const pack of languagePacks) {
      for (const template of ALL) {
        const { text, subject } = renderNotice(noticeOf(template), { dpoContact: DPO, language: pack.code });
        if (template === "verification_code") expect(text).toContain(CODE);
        else expect(`${subject}\n${text}`, `${template} (${pack.code})`).not.toContain(CODE);
      }
    }
  });

  it("the code is the only 6-digit number in the code notice (clients read it from the text)", () => {
    for (const pack of languagePacks) {
      const { text } = renderNotice(noticeOf("verification_code"), { dpoContact: DPO, language: pack.code });
      expect(text.match(/\b\d{6}\b/g)).toEqual([CODE]);
    }
  });

  it("says where the Data Protection Board applies: rejections, resolved grievances, overdue answers", () => {
    const board = { en: /Data Protection Board of India/, hi: /डेटा संरक्षण बोर्ड/ } as const;
    for (const code of ["en", "hi"] as const) {
      const render = (n: RequesterNotice) => renderNotice(n, { dpoContact: DPO, language: code }).text;
      expect(render(noticeOf("request_rejected"))).toMatch(board[code]);
      expect(render({ template: "request_completed", requestId: "r-g", kind: "grievance" })).toMatch(
        board[code],
      );
      expect(render(noticeOf("grievance_acknowledged"))).toMatch(board[code]);
      expect(render(noticeOf("request_received"))).toMatch(board[code]);
      expect(
        render({ template: "request_status", requestId: "r-x", kind: "erasure", status: "rejected" }),
      ).toMatch(board[code]);
      expect(render(noticeOf("verification_code"))).not.toMatch(board[code]);
    }
  });

  it("writes dates as dates in India time", () => {
    // 20:00 UTC on the 23rd is 01:30 on the 24th in India.
    expect(
      renderNotice(noticeOf("grievance_acknowledged"), { dpoContact: DPO, language: "en" }).text,
    ).toContain("24 December 2026");
    expect(
      renderNotice(noticeOf("grievance_acknowledged"), { dpoContact: DPO, language: "hi" }).text,
    ).toContain("24 दिसंबर 2026");
  });
});

describe("choosing the language", () => {
  it.each([
    ["hi", "hi"],
    ["hi-IN", "hi"],
    ["HI", "hi"],
    ["en", "en"],
    ["ta", "en"],
    ["", "en"],
    [undefined, "en"],
  ])("%j → %s", (asked, got) => {
    expect(languagePack(asked).code).toBe(got);
    expect(renderNotice(noticeOf("request_received"), { dpoContact: DPO, language: asked }).language).toBe(
      got,
    );
  });

  it("staff alerts are English whatever the language, and carry no code", () => {
    const out = renderNotice(
      { template: "execution_failure_alert", requestId: "r-1", kind: "erasure", step: "purge", attempts: 3 },
      { dpoContact: DPO, language: "hi" },
    );
    expect(out.language).toBe("en");
    expect(out.text).toContain("failed 3 times at step 'purge'");
  });

  it("refuses to render a requester notice without a DPO contact", () => {
    expect(() => renderNotice(noticeOf("request_received"), { dpoContact: "" })).toThrow(/DPO contact/);
  });
});

describe("notifyRequester", () => {
  const key = Buffer.alloc(32, 7);
  function setup(language: string) {
    const sent: Notification[] = [];
    const app = {
      ports: {
        notifier: { send: async (n: Notification) => void sent.push(n) },
        clock: { now: () => new Date("2026-11-23T10:00:00Z") },
      } as unknown as Ports,
      keys: { hash: key, seal: key, code: key },
      settings: { dpoContact: DPO, privacyOfficerEmail: "po@example.in" },
      policy: defaultPolicy,
    } as unknown as AppContext;
    const request = {
      id: "r-1",
      kind: "erasure",
      language,
      contact: { channel: "email", sealed: seal(key, "person@example.in"), hash: "h" },
    } as unknown as RequestDoc;
    return { app, request, sent };
  }

  it("sends in the request's language and records the language used", async () => {
    const { app, request, sent } = setup("hi");
    await notifyRequester(app, request, { template: "request_received", requestId: "r-1", kind: "erasure" });
    expect(sent[0]).toMatchObject({ to: "person@example.in", language: "hi", template: "request_received" });
    expect(sent[0]!.text).toContain(DPO);
    expect(sent[0]!.text).toMatch(/[\u0900-\u097F]/);
  });

  it("a language we do not write yet gets English, recorded as such", async () => {
    const { app, request, sent } = setup("ta");
    await notifyRequester(app, request, { template: "request_received", requestId: "r-1", kind: "erasure" });
    expect(sent[0]!.language).toBe("en");
  });

  it("a status change to rejected or completed gets the rejection or completion notice", async () => {
    const { app, request, sent } = setup("en");
    const base = { template: "request_status", requestId: "r-1", kind: "erasure" } as const;
    await notifyRequester(app, request, { ...base, status: "rejected", reason: "not the owner" });
    await notifyRequester(app, request, { ...base, status: "completed" });
    await notifyRequester(app, request, { ...base, status: "in_progress" });
    expect(sent.map((n) => n.template)).toEqual(["request_rejected", "request_completed", "request_status"]);
    expect(sent[0]!.text).toContain("not the owner");
    expect(sent[0]!.text).toMatch(/Data Protection Board of India/);
  });
});
