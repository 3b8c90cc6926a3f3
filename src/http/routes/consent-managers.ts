import { z } from "zod";
import { acceptManagerRequest, type ManagerAction, maskPhone } from "../../app/rights";
import { AffirmativeAction } from "../../domain/consent/artefact";
import { PURPOSES } from "../../domain/consent/purposes";
import { DomainError } from "../../domain/errors";
import { normaliseWhatsAppNumber } from "../../domain/subject";
import { verifyManagerRequest } from "../consent-manager-auth";
import { json, route } from "../route";
import {
  ArtefactView,
  BusinessTenant,
  NoticeRef,
  preselectedField,
  ValidationView,
} from "../schemas/consents";
import { Problem } from "../schemas/problem";
import { SubjectRef, subjectOfRef } from "./subjects";

/**
 * A consent manager registered with the Board (DPDP Act s.6(7)–(9), Rules Rule 4) acting for its
 * principal: a grant, a withdrawal, or a status question, as one signed request (docs/consent.md has the
 * message shape and why). No bearer token: the signature is the credential, and only managers in
 * CONSENT_MANAGERS are trusted.
 */

const Purpose = z.enum(PURPOSES);

/** The claims beyond the JWT's own (iss, aud, iat, exp, jti: checked with the signature). */
const Claims = z.discriminatedUnion("action", [
  z.strictObject({
    action: z.literal("grant"),
    principal: SubjectRef,
    purpose: Purpose,
    tenantId: BusinessTenant.optional(),
    notice: NoticeRef,
    affirmativeAction: AffirmativeAction,
    preselected: preselectedField,
    renews: z.string().min(1).max(100).optional(),
  }),
  z.strictObject({
    action: z.literal("withdraw"),
    principal: SubjectRef,
    purposes: z
      .array(Purpose)
      .min(1)
      .max(PURPOSES.length)
      .refine((ps) => new Set(ps).size === ps.length, "each purpose once"),
  }),
  z.strictObject({
    action: z.literal("status"),
    principal: SubjectRef,
    purpose: Purpose,
    tenantId: BusinessTenant.optional(),
  }),
]);

const Body = z
  .object({
    request: z
      .string()
      .min(1)
      .max(16_384)
      .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/, "a compact JWS")
      .describe("A compact JWS signed by the consent manager (claims: docs/consent.md)"),
  })
  .strict();

const Answer = z.discriminatedUnion("action", [
  z.object({ action: z.literal("grant"), artefact: ArtefactView }),
  z.object({
    action: z.literal("withdraw"),
    requestId: z.string(),
    status: z.string(),
    artefacts: z.array(ArtefactView),
  }),
  ValidationView.extend({ action: z.literal("status") }),
]);

export const consentManagerRoute = route({
  name: "consentManagerRequest",
  method: "POST",
  path: "v1/consent-managers/requests",
  summary:
    "A registered consent manager's signed request for its principal: grant, withdraw, or ask the consent's status",
  access: "public",
  body: Body,
  responses: {
    200: { description: "Withdrawn, or the status", schema: Answer },
    201: { description: "The grant's artefact", schema: Answer },
    400: { description: "The signed claims are invalid (named under body.request)", schema: Problem },
    401: {
      description: "Unsigned, not a configured manager, wrong key or audience, expired, or replayed",
      schema: Problem,
    },
    403: { description: "Refused for this principal or purpose", schema: Problem },
    404: { description: "Nothing the manager may see", schema: Problem },
  },
  async handler({ rt, body }) {
    const verified = await verifyManagerRequest(
      body.request,
      rt.config.CONSENT_MANAGERS,
      rt.config.CONSENT_MANAGER_AUDIENCE,
      rt.app.ports.clock.now(),
    );
    // Strict beyond the JWT's own claims: a claim this service does not know (a `preselected: true`, a
    // `defaultOn`) is refused, never dropped.
    const { iss: _iss, aud: _aud, iat: _iat, exp: _exp, nbf: _nbf, jti: _jti, ...own } = verified.claims;
    const claims = Claims.safeParse(own);
    if (!claims.success)
      throw new DomainError(
        "invalid",
        "The signed request is invalid.",
        claims.error.issues.map((i) => ({
          field: ["body.request", ...i.path.map(String)].join("."),
          message: i.message,
        })),
      );
    const c = claims.data;
    const subject = subjectOfRef(c.principal, rt.app.keys.hash, "body.request.principal.whatsapp");
    const e164 = c.principal.whatsapp ? normaliseWhatsAppNumber(c.principal.whatsapp) : undefined;
    const action: ManagerAction =
      c.action === "grant"
        ? {
            action: "grant",
            subject,
            purpose: c.purpose,
            ...(c.tenantId ? { business: c.tenantId } : {}),
            notice: c.notice,
            affirmativeAction: c.affirmativeAction,
            ...(c.renews ? { renews: c.renews } : {}),
          }
        : c.action === "withdraw"
          ? {
              action: "withdraw",
              subject,
              purposes: c.purposes,
              ...(e164 ? { masked: maskPhone(e164) } : {}),
            }
          : {
              action: "status",
              subject,
              purpose: c.purpose,
              ...(c.tenantId ? { business: c.tenantId } : {}),
            };
    const answer = await acceptManagerRequest(rt.app, verified.manager, verified, action);
    const out =
      answer.action === "grant"
        ? { action: "grant", artefact: withoutStorage(answer.artefact) }
        : answer.action === "withdraw"
          ? { ...answer, artefacts: answer.artefacts.map(withoutStorage) }
          : { ...answer, ...(answer.artefact ? { artefact: withoutStorage(answer.artefact) } : {}) };
    return json(answer.action === "grant" ? 201 : 200, out, { "cache-control": "no-store" });
  },
});

function withoutStorage<T extends { pk: string; docType: string }>(a: T): Omit<T, "pk" | "docType"> {
  const { pk: _pk, docType: _docType, ...rest } = a;
  return rest;
}
