import { z } from "zod";
import { SeedOptions } from "../../app/seed";
import { addDuration, parseDuration } from "../../domain/duration";
import { notFound } from "../../domain/errors";
import { normaliseWhatsAppNumber } from "../../domain/subject";
import type { DevTools, Runtime } from "../../runtime";
import { Role } from "../auth";
import { Phone, TenantId } from "../schemas/common";
import { Notification } from "../../ports/notifier";
import { json, route } from "../route";

/** Dev routes exist only where the local host built dev tools; in Azure they are never registered. */
const devTools = (rt: Runtime): DevTools => {
  if (!rt.dev) throw notFound();
  return rt.dev;
};

const TokenRequest = z
  .object({ role: Role, tenantId: TenantId.optional(), subject: z.string().min(1).max(128).optional() })
  .strict()
  .refine((t) => ["support", "privacy_officer"].includes(t.role) || t.tenantId !== undefined, {
    message: "dashboard roles (owner, admin, member) need a tenantId",
    path: ["tenantId"],
  })
  .refine((t) => !["support", "privacy_officer"].includes(t.role) || t.tenantId === undefined, {
    message: "staff roles are not bound to a tenant",
    path: ["tenantId"],
  });

export const devTokenRoute = route({
  name: "devToken",
  method: "POST",
  path: "_dev/token",
  summary: "Local only: mint a dashboard or staff JWT",
  access: "public",
  devOnly: true,
  body: TokenRequest,
  responses: { 200: { description: "A signed token", schema: z.object({ token: z.string() }) } },
  async handler({ rt, body }) {
    return json(200, { token: await devTools(rt).mintToken(body) });
  },
});

export const devSeedRoute = route({
  name: "devSeed",
  method: "POST",
  path: "_dev/seed",
  summary: "Local only: create a tenant with synthetic platform data of a given size",
  access: "public",
  devOnly: true,
  body: SeedOptions,
  responses: {
    201: {
      description: "The tenant, its owner token and what was written",
      schema: z
        .object({
          tenantId: z.string(),
          ownerEmail: z.string(),
          ownerToken: z.string(),
          contacts: z.array(z.string()),
          counts: z.record(z.string(), z.number().int()),
        })
        .strict(),
    },
  },
  async handler({ rt, body }) {
    return json(201, await devTools(rt).seed(body));
  },
});

const ClockRequest = z
  .object({
    advance: z
      .string()
      .refine((d) => parseDuration(d) !== undefined, "an ISO 8601 duration such as P31D or PT2H")
      .optional(),
    to: z.iso.datetime({ offset: true }).optional(),
  })
  .strict()
  .refine((c) => (c.advance === undefined) !== (c.to === undefined), {
    message: "give exactly one of advance or to",
    path: ["advance"],
  });

export const devClockRoute = route({
  name: "devClock",
  method: "POST",
  path: "_dev/clock",
  summary: "Local only: move the clock forward and deliver what is then due",
  access: "public",
  devOnly: true,
  body: ClockRequest,
  responses: {
    200: { description: "The new time, after due work ran", schema: z.object({ now: z.string() }) },
  },
  async handler({ rt, body }) {
    const tools = devTools(rt);
    const target = body.to ? new Date(body.to) : addDuration(rt.app.ports.clock.now(), body.advance!);
    const now = await tools.advanceClock(target);
    return json(200, { now: now.toISOString() });
  },
});

/**
 * The filter travels in the body, not the query: the addresses are numbers and emails, and a URL is
 * what request logs keep. No body lists every notice.
 */
const OutboxRequest = z
  .object({ to: z.union([Phone, z.email()]).optional().describe("A number in any spelling, or an email") })
  .strict()
  .optional();

export const devOutboxRoute = route({
  name: "devOutbox",
  method: "POST",
  path: "_dev/outbox",
  summary: "Local only: the notices the service would have sent",
  access: "public",
  devOnly: true,
  body: OutboxRequest,
  responses: {
    200: {
      description: "Notices, oldest first",
      schema: z.object({ messages: z.array(Notification) }).strict(),
    },
  },
  async handler({ rt, body }) {
    const raw = body?.to;
    // Notices to numbers are addressed in E.164: a number spelled any other way still finds them. An
    // email is left alone (a number-finder would read one out of `ravi9812345678@…`).
    const to =
      raw === undefined
        ? undefined
        : raw.includes("@")
          ? raw.trim()
          : (normaliseWhatsAppNumber(raw) ?? raw.trim());
    return json(200, { messages: devTools(rt).outbox(to) });
  },
});
