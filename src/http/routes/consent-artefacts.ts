import { z } from "zod";
import { consentHistory, consentHistoryOfRequest, grantConsent, validateConsent } from "../../app/rights";
import { noticesInForce, PURPOSES } from "../../domain/consent/purposes";
import { DomainError } from "../../domain/errors";
import { json, route } from "../route";
import {
  affirmativeActionField,
  ArtefactList,
  ArtefactView,
  BusinessTenant,
  NoticeRef,
  preselectedField,
  ValidationView,
} from "../schemas/consents";
import { Problem } from "../schemas/problem";
import { IdParams } from "../schemas/requests";
import { SubjectRef, subjectOfRef } from "./subjects";

/**
 * Consent artefacts (docs/consent.md): a grant recorded by the dashboard (for the account, by its owner;
 * for a number the business messaged, by its owner or an admin), the validation the platform asks before
 * it processes, and the history. Every subject travels in a body: a number never goes in a URL. None of
 * these paths can be taken by `GET v1/consents/{subject}` (a GET) or by each other (each a fixed path).
 */

const dashboard = ["owner", "admin", "member"] as const;
const readers = [...dashboard, "support", "privacy_officer"] as const;

const GrantBody = z
  .object({
    subject: SubjectRef,
    purpose: z.enum(PURPOSES),
    tenantId: BusinessTenant.optional(),
    notice: NoticeRef,
    affirmativeAction: affirmativeActionField,
    preselected: preselectedField,
    renews: z.string().min(1).max(100).optional().describe("A renewal: the id of the grant it renews"),
  })
  .strict();

export const grantConsentRoute = route({
  name: "grantConsent",
  method: "POST",
  path: "v1/consents/grants",
  summary:
    "Record a consent the person gave, with the notice shown and their explicit act (a consent artefact); a renewal is a new grant",
  access: dashboard,
  idempotent: true,
  body: GrantBody,
  responses: {
    201: { description: "The consent artefact recorded", schema: ArtefactView },
    400: { description: "No explicit act, pre-selected, another notice, or invalid", schema: Problem },
    404: { description: "Not your account, or a number your business holds no records of", schema: Problem },
  },
  async handler({ rt, caller, body }) {
    if (caller.kind !== "dashboard")
      throw new DomainError("forbidden", "Only the dashboard records a grant.");
    const subject = subjectOfRef(body.subject, rt.app.keys.hash, "body.subject.whatsapp");
    const artefact = await grantConsent(rt.app, caller, {
      subject,
      purpose: body.purpose,
      ...(body.tenantId ? { business: body.tenantId } : {}),
      notice: body.notice,
      affirmativeAction: body.affirmativeAction,
      ...(body.renews ? { renews: body.renews } : {}),
    });
    const { pk: _pk, docType: _docType, ...view } = artefact;
    return json(201, view);
  },
});

const ValidateBody = z
  .object({
    subject: SubjectRef,
    purpose: z.enum(PURPOSES),
    tenantId: BusinessTenant.optional().describe(
      "Staff, for a WhatsApp number: the business about to process (a dashboard caller is always its own)",
    ),
  })
  .strict();

export const validateConsentRoute = route({
  name: "validateConsent",
  method: "POST",
  path: "v1/consents/validate",
  summary:
    "Before processing: is a consent in force for this principal and purpose? Allowed or denied, the artefact relied on, and the id of the validation record written",
  access: readers,
  body: ValidateBody,
  responses: {
    200: { description: "Allowed or denied, with why", schema: ValidationView },
    400: { description: "Invalid subject or purpose", schema: Problem },
    404: { description: "Not your account", schema: Problem },
  },
  async handler({ rt, caller, body }) {
    const subject = subjectOfRef(body.subject, rt.app.keys.hash, "body.subject.whatsapp");
    const answer = await validateConsent(rt.app, caller, subject, body.purpose, {
      ...(body.tenantId && caller.kind === "staff" ? { tenantId: body.tenantId } : {}),
    });
    return json(200, stripStorage(answer), { "cache-control": "no-store" });
  },
});

const HistoryBody = z.object({ subject: SubjectRef, purpose: z.enum(PURPOSES).optional() }).strict();

export const consentHistoryRoute = route({
  name: "consentHistory",
  method: "POST",
  path: "v1/consents/history",
  summary:
    "Every consent artefact of a principal, oldest first (staff; a dashboard: its account, and what concerns its business of a number)",
  access: readers,
  body: HistoryBody,
  responses: {
    200: { description: "The artefacts", schema: ArtefactList },
    400: { description: "Invalid subject or purpose", schema: Problem },
    404: { description: "Not your account, or a number your business holds no records of", schema: Problem },
  },
  async handler({ rt, caller, body }) {
    const subject = subjectOfRef(body.subject, rt.app.keys.hash, "body.subject.whatsapp");
    const artefacts = await consentHistory(rt.app, caller, subject, body.purpose);
    return json(200, { artefacts }, { "cache-control": "no-store" });
  },
});

export const requestConsentsRoute = route({
  name: "requestConsents",
  method: "GET",
  path: "v1/requests/{id}/consents",
  summary:
    "The consent history of a request's subject, for whoever may read the request (the person: with its token, once verified)",
  access: "optional",
  params: IdParams,
  responses: {
    200: {
      description: "The artefacts",
      schema: ArtefactList.extend({ requestId: z.string() }),
    },
    403: { description: "The request is not verified yet", schema: Problem },
    404: { description: "No such request, or not yours", schema: Problem },
  },
  async handler({ rt, caller, params }) {
    return json(200, await consentHistoryOfRequest(rt.app, caller, params.id), {
      "cache-control": "no-store",
    });
  },
});

const NoticesView = z.object({
  purposes: z.array(
    z
      .object({
        purpose: z.enum(PURPOSES),
        label: z.record(z.string(), z.string()),
        description: z.record(z.string(), z.string()),
        notice: z.object({
          id: z.string(),
          version: z.number().int(),
          text: z.record(z.string(), z.string()),
          sha256: z.record(z.string(), z.string()),
        }),
        validity: z.string().optional(),
        principalOnly: z.boolean(),
      })
      .meta({ id: "ConsentPurpose" }),
  ),
});

export const consentNoticesRoute = route({
  name: "consentNotices",
  method: "GET",
  path: "v1/consent-notices",
  summary:
    "The purposes consent is asked for, with the notice in force per language (its exact text and SHA-256) and how long a grant lasts",
  access: "public",
  responses: { 200: { description: "The purposes and notices", schema: NoticesView } },
  async handler() {
    return json(200, { purposes: noticesInForce() }, { "cache-control": "public, max-age=300" });
  },
});

/** An answer's artefact without its storage fields. */
function stripStorage<T extends { artefact?: { pk: string; docType: string } }>(answer: T) {
  if (!answer.artefact) return answer;
  const { pk: _pk, docType: _docType, ...artefact } = answer.artefact;
  return { ...answer, artefact };
}
