import { z } from "zod";
import { consentStatus, PURPOSES } from "../../app/rights";
import type { Caller } from "../../app/caller";
import type { Subject } from "../../domain/subject";
import type { Runtime } from "../../runtime";
import { json, route } from "../route";
import { Problem } from "../schemas/problem";
import { TenantId } from "../schemas/common";
import { SubjectRef, subjectOfRef } from "./subjects";

const CHECK_ROUTE = "POST /api/v1/consents/check";

/**
 * `tenant:<id>` only. A WhatsApp number (the old `wa:<number>`) is refused with the route to use
 * instead: request URLs are logged, and a number that works in a URL is a number that ends up in logs.
 * The refusal never repeats the value.
 */
const Params = z
  .object({
    subject: z
      .string()
      .max(80)
      .superRefine((raw, ctx) => {
        if (raw.startsWith("tenant:") && TenantId.safeParse(raw.slice("tenant:".length)).success) return;
        ctx.addIssue({
          code: "custom",
          message: raw.startsWith("wa:")
            ? `a WhatsApp number never goes in a URL: ${CHECK_ROUTE} with {"subject":{"whatsapp":"…"},"purpose":"…"}`
            : `tenant:<tenantId>, the id as the platform gives it (for a WhatsApp number: ${CHECK_ROUTE})`,
        });
      }),
  })
  .strict();

const Query = z.object({ purpose: z.enum(PURPOSES) }).strict();

const CheckBody = z
  .object({
    subject: SubjectRef,
    purpose: z.enum(PURPOSES),
    tenantId: TenantId.optional().describe(
      "Staff, for a WhatsApp number: only this business's records (a person's own withdrawal always counts)",
    ),
  })
  .strict()
  .refine((b) => b.tenantId === undefined || b.subject.whatsapp !== undefined, {
    // A tenant's consent is the tenant's own: a second tenant id would only be ignored, so say so.
    message: "only with a WhatsApp subject",
    path: ["tenantId"],
  });

const ConsentView = z.object({
  purpose: z.enum(PURPOSES),
  status: z
    .enum(["granted", "withdrawn", "expired"])
    .describe("expired: a grant past its validity and not renewed (read it as no consent)"),
  since: z.string(),
  channel: z.string().optional(),
});

const access = ["owner", "admin", "member", "support", "privacy_officer"] as const;

const responses = {
  200: { description: "The consent's status for the purpose", schema: ConsentView },
  400: { description: "Invalid subject or purpose", schema: Problem },
  404: {
    description: "No consent on record for this subject and purpose (read it as: no consent), or not yours",
    schema: Problem,
  },
};

async function answer(
  rt: Runtime,
  caller: Caller,
  subject: Subject,
  purpose: (typeof PURPOSES)[number],
  tenantId?: string,
) {
  const status = await consentStatus(rt.app, caller, subject, purpose, {
    ...(tenantId && caller.kind === "staff" ? { tenantId } : {}),
  });
  return json(200, status, { "cache-control": "no-store" });
}

export const consentCheckRoute = route({
  name: "consentCheck",
  method: "GET",
  path: "v1/consents/{subject}",
  summary:
    "Consent check for a tenant: granted or withdrawn for one purpose, and since when (a WhatsApp number: POST v1/consents/check)",
  access,
  params: Params,
  query: Query,
  responses,
  async handler({ rt, caller, params, query }) {
    const subject: Subject = { type: "tenant", tenantId: params.subject.slice("tenant:".length) };
    return answer(rt, caller, subject, query.purpose);
  },
});

/**
 * The consent check with the subject in the body, for WhatsApp numbers (and tenants, so one shape
 * serves both). POST, not GET: `GET v1/consents/{subject}` would also match `v1/consents/check`, and the
 * Functions host hands a path to the first template-and-method match in function-name order.
 */
export const consentLookupRoute = route({
  name: "lookupConsent",
  method: "POST",
  path: "v1/consents/check",
  summary:
    "Consent check for other services: granted or withdrawn for one purpose, and since when (withdrawn from the moment of withdrawal)",
  access,
  body: CheckBody,
  responses,
  async handler({ rt, caller, body }) {
    const subject = subjectOfRef(body.subject, rt.app.keys.hash, "body.subject.whatsapp");
    return answer(rt, caller, subject, body.purpose, body.tenantId);
  },
});
