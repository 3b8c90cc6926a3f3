import { z } from "zod";
import { subjectInventory } from "../../app/subject-inventory";
import { DomainError } from "../../domain/errors";
import { hashWhatsAppNumber, normaliseWhatsAppNumber, type Subject } from "../../domain/subject";
import { Phone, TenantId } from "../schemas/common";
import { json, route } from "../route";
import { Problem } from "../schemas/problem";

/**
 * A subject as a request body names it: a tenant id or a WhatsApp number in any spelling. Numbers and
 * emails never go in a URL (request logs, Application Insights included, record the URL): a route that
 * looks a person up takes this in a POST body.
 */
export const SubjectRef = z
  .object({
    tenantId: TenantId.optional(),
    whatsapp: Phone.optional().describe("With country code, in any spelling: +91 98123 45678"),
  })
  .strict()
  .refine((s) => (s.tenantId === undefined) !== (s.whatsapp === undefined), {
    message: "give exactly one of tenantId or whatsapp",
    path: ["whatsapp"],
  });
export type SubjectRef = z.infer<typeof SubjectRef>;

/** The subject a reference names; a number is kept only as its keyed hash from here on. */
export function subjectOfRef(ref: SubjectRef, key: Buffer, field: string): Subject {
  if (ref.tenantId !== undefined) return { type: "tenant", tenantId: ref.tenantId };
  const e164 = normaliseWhatsAppNumber(ref.whatsapp ?? "");
  // The schema let it through, so this is unreachable unless normalisation and the schema part ways.
  if (!e164)
    throw new DomainError("invalid", "The body is invalid.", [
      { field, message: "not a valid WhatsApp number (use the country code, e.g. +91 98123 45678)" },
    ]);
  return { type: "whatsapp", numberHash: hashWhatsAppNumber(key, e164) };
}

/** Where a number now goes: named in the refusal, so a caller who tries the old URL learns the new one. */
const NUMBER_IN_URL =
  'a WhatsApp number never goes in a URL: POST /api/v1/subjects/inventory with {"whatsapp":"+91 …"}';

/** Tenant ids only: a tenant id is the platform's opaque id, not personal data, so it may sit in a URL. */
const Query = z.strictObject(
  { tenantId: TenantId },
  {
    error: (issue) =>
      issue.code === "unrecognized_keys" && issue.keys.some((k) => /whatsapp|phone/i.test(k))
        ? NUMBER_IN_URL
        : undefined,
  },
);

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

const responses = {
  200: { description: "Record counts per category", schema: InventoryView },
  400: { description: "Invalid subject", schema: Problem },
};

export const subjectInventoryRoute = route({
  name: "subjectInventory",
  method: "GET",
  path: "v1/subjects/inventory",
  summary:
    "What the platform holds for a tenant now: records per inventory category and store (a WhatsApp number: POST)",
  access: ["privacy_officer"],
  query: Query,
  responses,
  async handler({ rt, query }) {
    const subject: Subject = { type: "tenant", tenantId: query.tenantId };
    const view = await subjectInventory(rt.app.ports, rt.app.inventory, subject);
    return json(200, { subject, ...view });
  },
});

/**
 * The same lookup with the subject in the body. It takes a tenant id too, so one body shape names a
 * subject on every lookup route; the GET stays for tenants because their ids are not personal data and
 * existing callers use it. POST on this template: no other POST route's template can match it, so the
 * Functions host (first template-and-method match in function-name order) cannot hand it elsewhere.
 */
export const subjectInventoryLookupRoute = route({
  name: "lookupSubjectInventory",
  method: "POST",
  path: "v1/subjects/inventory",
  summary:
    "What the platform holds for a WhatsApp number (or a tenant) now: records per inventory category and store",
  access: ["privacy_officer"],
  body: SubjectRef,
  responses,
  async handler({ rt, body }) {
    const subject = subjectOfRef(body, rt.app.keys.hash, "body.whatsapp");
    const view = await subjectInventory(rt.app.ports, rt.app.inventory, subject);
    // The answer is about a person: no cache on the way keeps a copy.
    return json(200, { subject, ...view }, { "cache-control": "no-store" });
  },
});
