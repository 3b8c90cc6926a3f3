import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { normaliseWhatsAppNumber } from "../../src/domain/subject";
import { type HttpRoute, route } from "../../src/http/route";
import { allRoutes } from "../../src/http/routes";
import { Phone, TenantId } from "../../src/http/schemas/common";

/**
 * Phone numbers and emails never appear in a URL the service defines (DESIGN §9): request logs, and
 * Application Insights' request telemetry, keep the path and the query string. Every route of the
 * function table (dev routes too: a habit formed locally travels) is checked by the names of its path
 * and query parameters and by what their schemas accept, with generated numbers and emails.
 */

const ROUTES = allRoutes(true);

/** Words that say a parameter carries a person's number or address, whatever the casing or separator. */
const PERSONAL_WORDS = new Set([
  "phone",
  "whatsapp",
  "wa",
  "email",
  "mail",
  "to",
  "contact",
  "msisdn",
  "number",
  "mobile",
  "tel",
  "e164",
]);

/** `whatsAppNumber`, `contact_email`, `to-address` → their words, lower case. */
const wordsOf = (name: string) =>
  name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());

/**
 * Fields that may accept some generated values, and which: a continuation token is opaque and issued by
 * the service, so its schema cannot tell a number from a token; a tenant id is the platform's opaque id
 * (`[A-Za-z0-9_-]`), which bare digits also satisfy. A tenant id still refuses every spelling with a
 * number's marks (+, spaces, brackets, a `wa:`/`tel:` prefix) and every email.
 */
const MAY_ACCEPT: Record<string, (value: string) => boolean> = {
  continuationToken: () => true,
  tenantId: (value) => /^[0-9-]+$/.test(value),
};

const templateVariables = (path: string) =>
  [...path.matchAll(/\{\*?([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]!);

/** The object schema's fields, or a finding when the schema is not a strict object the guard can read. */
function fieldsOf(
  schema: z.ZodType | undefined,
  where: "query" | "path",
): { fields: Record<string, z.ZodType>; findings: string[] } {
  if (!schema) return { fields: {}, findings: [] };
  if (!(schema instanceof z.ZodObject))
    return { fields: {}, findings: [`${where}: not a zod object, so this guard cannot check its fields`] };
  // Strict: an unknown parameter is refused, so `?phone=…` is never quietly accepted (and kept using).
  const strict = schema.def.catchall instanceof z.ZodNever;
  return {
    fields: schema.shape as Record<string, z.ZodType>,
    findings: strict ? [] : [`${where}: not strict, so unknown parameters such as ?phone= are accepted`],
  };
}

/** Every reason this route lets a number or an email into a URL; empty when it does not. */
function urlStructureFindings(r: HttpRoute): string[] {
  const query = fieldsOf(r.query, "query");
  const params = fieldsOf(r.params, "path");
  const findings = [...query.findings, ...params.findings];
  const variables = templateVariables(r.path);
  // A template variable without a schema takes any text at all: a number among it.
  for (const v of variables)
    if (!(v in params.fields)) findings.push(`path {${v}}: no schema, so it accepts anything`);
  const names = [
    ...variables.map((v) => ({ where: "path", name: v })),
    ...Object.keys(query.fields).map((name) => ({ where: "query", name })),
  ];
  for (const { where, name } of names) {
    const personal = wordsOf(name).filter((w) => PERSONAL_WORDS.has(w));
    if (personal.length) findings.push(`${where} ${name}: named for personal data (${personal.join(", ")})`);
  }
  return findings;
}

function acceptanceFindings(r: HttpRoute, value: string): string[] {
  const findings: string[] = [];
  for (const [where, schema] of [
    ["query", r.query],
    ["path", r.params],
  ] as const) {
    for (const [name, field] of Object.entries(fieldsOf(schema, where).fields)) {
      if (!field.safeParse(value).success) continue;
      if (MAY_ACCEPT[name]?.(value)) continue;
      findings.push(`${where} ${name} accepts ${JSON.stringify(value)}`);
    }
  }
  return findings;
}

type Plan = { cc: string; n: string };

/** Valid numbers (India, where the service's people are, and two other plans): country code, national. */
const validNumbers = fc
  .oneof(
    fc.stringMatching(/^[6-9]\d{9}$/).map((n): Plan => ({ cc: "91", n })),
    fc.stringMatching(/^7[1-9]\d{8}$/).map((n): Plan => ({ cc: "44", n })),
    fc.stringMatching(/^[2-9]\d{2}[2-9]\d{6}$/).map((n): Plan => ({ cc: "1", n })),
  )
  .filter(({ cc, n }) => normaliseWhatsAppNumber(`+${cc}${n}`) !== undefined);

/** The spellings people and programs write numbers in; national ones for India, the default country. */
const international: ((p: Plan) => string)[] = [
  ({ cc, n }) => `+${cc}${n}`,
  ({ cc, n }) => `+${cc} ${n.slice(0, 5)} ${n.slice(5)}`,
  ({ cc, n }) => `(+${cc}) ${n.slice(0, 5)}-${n.slice(5)}`,
  ({ cc, n }) => `wa:+${cc}${n}`,
  ({ cc, n }) => `tel:+${cc}-${n}`,
];
const national: ((p: Plan) => string)[] = [
  ({ n }) => n,
  ({ n }) => `0${n}`,
  ({ n }) => `0${n.slice(0, 5)} ${n.slice(5)}`,
  ({ cc, n }) => `${cc}${n}`,
  ({ cc, n }) => `${cc}-${n.slice(0, 4)}-${n.slice(4, 7)}-${n.slice(7)}`,
  ({ n }) => `wa:${n}`,
];
const phoneSpellings = fc
  .tuple(validNumbers, fc.constantFrom(...international, ...national))
  .map(([p, spell]) => (p.cc === "91" || international.includes(spell) ? spell(p) : `+${p.cc}${p.n}`));

const emails = fc.oneof(
  fc.emailAddress(),
  fc.constantFrom("a@b.in", "ravi@example.in", "karan@callmissed.com", "wa:+919812345678@c.us"),
);

const personalValues = fc.oneof(phoneSpellings, emails);

describe("no route takes a phone number or an email in its URL", () => {
  it("by name: no path or query parameter is a number, email or WhatsApp field; every schema is strict", () => {
    const findings = ROUTES.flatMap((r) =>
      urlStructureFindings(r).map((f) => `${r.method} ${r.path} (${r.name}): ${f}`),
    );
    expect(findings).toEqual([]);
  });

  it("by schema: no path or query parameter accepts a generated number or email", () => {
    fc.assert(
      fc.property(personalValues, (value) => {
        const findings = ROUTES.flatMap((r) =>
          acceptanceFindings(r, value).map((f) => `${r.method} ${r.path} (${r.name}): ${f}`),
        );
        expect(findings).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it("the generators make what they claim: valid numbers, and emails", () => {
    fc.assert(
      fc.property(phoneSpellings, (s) => {
        expect(normaliseWhatsAppNumber(s.replace(/^(wa|tel):/, ""))).toBeDefined();
      }),
    );
    fc.assert(
      fc.property(emails, (e) => {
        expect(e).toContain("@");
      }),
    );
  });

  it("catches the routes this replaced (the guard is not vacuous)", () => {
    const old = (spec: { path: string; query?: z.ZodType; params?: z.ZodType }) =>
      route({
        name: "old",
        method: "GET",
        summary: "old",
        access: "public",
        responses: {},
        handler: () => Promise.reject(new Error("never called")),
        ...spec,
      });
    const inventory = old({
      path: "v1/subjects/inventory",
      query: z.object({ tenantId: TenantId.optional(), whatsapp: Phone.optional() }).strict(),
    });
    const outbox = old({
      path: "_dev/outbox",
      query: z.object({ to: z.union([Phone, z.email()]) }).strict(),
    });
    const consent = old({
      path: "v1/consents/{subject}",
      params: z.object({ subject: z.string().regex(/^(tenant|wa):\S+$/) }).strict(),
    });
    // A field with an innocent name still fails by what it accepts.
    const disguised = old({ path: "v1/lookup", query: z.object({ q: z.string().max(64) }).strict() });
    const loose = old({ path: "v1/loose", query: z.object({ tenantId: TenantId }) });
    const unchecked = old({ path: "v1/people/{key}" });

    expect(urlStructureFindings(inventory)).toEqual([expect.stringMatching(/^query whatsapp: named/)]);
    expect(urlStructureFindings(outbox)).toEqual([expect.stringMatching(/^query to: named/)]);
    expect(urlStructureFindings(loose)).toEqual([expect.stringMatching(/^query: not strict/)]);
    expect(urlStructureFindings(unchecked)).toEqual([expect.stringMatching(/^path \{key\}: no schema/)]);
    expect(acceptanceFindings(inventory, "+91 98123 45678")).toEqual([
      expect.stringMatching(/^query whatsapp accepts/),
    ]);
    expect(acceptanceFindings(outbox, "ravi@example.in")).toEqual([
      expect.stringMatching(/^query to accepts/),
    ]);
    expect(acceptanceFindings(consent, "wa:+919812345678")).toEqual([
      expect.stringMatching(/^path subject accepts/),
    ]);
    expect(acceptanceFindings(disguised, "+919812345678")).toHaveLength(1);
    expect(acceptanceFindings(disguised, "a@b.in")).toHaveLength(1);
    // The tenant id's allowance is bare digits only: a number's marks or an email are still caught.
    expect(acceptanceFindings(inventory, "9812345678")).toEqual([expect.stringMatching(/^query whatsapp/)]);
    const tenantOnly = old({ path: "v1/t", query: z.object({ tenantId: z.string().max(40) }).strict() });
    expect(acceptanceFindings(tenantOnly, "9812345678")).toEqual([]);
    expect(acceptanceFindings(tenantOnly, "+919812345678")).toHaveLength(1);
    expect(acceptanceFindings(tenantOnly, "a@b.in")).toHaveLength(1);
  });
});

/**
 * The Functions host routes in function-name order (ordinal, ignoring case) and the first
 * template-and-method match wins (DESIGN §9): two routes of one method whose templates can match the
 * same path would hand that path to whichever is named first. The POST routes that replaced numbers in
 * URLs sit beside GET routes with parameters, so this is where a shadowed route would appear.
 */
describe("no two routes of one method can match the same path", () => {
  type Segment = { literal: string } | { param: true; rest: boolean };
  const segments = (path: string): Segment[] =>
    path
      .split("/")
      .filter(Boolean)
      .map((s) => {
        const m = /^\{(\*)?[A-Za-z_][A-Za-z0-9_]*\}$/.exec(s);
        return m ? { param: true, rest: Boolean(m[1]) } : { literal: s.toLowerCase() };
      });
  const overlap = (a: Segment[], b: Segment[]): boolean => {
    const [x, y] = [a[0], b[0]];
    if (!x || !y) return !x && !y;
    if (("rest" in x && x.rest) || ("rest" in y && y.rest)) return true;
    if ("literal" in x && "literal" in y && x.literal !== y.literal) return false;
    return overlap(a.slice(1), b.slice(1));
  };

  it("holds for every route of the function table, and names are unique", () => {
    const clashes: string[] = [];
    for (const [i, a] of ROUTES.entries())
      for (const b of ROUTES.slice(i + 1))
        if (a.method === b.method && overlap(segments(a.path), segments(b.path)))
          clashes.push(`${a.method} ${a.path} (${a.name}) and ${b.path} (${b.name})`);
    expect(clashes).toEqual([]);
    const names = ROUTES.map((r) => r.name.toLowerCase());
    expect(new Set(names).size).toBe(names.length);
  });

  it("would see a GET v1/consents/check beside GET v1/consents/{subject}", () => {
    expect(overlap(segments("v1/consents/check"), segments("v1/consents/{subject}"))).toBe(true);
    expect(overlap(segments("v1/consents/check"), segments("v1/consents/{subject}/x"))).toBe(false);
  });
});
