import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestHost, type TestHost } from "../support/host";

/**
 * Property: whatever arrives at a request endpoint, the answer is never a 500, an error is problem+json,
 * and a refused create stores nothing.
 */
let host: TestHost;
let owner: string;
let officer: string;
let tenantId: string;

const storedCount = async () =>
  host.runtime.app.ports.documents.collection("service", "requests").count({ where: [] });

beforeAll(async () => {
  host = await startTestHost();
  const seeded = (
    await host.call("POST", "/_dev/seed", { body: { conversations: 1, messagesPerConversation: 1 } })
  ).body;
  owner = seeded.ownerToken;
  tenantId = seeded.tenantId;
  officer = await host.token("privacy_officer");
});
afterAll(async () => {
  await host?.stop();
});

const kinds = fc.constantFrom(
  "access",
  "correction",
  "erasure",
  "nomination",
  "grievance",
  "consent_withdrawal",
  "bogus",
);
const junk = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.string({ minLength: 300, maxLength: 5000 }),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
);
const phones = fc.oneof(
  fc.constantFrom("+91 98123 45678", "12", "+1", "not a number", "+999999999999999999", "०९८१२३४५६७८"),
  fc.string({ maxLength: 40 }),
);
const scope = fc.oneof(
  fc.record({ type: fc.constant("whatsapp_number"), phone: phones }),
  fc.record({
    type: fc.constant("account"),
    tenantId: fc.oneof(
      fc.constant(null).map(() => tenantId),
      fc.string({ maxLength: 80 }),
    ),
  }),
  fc.record({ type: fc.string({ maxLength: 10 }) }),
  junk,
);
/** Bodies that must be refused: each carries one defect (a wrong type, an unknown field, a bad value). */
const invalidBody = fc.oneof(
  fc.record({ kind: kinds, scope, extra: junk }),
  fc.record({
    kind: fc.constant("erasure"),
    scope: fc.record({
      type: fc.constant("whatsapp_number"),
      phone: fc.constantFrom("12", "abc", "+0000", ""),
    }),
  }),
  fc.record({
    kind: fc.constant("grievance"),
    details: fc.record({ summary: fc.oneof(fc.constant(""), fc.integer()) }),
  }),
  fc.record({
    kind: fc.constant("consent_withdrawal"),
    purposes: fc.array(fc.string({ maxLength: 12 }), { maxLength: 3 }),
  }),
  fc.record({
    kind: fc.constant("correction"),
    corrections: fc.oneof(
      fc.constant([]),
      fc.array(fc.record({ field: fc.constant("password"), value: fc.string() }), {
        minLength: 1,
        maxLength: 2,
      }),
    ),
  }),
  fc.record({
    kind: fc.constant("erasure"),
    scope: fc.constant({ type: "whatsapp_number", phone: "+919812345678" }),
    contact: fc.record({ email: fc.constantFrom("not-an-email", "a@", "@b.in") }),
  }),
  fc.record({ kind: junk }),
  junk,
);

describe("every request endpoint under arbitrary input", () => {
  it("POST /v1/requests: a refused body is 400 problem+json and stores nothing", async () => {
    const before = await storedCount();
    await fc.assert(
      fc.asyncProperty(
        invalidBody,
        fc.constantFrom<string | undefined>(undefined, "owner"),
        async (body, who) => {
          const res = await host.call("POST", "/v1/requests", {
            body,
            ...(who ? { token: owner } : {}),
            headers: { "x-forwarded-for": "10.7.7.7" },
          });
          expect(res.status).toBeGreaterThanOrEqual(400);
          expect(res.status).toBeLessThan(500);
          expect(res.headers.get("content-type")).toMatch(/application\/problem\+json/);
          expect(res.body.status).toBe(res.status);
        },
      ),
      { numRuns: 150 },
    );
    expect(await storedCount()).toBe(before);
  });

  it("raw bytes that are not JSON are 400 and store nothing", async () => {
    const before = await storedCount();
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 200 }), async (raw) => {
        fc.pre(
          (() => {
            try {
              JSON.parse(raw);
              return false;
            } catch {
              return true;
            }
          })(),
        );
        const res = await host.call("POST", "/v1/requests", {
          raw,
          headers: { "content-type": "application/json" },
        });
        expect(res.status).toBe(400);
      }),
      { numRuns: 60 },
    );
    expect(await storedCount()).toBe(before);
  });

  it("actions, reads and lists: arbitrary ids, bodies and queries never give a 500", async () => {
    const paths = fc.constantFrom(
      "verification",
      "verification/resend",
      "cancel",
      "approve",
      "reject",
      "hold",
      "release",
      "extend",
      "retry",
    );
    const ids = fc.oneof(
      fc.constant("r-00000000-0000-0000-0000-000000000000"),
      fc.string({ minLength: 1, maxLength: 60 }).map(encodeURIComponent),
    );
    await fc.assert(
      fc.asyncProperty(
        paths,
        ids,
        fc.option(junk),
        fc.constantFrom(undefined, "officer"),
        async (verb, id, body, who) => {
          const res = await host.call("POST", `/v1/requests/${id}/${verb}`, {
            ...(body === null
              ? {}
              : { body: typeof body === "object" ? body : { code: body, reason: body, until: body } }),
            ...(who ? { token: officer } : {}),
          });
          expect(res.status, `${verb} ${id}`).toBeLessThan(500);
          expect(res.status).toBeGreaterThanOrEqual(400);
        },
      ),
      { numRuns: 120 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(
          fc.constantFrom("status", "kind", "overdue", "limit", "continuationToken", "x"),
          fc.string({ maxLength: 30 }),
        ),
        async (q) => {
          const res = await host.call("GET", `/v1/requests?${new URLSearchParams(q).toString()}`, {
            token: officer,
          });
          expect(res.status).toBeLessThan(500);
        },
      ),
      { numRuns: 60 },
    );
  });
});
