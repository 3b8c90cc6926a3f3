import { z } from "zod";
import { consentStatus, PURPOSES } from "../../app/rights/consent";
import { DomainError } from "../../domain/errors";
import { hashWhatsAppNumber, normaliseWhatsAppNumber, type Subject } from "../../domain/subject";
import { json, route } from "../route";
import { Problem } from "../schemas/problem";
import { TenantId } from "../schemas/common";

const Params = z
  .object({
    subject: z
      .string()
      .min(5)
      .max(80)
      .regex(/^(tenant|wa):\S+$/, "tenant:<tenantId> or wa:<WhatsApp number with country code>"),
  })
  .strict();

const Query = z
  .object({
    purpose: z.enum(PURPOSES),
    tenantId: TenantId.optional().describe(
      "Staff, for a WhatsApp number: only this business's records (a person's own withdrawal always counts)",
    ),
  })
  .strict();

const ConsentView = z.object({
  purpose: z.enum(PURPOSES),
  status: z.enum(["granted", "withdrawn"]),
  since: z.string(),
  channel: z.string().optional(),
});

function subjectOf(raw: string, key: Buffer): Subject {
  const bad = (message: string) =>
    new DomainError("invalid", "The path is invalid.", [{ field: "path.subject", message }]);
  const [type, ...rest] = raw.split(":");
  const value = rest.join(":");
  if (type === "tenant") {
    if (!TenantId.safeParse(value).success) throw bad("tenant:<tenantId>, the id as the platform gives it");
    return { type: "tenant", tenantId: value };
  }
  const e164 = normaliseWhatsAppNumber(value);
  if (!e164) throw bad("wa:<WhatsApp number with country code>, e.g. wa:+919812345678");
  return { type: "whatsapp", numberHash: hashWhatsAppNumber(key, e164) };
}

export const consentCheckRoute = route({
  name: "consentCheck",
  method: "GET",
  path: "v1/consents/{subject}",
  summary:
    "Consent check for other services: granted or withdrawn for one purpose, and since when (withdrawn from the moment of withdrawal)",
  access: ["owner", "admin", "member", "support", "privacy_officer"],
  params: Params,
  query: Query,
  responses: {
    200: { description: "The consent's status for the purpose", schema: ConsentView },
    400: { description: "Invalid subject or purpose", schema: Problem },
    404: {
      description: "No consent on record for this subject and purpose (read it as: no consent), or not yours",
      schema: Problem,
    },
  },
  async handler({ rt, caller, params, query }) {
    const subject = subjectOf(params.subject, rt.subjectHashKey);
    const answer = await consentStatus(rt.app, caller, subject, query.purpose, {
      ...(query.tenantId && caller.kind === "staff" ? { tenantId: query.tenantId } : {}),
    });
    return json(200, answer, { "cache-control": "no-store" });
  },
});
