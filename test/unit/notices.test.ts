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
  type NoticeReason,
  REASON_CODES,
  renderIn,
  renderNotice,
  type RequesterNotice,
  type RequesterNoticeData,
  type RequesterTemplateName,
  staffTemplateNames,
} from "../../src/domain/notices";
import { hi } from "../../src/domain/notices/hi";
import type { LanguagePack } from "../../src/domain/notices/types";
import { RequestKind, RequestStatus, type RequestDoc } from "../../src/domain/requests/model";
import type { Notification } from "../../src/ports/notifier";
import type { Ports } from "../../src/ports";
import { defaultPolicy } from "../../src/domain/policy/periods";
import { latinRuns, withoutQuoted } from "../support/latin-script";

const DPO = "grievance.officer@example.in";
const BOARD = "https://board.example.gov.in/complaints";
const CODE = "493817";
const DUE = "2026-12-23T20:00:00.000Z";
const RID = "r-3f1c2b4a-9d8e-4f7a-8b6c-5d4e3f2a1b0c.t.acme-01";
const BID = "b-3f1c2b4a-9d8e-4f7a-8b6c-5d4e3f2a1b0c";
const ctx = (language?: string) => ({ dpoContact: DPO, boardContact: BOARD, language });

/** Words staff typed, and a breach's texts: in the notices quoted, and checked apart from the template's. */
const TYPED = "The nominee's details are missing.";
const ENGLISH_BREACH = {
  nature: "A misconfigured export exposed contact names for two hours.",
  consequences: "Someone may have seen your name and number.",
  measures: "We closed the export and rotated every key.",
  safetySteps: "Be careful with messages asking for codes or payments.",
};
const QUOTED = [TYPED, ...Object.values(ENGLISH_BREACH), "Payment records, anonymised", "GST law"];

/** One filled-in notice per template; TypeScript makes this list complete, the tests below check it. */
const samples: { [K in RequesterTemplateName]: RequesterNoticeData[K] } = {
  verification_code: { code: CODE, minutes: 15, kind: "erasure" },
  verification_reminder: { requestId: RID, kind: "erasure", expiresAt: DUE },
  verification_expired: { requestId: RID, kind: "access", days: 7 },
  request_received: { requestId: RID, kind: "correction", dueAt: DUE },
  grievance_acknowledged: { requestId: RID, dueAt: DUE },
  request_status: { requestId: RID, kind: "erasure", status: "on_hold" },
  deadline_extended: {
    requestId: RID,
    kind: "access",
    dueAt: DUE,
    reason: { text: TYPED, language: "en" },
  },
  request_completed: {
    requestId: RID,
    kind: "erasure",
    retained: [{ label: "Payment records, anonymised", basis: "GST law", language: "en" }],
  },
  request_rejected: { requestId: RID, kind: "nomination", reason: { text: TYPED, language: "en" } },
  grievance_response: { requestId: RID, message: { text: TYPED, language: "en" } },
  grievance_resolved: { requestId: RID, resolution: { text: TYPED, language: "en" } },
  nomination_revoked: { requestId: RID },
  breach_notice: { breachId: BID, discoveredAt: DUE, texts: { language: "en", ...ENGLISH_BREACH } },
};

const noticeOf = (template: string): RequesterNotice => {
  const data = (samples as Record<string, object>)[template];
  if (!data) throw new Error(`no sample for template ${template}: add one to this test`);
  return { template, ...data } as RequesterNotice;
};

/**
 * Every notice of every kind and status, as a reader of `reader` gets it: every reason a notice can
 * give (each code, staff's words in the reader's language and in another), with and without the
 * optional facts. People's words are in the reader's language unless the case says otherwise.
 */
function everyNotice(reader: string): { name: string; notice: RequesterNotice }[] {
  const other = reader === "en" ? "hi" : "en";
  const reasons: (NoticeReason | undefined)[] = [
    undefined,
    ...REASON_CODES.map((code) => ({ code })),
    { text: TYPED, language: reader },
    { text: TYPED, language: other },
  ];
  const typed = [
    { text: TYPED, language: reader },
    { text: TYPED, language: other },
  ];
  const out: { name: string; notice: RequesterNotice }[] = [];
  const add = (name: string, notice: RequesterNotice) => out.push({ name, notice });
  const why = (r: NoticeReason | undefined) => (r ? ("code" in r ? r.code : `typed:${r.language}`) : "none");
  add("grievance_acknowledged", { template: "grievance_acknowledged", requestId: RID, dueAt: DUE });
  for (const kind of RequestKind.options) {
    const base = { requestId: RID, kind };
    add(`verification_code/${kind}`, { template: "verification_code", code: CODE, minutes: 15, kind });
    add(`verification_reminder/${kind}`, { template: "verification_reminder", ...base, expiresAt: DUE });
    for (const days of [1, 7])
      add(`verification_expired/${kind}/${days}`, { template: "verification_expired", ...base, days });
    add(`request_received/${kind}`, { template: "request_received", ...base });
    add(`request_received/${kind}/due`, { template: "request_received", ...base, dueAt: DUE });
    for (const status of RequestStatus.options) {
      for (const reason of reasons)
        add(`request_status/${kind}/${status}/${why(reason)}`, {
          template: "request_status",
          ...base,
          status,
          ...(reason ? { reason } : {}),
        });
    }
    add(`request_status/${kind}/deactivated/purgeDueAt`, {
      template: "request_status",
      ...base,
      status: "deactivated",
      purgeDueAt: DUE,
    });
    for (const reason of reasons) {
      if (reason)
        add(`deadline_extended/${kind}/${why(reason)}`, {
          template: "deadline_extended",
          ...base,
          dueAt: DUE,
          reason,
        });
      add(`request_rejected/${kind}/${why(reason)}`, {
        template: "request_rejected",
        ...base,
        ...(reason ? { reason } : {}),
      });
    }
    add(`request_completed/${kind}`, { template: "request_completed", ...base });
    add(`request_completed/${kind}/export`, { template: "request_completed", ...base, availableUntil: DUE });
    for (const language of [reader, other])
      add(`request_completed/${kind}/retained:${language}`, {
        template: "request_completed",
        ...base,
        retained: [{ label: "Payment records, anonymised", basis: "GST law", language }],
      });
  }
  for (const t of typed) {
    add(`grievance_response/${t.language}`, { template: "grievance_response", requestId: RID, message: t });
    add(`grievance_resolved/${t.language}`, {
      template: "grievance_resolved",
      requestId: RID,
      resolution: t,
    });
  }
  add("nomination_revoked", { template: "nomination_revoked", requestId: RID });
  add("breach_notice", {
    template: "breach_notice",
    breachId: BID,
    discoveredAt: DUE,
    texts: { language: reader, ...ENGLISH_BREACH },
  });
  return out;
}

const ISO_DATE = /\b\d{4}-\d{2}-\d{2}/;
const withoutIds = (text: string) => text.split(RID).join(" ").split(BID).join(" ");

/**
 * What is wrong with one language's notices, as a list (empty: nothing): the checks every language
 * file must pass, the registered ones and a language added later alike.
 */
function problemsOf(pack: LanguagePack): string[] {
  const problems: string[] = [];
  const englishBoard = new Set<string>();
  const ownBoard = new Set<string>();
  const en = languagePacks.find((p) => p.code === "en")!;
  for (const { name, notice } of everyNotice(pack.code)) {
    let out;
    try {
      out = renderIn(pack, notice, ctx(pack.code));
    } catch (e) {
      problems.push(`${name}: ${(e as Error).message}`);
      continue;
    }
    const all = `${out.subject}\n${out.text}`;
    if (out.language !== pack.code) problems.push(`${name}: written in ${out.language}`);
    if (!out.text.includes(DPO)) problems.push(`${name}: no DPO contact`);
    if (out.subject.length < 4 || out.subject.length > 200) problems.push(`${name}: subject length`);
    if (out.text.length > 4000) problems.push(`${name}: longer than 4000 characters`);
    if (/undefined|NaN|\[object/.test(all)) problems.push(`${name}: a value did not render`);
    if (ISO_DATE.test(withoutIds(all))) problems.push(`${name}: an ISO date`);
    if (all.includes(pack.boardName)) {
      ownBoard.add(name);
      if (!out.text.includes(BOARD)) problems.push(`${name}: names the Board without its channel`);
    }
    if (pack.code !== "en") {
      const runs = latinRuns(withoutQuoted(all, QUOTED));
      if (runs.length) problems.push(`${name}: Latin-script words ${JSON.stringify(runs)}`);
    }
    const english = renderIn(en, everyNotice("en").find((c) => c.name === name)?.notice ?? notice, ctx("en"));
    if (english.text.includes(en.boardName)) englishBoard.add(name);
  }
  for (const name of englishBoard)
    if (!ownBoard.has(name)) problems.push(`${name}: the English escalates to the Board, this does not`);
  for (const name of ownBoard)
    if (!englishBoard.has(name)) problems.push(`${name}: escalates to the Board, the English does not`);
  return problems;
}

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

const ALL = templatesInRegistry(languagePacks);

/** A third language as a new file would add it (Marathi, say): Devanagari, its own locale and code. */
const marathiLike: LanguagePack = { ...hi, code: "mr", name: "मराठी", locale: "mr-IN" };

describe("the notice registry", () => {
  it("has English and Hindi", () => {
    expect(noticeLanguages).toEqual(expect.arrayContaining(["en", "hi"]));
  });

  it("every language has every template (the list comes from the registry)", () => {
    expect(ALL.length).toBeGreaterThanOrEqual(8);
    expect(missingTemplates(languagePacks)).toEqual({});
  });

  it("the completeness check fails when one language lacks a template", () => {
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
      "deadline_extended",
    ]) {
      expect(ALL).toContain(t);
    }
    expect(staffTemplateNames).toEqual(
      expect.arrayContaining(["execution_failure_alert", "breach_texts_missing"]),
    );
  });

  it("registers every language file in src/domain/notices (adding a language is adding a file)", () => {
    const dir = join(__dirname, "../../src/domain/notices");
    const languageFiles = readdirSync(dir)
      .filter((f) => /^[a-z]{2,3}(-[A-Za-z]{2,4})?\.ts$/.test(f))
      .map((f) => f.replace(/\.ts$/, ""));
    expect(languageFiles.sort()).toEqual([...noticeLanguages].sort());
  });
});

describe("every notice of every kind and status, in every language", () => {
  it("covers every template, kind and status", () => {
    const cases = everyNotice("hi");
    expect(new Set(cases.map((c) => c.notice.template))).toEqual(new Set(ALL));
    for (const kind of RequestKind.options)
      for (const status of RequestStatus.options)
        expect(cases.some((c) => c.name.startsWith(`request_status/${kind}/${status}/`))).toBe(true);
    expect(cases.length).toBeGreaterThan(400);
  });

  for (const pack of languagePacks) {
    it(`${pack.code}: every notice renders in ${pack.code}, with the DPO contact, dates for people, the Board's channel wherever it sends people there, and (not English) no Latin-script words but names, addresses, ids and codes`, () => {
      expect(problemsOf(pack)).toEqual([]);
    });
  }

  it("a language added as one file (a Marathi-like pack, not registered) passes the same checks", () => {
    expect(problemsOf(marathiLike)).toEqual([]);
    const out = renderIn(marathiLike, noticeOf("grievance_acknowledged"), ctx("mr"));
    expect(out.language).toBe("mr");
    expect(out.text).toMatch(/२०२६/); // its own locale writes the date
  });

  it("the one-time code appears in verification_code only, in every language", () => {
    for (const pack of languagePacks) {
      for (const template of ALL) {
        const { text, subject } = renderNotice(noticeOf(template), ctx(pack.code));
        if (template === "verification_code") expect(text).toContain(CODE);
        else expect(`${subject}\n${text}`, `${template} (${pack.code})`).not.toContain(CODE);
      }
    }
  });

  it("the code is the only 6-digit number in the code notice (clients read it from the text)", () => {
    for (const pack of languagePacks) {
      const { text } = renderNotice(noticeOf("verification_code"), ctx(pack.code));
      expect(text.match(/\b\d{6}\b/g)).toEqual([CODE]);
    }
  });

  it("says where the Data Protection Board applies, with its channel: rejections, resolved grievances, overdue answers", () => {
    const board = { en: /Data Protection Board of India online at/, hi: /डेटा संरक्षण बोर्ड/ } as const;
    for (const code of ["en", "hi"] as const) {
      const render = (n: RequesterNotice) => renderNotice(n, ctx(code)).text;
      for (const n of [
        noticeOf("request_rejected"),
        { template: "request_completed", requestId: RID, kind: "grievance" } as const,
        noticeOf("grievance_acknowledged"),
        noticeOf("grievance_resolved"),
        noticeOf("request_received"),
        noticeOf("deadline_extended"),
        noticeOf("breach_notice"),
        { template: "request_status", requestId: RID, kind: "erasure", status: "rejected" } as const,
      ]) {
        expect(render(n), `${n.template} (${code})`).toMatch(board[code]);
        expect(render(n), `${n.template} (${code})`).toContain(BOARD);
      }
      expect(render(noticeOf("verification_code"))).not.toMatch(board[code]);
    }
  });

  it("refuses a notice that names the Board without its channel", () => {
    expect(() =>
      renderNotice(noticeOf("request_rejected"), { dpoContact: DPO, boardContact: "", language: "hi" }),
    ).toThrow(/Board without its contact/);
  });

  it("a staff reply that names the Board reaches the reader with the Board's channel added, never refused", () => {
    for (const [language, words] of [
      ["en", "You may also go to the Data Protection Board of India."],
      ["hi", "आप डेटा संरक्षण बोर्ड से भी संपर्क कर सकते हैं।"],
    ] as const) {
      const out = renderNotice(
        { template: "grievance_response", requestId: RID, message: { text: words, language } },
        ctx(language),
      );
      expect(out.text).toContain(words);
      expect(out.text).toContain(BOARD);
    }
  });

  it("writes dates as dates in India time, never as ISO", () => {
    // 20:00 UTC on the 23rd is 01:30 on the 24th in India.
    expect(renderNotice(noticeOf("grievance_acknowledged"), ctx("en")).text).toContain("24 December 2026");
    const hiExtended = renderNotice(noticeOf("deadline_extended"), ctx("hi")).text;
    expect(hiExtended).toContain("24 दिसंबर 2026");
    expect(hiExtended).not.toMatch(ISO_DATE);
    const deactivated = renderNotice(
      { template: "request_status", requestId: RID, kind: "erasure", status: "deactivated", purgeDueAt: DUE },
      ctx("hi"),
    ).text;
    expect(deactivated).toContain("24 दिसंबर 2026 तक बिना इस्तेमाल के सुरक्षित रखा जाएगा");
  });
});

describe("the Latin-script check (the test of the test)", () => {
  it("catches today's English breach texts in a Hindi notice", () => {
    const { text } = renderNotice(noticeOf("breach_notice"), ctx("hi"));
    const runs = latinRuns(text);
    expect(runs.join(" | ")).toContain("A misconfigured export exposed contact names for two hours");
    expect(runs.join(" | ")).toContain("Be careful with messages asking for codes or payments");
  });

  it("catches the old extension reason and a system reason in English", () => {
    expect(latinRuns("कारण: The deadline is now 2027-01-20: volume of records")).toEqual([
      "The deadline is now",
      "volume of records",
    ]);
    expect(latinRuns("नई स्थिति: रद्द कर दिया गया। कारण: Withdrawn by the requester")).toEqual([
      "Withdrawn by the requester",
    ]);
  });

  it("passes names, addresses, ids and codes, and catches a single stray word", () => {
    expect(
      latinRuns(
        `CallMissed Technologies Pvt. Ltd. (Data Protection Board of India) ${BOARD} ${DPO} ${RID} ${BID} OTP 493817 WhatsApp`,
      ),
    ).toEqual([]);
    expect(latinRuns("आपका अनुरोध pending है")).toEqual(["pending"]);
  });

  it("fails a language file that leaves a reason in English", () => {
    const broken: LanguagePack = {
      ...marathiLike,
      reasons: languagePacks.find((p) => p.code === "en")!.reasons,
    };
    expect(problemsOf(broken).join("\n")).toMatch(/Latin-script words .*withdrew it/);
  });
});

describe("people's own words", () => {
  it("staff's words in the reader's language are quoted as written", () => {
    const t = "नॉमिनी का विवरण नहीं मिला।";
    const { text } = renderNotice(
      {
        template: "request_rejected",
        requestId: RID,
        kind: "nomination",
        reason: { text: t, language: "hi" },
      },
      ctx("hi"),
    );
    expect(text).toContain(`कारण: ${t}`);
    expect(text).not.toContain("अधिकारी के अपने शब्द");
  });

  it("in another language, they are labelled as the officer's own words in that language", () => {
    expect(renderNotice(noticeOf("grievance_response"), ctx("hi")).text).toContain(
      `(हमारे अधिकारी के अपने शब्द, अंग्रेज़ी में) ${TYPED}`,
    );
    const toEnglish = renderNotice(
      { template: "grievance_resolved", requestId: RID, resolution: { text: "हल हो गया।", language: "hi" } },
      ctx("en"),
    ).text;
    expect(toEnglish).toContain("(our officer's own words, in Hindi) हल हो गया।");
  });

  it("reasons the service writes itself are in the reader's language", () => {
    const status = (language: string) =>
      renderNotice(
        {
          template: "request_status",
          requestId: RID,
          kind: "erasure",
          status: "cancelled",
          reason: { code: "withdrawn_by_requester" },
        },
        ctx(language),
      ).text;
    expect(status("hi")).toContain("कारण: आपने (या खाते के मालिक ने) इसे वापस ले लिया।");
    expect(status("en")).toContain("Reason: You (or the account's owner) withdrew it.");
  });

  it("a breach without texts in the reader's language says so, in theirs", () => {
    const { text } = renderNotice(noticeOf("breach_notice"), ctx("hi"));
    expect(text).toContain("नीचे दिया गया विवरण अभी हिंदी में नहीं है: यह अंग्रेज़ी में है");
    const own = renderNotice(
      {
        template: "breach_notice",
        breachId: BID,
        discoveredAt: DUE,
        texts: { language: "hi", nature: "क", consequences: "ख", measures: "ग", safetySteps: "घ" },
      },
      ctx("hi"),
    ).text;
    expect(own).not.toContain("हिंदी में नहीं है");
    expect(own).toContain("क्या हुआ: क");
  });
});

describe("the review's corrections (docs/reviews/hindi-notices-2026-11-30.md)", () => {
  const hiText = (n: RequesterNotice) => {
    const out = renderNotice(n, ctx("hi"));
    return `${out.subject}\n${out.text}`;
  };
  it("M1: the OTP notice uses the reflexive possessive", () => {
    expect(hiText(noticeOf("verification_code"))).toContain(
      "यह कोड दर्ज करके व्यक्तिगत डेटा मिटाने के लिए अपने अनुरोध की पुष्टि करें।",
    );
    expect(hiText({ template: "verification_code", code: CODE, minutes: 15, kind: "grievance" })).toContain(
      "अपनी शिकायत की पुष्टि करें।",
    );
  });

  it("M2, L3: status labels agree with a grievance, and a legal hold is not a short pause", () => {
    const g = hiText({ template: "request_status", requestId: RID, kind: "grievance", status: "cancelled" });
    expect(g).toContain("आपकी शिकायत पर नई जानकारी");
    expect(g).toContain("की नई स्थिति: रद्द।");
    const held = hiText({ template: "request_status", requestId: RID, kind: "erasure", status: "on_hold" });
    expect(held).toContain("फ़िलहाल रोक लगी है");
    expect(held).not.toContain("कुछ समय के लिए");
  });

  it("L7: one pair of nomination terms (नॉमिनी, नामांकन)", () => {
    const all = everyNotice("hi")
      .map((c) => hiText(c.notice))
      .join("\n");
    expect(all).not.toMatch(/नॉमिनेशन [^)]/);
    expect(all).not.toContain("नामित कर");
    expect(hiText(noticeOf("nomination_revoked"))).toContain("आपका नामांकन (नॉमिनेशन) वापस ले लिया गया है");
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
    expect(renderNotice(noticeOf("request_received"), ctx(asked)).language).toBe(got);
  });

  it("staff alerts are English whatever the language, and carry no code", () => {
    const out = renderNotice(
      { template: "execution_failure_alert", requestId: "r-1", kind: "erasure", step: "purge", attempts: 3 },
      ctx("hi"),
    );
    expect(out.language).toBe("en");
    expect(out.text).toContain("failed 3 times at step 'purge'");
  });

  it("refuses to render a requester notice without a DPO contact", () => {
    expect(() => renderNotice(noticeOf("request_received"), { dpoContact: "", boardContact: BOARD })).toThrow(
      /DPO contact/,
    );
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
      settings: { dpoContact: DPO, boardContact: BOARD, privacyOfficerEmail: "po@example.in" },
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
    await notifyRequester(app, request, {
      ...base,
      status: "rejected",
      reason: { text: "not the owner", language: "en" },
    });
    await notifyRequester(app, request, { ...base, status: "completed" });
    await notifyRequester(app, request, { ...base, status: "in_progress" });
    expect(sent.map((n) => n.template)).toEqual(["request_rejected", "request_completed", "request_status"]);
    expect(sent[0]!.text).toContain("not the owner");
    expect(sent[0]!.text).toMatch(/Data Protection Board of India/);
    expect(sent[0]!.text).toContain(BOARD);
  });
});
