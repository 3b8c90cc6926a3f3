import { z } from "zod";
import { parseDuration } from "../duration";

/**
 * The processor register: the sub-processor schedule the Privacy Policy (§4) offers enterprise customers,
 * as data. Each entry is one service partner bound by contract to "assistance with data principal
 * requests": what it receives (inventory categories), where it processes it (s.16 cross-border), how it
 * is told of an erasure, a withdrawal or a correction, and how long it has to confirm (DPDP Act s.6(6),
 * s.8(7)). Staff keep it; a tenant's owner reads the entries that serve its tenant.
 */

/** A partner's id: lower-case words and hyphens, no dots (a task id is `pt.<partner>.<request id>`). */
export const PROCESSOR_ID = /^[a-z][a-z0-9-]{1,39}$/;
export const ProcessorId = z
  .string()
  .regex(PROCESSOR_ID, "lower-case letters, digits and hyphens, e.g. meta-whatsapp");

/** ISO 3166-1 alpha-2. India (IN) is domestic; anything else is a transfer under DPDP Act s.16. */
export const Country = z.string().regex(/^[A-Z]{2}$/, "an ISO 3166-1 alpha-2 country code, e.g. IN");
export const DOMESTIC = "IN";

/** https, or plain http to this machine only (a test's receiver, a developer's stub). */
const LOOPBACK = /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?\//;
export const WebhookUrl = z
  .url({ message: "must be the partner's https URL" })
  .max(500)
  .refine((u) => u.startsWith("https://") || LOOPBACK.test(u), "a webhook must use https");

/** How a partner is told: a signed webhook (Standard Webhooks), a Service Bus topic, or email to a named contact. */
export const NotificationChannel = z.discriminatedUnion("type", [
  z.object({ type: z.literal("webhook"), url: WebhookUrl }).strict(),
  z
    .object({
      type: z.literal("service_bus_topic"),
      // `partner-` and nothing else: a notice can never be put on one of this service's own queues
      // (infra/modules/servicebus.bicep: request-execution, account-purge…), where it would be run as ours.
      topic: z
        .string()
        .regex(
          /^partner-[A-Za-z0-9][A-Za-z0-9._-]{0,250}$/,
          "a partner topic's name: partner- then letters, digits, . _ - (never one of our own queues)",
        ),
    })
    .strict(),
  z
    .object({
      type: z.literal("email"),
      contactName: z.string().trim().min(1).max(120),
      address: z.email().max(320),
    })
    .strict(),
]);
export type NotificationChannel = z.infer<typeof NotificationChannel>;

/** The time a partner has to confirm: an ISO 8601 duration of clock units or days, from 1 hour to 30 days. */
export const ConfirmWithin = z.string().refine((s) => {
  const d = parseDuration(s);
  if (!d || d.years || d.months) return false;
  const hours = (d.weeks * 7 + d.days) * 24 + d.hours + d.minutes / 60 + d.seconds / 3600;
  return hours >= 1 && hours <= 30 * 24;
}, "an ISO 8601 duration from PT1H to P30D, e.g. PT72H");

/** What staff write: the entry without its id, version and times. */
export const ProcessorInput = z
  .object({
    name: z.string().trim().min(2).max(120),
    /** What the partner is engaged for, in the schedule's words. */
    purpose: z.string().trim().min(3).max(300),
    categories: z
      .array(z.string().regex(/^[a-z][a-z0-9_]*$/, "a category of the data inventory"))
      .min(1)
      .max(40),
    location: z.object({ country: Country }).strict(),
    contractReference: z.string().trim().min(1).max(120),
    channel: NotificationChannel,
    confirmWithin: ConfirmWithin,
    /** Which tenants' data it receives: all, or the listed tenants only. */
    tenants: z.union([
      z.literal("all"),
      z
        .array(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/))
        .min(1)
        .max(500),
    ]),
  })
  .strict();
export type ProcessorInput = z.infer<typeof ProcessorInput>;

/** The categories of `input` the inventory does not name (none: valid). */
export const unknownCategories = (input: Pick<ProcessorInput, "categories">, known: readonly string[]) =>
  input.categories.filter((c) => !known.includes(c));

/** The stored entry (`requests`, partition `processors`, docType `processor`). */
export const ProcessorEntry = ProcessorInput.extend({
  id: z.string(),
  pk: z.literal("processors"),
  docType: z.literal("processor"),
  processorId: ProcessorId,
  status: z.enum(["active", "retired"]),
  /** 1 at creation, +1 at each change: a task names the version it was made from. */
  version: z.number().int().min(1),
  createdAt: z.string(),
  updatedAt: z.string(),
  retiredAt: z.string().optional(),
  retiredReason: z.string().optional(),
}).strict();
export type ProcessorEntry = z.infer<typeof ProcessorEntry>;

export const REGISTER_PARTITION = "processors";
export const processorDocId = (processorId: string) => `processor:${processorId}`;

/** Outside India: a transfer the Central Government may restrict by notification (DPDP Act s.16). */
export const isCrossBorder = (entry: Pick<ProcessorInput, "location">) => entry.location.country !== DOMESTIC;

export const servesTenant = (entry: Pick<ProcessorInput, "tenants">, tenantId: string) =>
  entry.tenants === "all" || entry.tenants.includes(tenantId);
