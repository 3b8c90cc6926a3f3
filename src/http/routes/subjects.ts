import { z } from "zod";
import { subjectInventory } from "../../app/subject-inventory";
import { DomainError } from "../../domain/errors";
import { hashWhatsAppNumber, normaliseWhatsAppNumber, type Subject } from "../../domain/subject";
import { Phone, TenantId } from "../schemas/common";
import { json, route } from "../route";

const Query = z
  .object({ tenantId: TenantId.optional(), whatsapp: Phone.optional() })
  .strict()
  .refine((q) => (q.tenantId === undefined) !== (q.whatsapp === undefined), {
    message: "give exactly one of tenantId or whatsapp",
    path: ["tenantId"],
  });

const InventoryView = z.object({
  subject: z.union([
    z.object({ type: z.literal("tenant"), tenantId: z.string() }),
    z.object({ type: z.literal("whatsapp"), numberHash: z.string() }),
  ]),
  categories: z.array(
    z.object({ category: z.string(), label: z.string(), store: z.string(), records: z.number().int() }),
  ),
  total: z.number().int(),
});

export const subjectInventoryRoute = route({
  name: "subjectInventory",
  method: "GET",
  path: "v1/subjects/inventory",
  summary: "What the platform holds for a subject now: records per inventory category and store",
  access: ["privacy_officer"],
  query: Query,
  responses: { 200: { description: "Record counts per category", schema: InventoryView } },
  async handler({ rt, query }) {
    let subject: Subject;
    if (query.tenantId !== undefined) {
      subject = { type: "tenant", tenantId: query.tenantId };
    } else {
      const e164 = normaliseWhatsAppNumber(query.whatsapp ?? "");
      if (!e164) {
        throw new DomainError("invalid", "The query string is invalid.", [
          {
            field: "query.whatsapp",
            message: "not a valid WhatsApp number (use the country code, e.g. +91 98123 45678)",
          },
        ]);
      }
      subject = { type: "whatsapp", numberHash: hashWhatsAppNumber(rt.subjectHashKey, e164) };
    }
    const view = await subjectInventory(rt.ports, rt.inventory, subject);
    return json(200, { subject, ...view });
  },
});
