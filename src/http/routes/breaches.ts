import { z } from "zod";
import { BREACH_ID, breachView } from "../../app/breach";
import {
  getBreach,
  listBreaches,
  recordBoardReport,
  registerBreach,
  sendBreachNotices,
  writeBreachTexts,
} from "../../app/breach";
import { noticeLanguages } from "../../domain/notices";
import { boardReport, boardReportHtml } from "../../app/breach";
import { AuditLog } from "../../app/audit";
import type { HttpRoute } from "../route";
import { json, route } from "../route";
import { Phone, TenantId } from "../schemas/common";
import { Problem } from "../schemas/problem";
import { Email } from "../schemas/requests";

/** The breach register (Privacy Policy §10; DPDP Rules 2025 Rule 7): the privacy officer's. */

const OFFICER = ["privacy_officer"] as const;
const Text = (max: number) => z.string().trim().min(1).max(max);
const When = z.iso.datetime({ offset: true });

/** The four Rule 7(1)(a)–(d) texts of the notice, in one language. */
const breachTexts = {
  nature: Text(800).describe("What happened, in plain language: it goes into the notices to people"),
  likelyConsequences: Text(600),
  measuresTaken: Text(600),
  safetySteps: Text(600).describe("What people can do to protect themselves"),
};
export const BreachTextsBody = z
  .object(breachTexts)
  .strict()
  .describe("The four notice texts in one language, written for its readers (not a machine translation)");

/** A notice language other than English (English is the breach's own fields). */
const OtherLanguage = z
  .string()
  .regex(/^[a-z]{2,3}$/, "a language code such as hi")
  .describe(`A language notices are written in, other than English: ${noticeLanguages.join(", ")}`);

const ContactLanguage = z
  .enum(noticeLanguages as [string, ...string[]])
  .optional()
  .describe("The language the person reads (default en): their notice is written in it");

export const BreachBody = z
  .object({
    discoveredAt: When.describe("When we became aware of it: the 72-hour Board deadline counts from here"),
    occurredAt: When.optional(),
    nature: breachTexts.nature.describe(
      "What happened, in plain language and in English (the Board report quotes it)",
    ),
    cause: Text(800).optional(),
    dataCategories: z
      .array(z.string().regex(/^[a-z][a-z0-9_]*$/, "a category of the data inventory"))
      .min(1)
      .max(30),
    tenantsAffected: z.array(TenantId).max(500).default([]),
    principalsAffected: z
      .object({
        estimated: z.number().int().min(0).max(1_000_000_000),
        contacts: z
          .array(
            z.union([
              z.object({ email: Email, language: ContactLanguage }).strict(),
              z.object({ phone: Phone, language: ContactLanguage }).strict(),
            ]),
          )
          .max(500)
          .optional()
          .describe("Addresses of affected people to notify (kept sealed)"),
      })
      .strict(),
    likelyConsequences: breachTexts.likelyConsequences,
    measuresTaken: breachTexts.measuresTaken,
    safetySteps: breachTexts.safetySteps,
    texts: z
      .record(OtherLanguage, BreachTextsBody)
      .optional()
      .describe(
        "The same four texts in the other languages of the people notified ({ hi: {...} }): a reader gets them in theirs; without them, English with a sentence saying so, and the privacy officer is alerted",
      ),
  })
  .strict();

const BreachParams = z
  .object({ id: z.string().regex(BREACH_ID, "a breach id such as b-1b9d6bcd-…") })
  .strict();

const BreachTextsParams = z
  .object({
    id: z.string().regex(BREACH_ID, "a breach id such as b-1b9d6bcd-…"),
    language: OtherLanguage,
  })
  .strict();

const BoardReportBody = z
  .object({
    reference: Text(200).describe("The Board's acknowledgement or filing reference"),
    reportedAt: When.optional().describe("When it was filed (default: now)"),
  })
  .strict();

const BreachView = z
  .object({
    id: z.string(),
    state: z.enum(["open", "reported"]),
    discoveredAt: z.string(),
    boardDueAt: z.string(),
    overdue: z.boolean(),
  })
  .loose();

const At = z.string();
/** The Board report (src/app/breach/report.ts) as the JSON format writes it. */
const BoardReportView = z
  .object({
    report: z.string(),
    basis: z.string(),
    generatedAt: At,
    dataFiduciary: z.object({ name: z.string(), grievanceOfficer: z.string() }).strict(),
    breach: z
      .object({
        id: z.string(),
        status: z.enum(["open", "reported"]),
        discoveredAt: At,
        occurredAt: At.optional(),
        registeredAt: At,
        nature: z.string(),
        cause: z.string().optional(),
        likelyConsequences: z.string(),
        measuresTaken: z.string(),
        safetyStepsAdvised: z.string(),
        dataCategories: z.array(z.object({ category: z.string(), label: z.string() }).strict()),
      })
      .strict(),
    affected: z
      .object({
        tenants: z.object({ count: z.number().int(), ids: z.array(z.string()) }).strict(),
        principals: z.object({ estimated: z.number().int(), addressesRecorded: z.number().int() }).strict(),
      })
      .strict(),
    deadlines: z.object({ boardReportDueAt: At, certInReportDueAt: At, certInBasis: z.string() }).strict(),
    intimationToPrincipals: z.union([
      z
        .object({
          sent: z.literal(true),
          lastSentAt: At,
          principalsNotified: z.number().int(),
          accountOwnersNotified: z.number().int(),
        })
        .strict(),
      z.object({ sent: z.literal(false) }).strict(),
    ]),
    board: z
      .object({ reportedAt: At, reference: z.string(), withinDeadline: z.boolean() })
      .strict()
      .nullable(),
  })
  .strict()
  .meta({ id: "BreachBoardReport" });

const refusals = {
  400: { description: "Invalid input; nothing stored", schema: Problem },
  403: { description: "Privacy officer only", schema: Problem },
  404: { description: "No such breach", schema: Problem },
};

const location = (id: string) => `/api/v1/breaches/${id}`;

export const breachRoutes: HttpRoute[] = [
  route({
    name: "registerBreach",
    method: "POST",
    path: "v1/breaches",
    summary: "Record a personal data breach: the 72-hour Board deadline starts, reminders at 24 and 48 hours",
    access: OFFICER,
    // A retry with the key gets this breach again, never a second one with its own 72-hour clock.
    idempotent: true,
    body: BreachBody,
    responses: { 201: { description: "Recorded", schema: BreachView, headers: ["Location"] }, ...refusals },
    async handler({ rt, caller, body }) {
      const doc = await registerBreach(rt.app, caller, body);
      return json(201, breachView(doc, rt.app.ports.clock.now()), { location: location(doc.id) });
    },
  }),
  route({
    name: "listBreaches",
    method: "GET",
    path: "v1/breaches",
    summary: "The breach register, newest discovery first (open=true: Board report still due)",
    access: OFFICER,
    query: z.object({ open: z.enum(["true", "false"]).optional() }).strict(),
    responses: { 200: { description: "The breaches", schema: z.object({ items: z.array(BreachView) }) } },
    async handler({ rt, caller, query }) {
      const now = rt.app.ports.clock.now();
      const items = await listBreaches(rt.app, caller, query.open === "true");
      return json(200, { items: items.map((b) => breachView(b, now)) }, { "cache-control": "no-store" });
    },
  }),
  route({
    name: "getBreach",
    method: "GET",
    path: "v1/breaches/{id}",
    summary: "One breach: its deadlines, reminders, notices and Board filing",
    access: OFFICER,
    params: BreachParams,
    responses: { 200: { description: "The breach", schema: BreachView }, ...refusals },
    async handler({ rt, caller, params }) {
      const doc = await getBreach(rt.app, caller, params.id);
      return json(200, breachView(doc, rt.app.ports.clock.now()), { "cache-control": "no-store" });
    },
  }),
  route({
    name: "sendBreachNotices",
    method: "POST",
    path: "v1/breaches/{id}/notices",
    summary:
      "Notify the people affected and the owners of affected accounts, in plain language (Rule 7(1)); only those not yet notified",
    access: OFFICER,
    idempotent: true,
    params: BreachParams,
    responses: {
      200: {
        description: "What was sent",
        schema: z.object({ breach: BreachView, run: z.object({ sent: z.number().int() }).loose() }),
      },
      ...refusals,
    },
    async handler({ rt, caller, params }) {
      const { breach, run } = await sendBreachNotices(rt.app, caller, params.id);
      return json(200, { breach: breachView(breach, rt.app.ports.clock.now()), run });
    },
  }),
  route({
    name: "writeBreachTexts",
    // POST, not PUT: the hosts' and CORS's method lists stay as they are; writing twice writes the same.
    method: "POST",
    path: "v1/breaches/{id}/texts/{language}",
    summary:
      "Write the four notice texts (Rule 7(1)(a)–(d)) in one more language than English, for the notices to its readers",
    access: OFFICER,
    params: BreachTextsParams,
    body: BreachTextsBody,
    responses: { 200: { description: "The breach with its texts", schema: BreachView }, ...refusals },
    async handler({ rt, caller, params, body }) {
      const after = await writeBreachTexts(rt.app, caller, params.id, params.language, body);
      return json(200, breachView(after, rt.app.ports.clock.now()));
    },
  }),
  route({
    name: "recordBoardReport",
    method: "POST",
    path: "v1/breaches/{id}/board-report",
    summary: "Record that the detailed report was filed with the Data Protection Board (reminders stop)",
    access: OFFICER,
    idempotent: true,
    params: BreachParams,
    body: BoardReportBody,
    responses: {
      200: { description: "The breach, reported", schema: BreachView },
      409: { description: "Already reported", schema: Problem },
      ...refusals,
    },
    async handler({ rt, caller, params, body }) {
      const doc = await recordBoardReport(rt.app, caller, params.id, body);
      return json(200, breachView(doc, rt.app.ports.clock.now()));
    },
  }),
  route({
    name: "breachAudit",
    method: "GET",
    path: "v1/breaches/{id}/audit",
    summary: "The breach's hash-chained audit trail and whether it verifies",
    access: OFFICER,
    params: BreachParams,
    responses: {
      200: {
        description: "The trail",
        schema: z.object({
          breachId: z.string(),
          chain: z.object({ valid: z.boolean(), headHash: z.string() }).loose(),
          events: z.array(z.object({ at: z.string(), action: z.string() }).loose()),
        }),
      },
      ...refusals,
    },
    async handler({ rt, caller, params }) {
      await getBreach(rt.app, caller, params.id);
      const { events, valid, headHash, brokenAt, anchored } = await new AuditLog(rt.app).verified(params.id);
      return json(200, {
        breachId: params.id,
        chain: { valid, headHash, ...(brokenAt ? { brokenAt } : {}), anchored },
        events,
      });
    },
  }),
  route({
    name: "breachBoardReport",
    method: "GET",
    path: "v1/breaches/{id}/report",
    summary: "The detailed report for the Data Protection Board, as JSON or printable HTML",
    access: OFFICER,
    params: BreachParams,
    query: z.object({ format: z.enum(["json", "html"]).default("json") }).strict(),
    responses: {
      200: {
        description: "The report (application/json, or text/html with format=html)",
        schema: BoardReportView,
        alsoAs: ["text/html; charset=utf-8"],
      },
      ...refusals,
    },
    async handler({ rt, caller, params, query }) {
      const doc = await getBreach(rt.app, caller, params.id);
      const report = boardReport(rt.app, doc, rt.app.ports.clock.now());
      const name = `breach-report-${doc.id}`;
      if (query.format === "html") {
        return {
          status: 200,
          headers: {
            "content-type": "text/html; charset=utf-8",
            "content-disposition": `inline; filename="${name}.html"`,
            "cache-control": "no-store",
            "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'",
          },
          body: boardReportHtml(report),
        };
      }
      return json(200, report, {
        "content-disposition": `attachment; filename="${name}.json"`,
        "cache-control": "no-store",
      });
    },
  }),
];
