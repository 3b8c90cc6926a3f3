import { afterAll, beforeAll, describe, expect, it, type MockInstance, vi } from "vitest";
import { serviceContainers } from "../../src/adapters/cosmos/layout";
import { startTestHost, type TestHost } from "../support/host";
import { latestCode, outboxFor } from "../support/outbox";

/**
 * Numbers and emails stay out of URLs and out of the request log (DESIGN §9), end to end through the
 * local host: a WhatsApp-number request filed, the outbox read, the number's inventory and consent
 * checked, and every URL the client sent and every line the host logged searched for the number and the
 * email afterwards. The request log stands in for Application Insights, which records request URLs.
 */

const NUMBER = "+919855001122";
const SPELLED = "+91 98550 01122";
const EMAIL = "asha.rao@example.in";
/** Any spelling of the number contains these digits once separators are gone. */
const NATIONAL = "9855001122";
const ANY_EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/;

let host: TestHost;
let officer: string;
let tenantId: string;
let ownerToken: string;
let logs: MockInstance<typeof console.log>;
let errors: MockInstance<typeof console.error>;
let fetches: MockInstance<typeof fetch>;

const asText = (args: unknown[]) =>
  args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" ");
const logText = () => [...logs.mock.calls, ...errors.mock.calls].map(asText).join("\n");
/** The request log: the host's one JSON line per request. */
const requestLog = () =>
  logs.mock.calls
    .map(asText)
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    })
    .filter((l) => typeof l.route === "string" && typeof l.status === "number");
const urlsSent = () =>
  fetches.mock.calls.map(([input]) =>
    typeof input === "string" ? input : input instanceof URL ? input.href : input.url,
  );

/** What of the number or the email a text holds, in any spelling or percent-encoding. */
function personalDataIn(text: string): string[] {
  let decoded = text;
  try {
    decoded = decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    // not percent-encoded throughout: search the text as it is
  }
  const found: string[] = [];
  if (decoded.replace(/[\s().+-]/g, "").includes(NATIONAL)) found.push("the number");
  const email = ANY_EMAIL.exec(decoded);
  if (email) found.push(`an email (${email[0] === EMAIL ? "the requester's" : "another"})`);
  return found;
}

async function serviceDocumentCount(): Promise<number> {
  const counts = await Promise.all(
    serviceContainers.map((c) => host.runtime.app.ports.documents.collection("service", c.name).count({})),
  );
  return counts.reduce((a, b) => a + b, 0);
}

beforeAll(async () => {
  // vitest.config turns the request log off for every file; this file reads it.
  vi.stubEnv("LOCAL_HTTP_LOG", "on");
  logs = vi.spyOn(console, "log").mockImplementation(() => {});
  errors = vi.spyOn(console, "error").mockImplementation(() => {});
  fetches = vi.spyOn(globalThis, "fetch");
  host = await startTestHost();
  officer = await host.token("privacy_officer");
  const seeded = await host.call("POST", "/_dev/seed", {
    body: { conversations: 2, messagesPerConversation: 3, audioPerConversation: 0, contacts: [NUMBER] },
  });
  expect(seeded.status).toBe(201);
  tenantId = seeded.body.tenantId as string;
  ownerToken = seeded.body.ownerToken as string;
});

afterAll(async () => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  await host?.stop();
});

describe("a run for a WhatsApp number", () => {
  it("puts the number and the email in no URL and no log line", async () => {
    const created = await host.call("POST", "/v1/requests", {
      headers: { "x-forwarded-for": "10.77.0.1" },
      body: {
        kind: "erasure",
        scope: { type: "whatsapp_number", phone: SPELLED },
        contact: { email: EMAIL },
      },
    });
    expect(created.status).toBe(201);

    // The outbox, by number (any spelling) and by email, and whole.
    const code = await latestCode(host, SPELLED);
    expect(code).toMatch(/^\d{6}$/);
    expect((await outboxFor(host, NUMBER)).length).toBeGreaterThan(0);
    await outboxFor(host, EMAIL);
    expect((await outboxFor(host)).length).toBeGreaterThan(0);

    // The number's inventory and consent, in the body.
    const inventory = await host.call("POST", "/v1/subjects/inventory", {
      token: officer,
      body: { whatsapp: SPELLED },
    });
    expect(inventory.status).toBe(200);
    expect(inventory.body.subject).toEqual({ type: "whatsapp", numberHash: expect.any(String) });
    const messages = (inventory.body.categories as { category: string; records: number }[]).find(
      (c) => c.category === "messages",
    );
    // One seeded conversation of three messages is the number's.
    expect(messages?.records).toBe(3);
    expect(personalDataIn(JSON.stringify(inventory.body))).toEqual([]);

    const consent = await host.call("POST", "/v1/consents/check", {
      token: officer,
      body: { subject: { whatsapp: NUMBER }, purpose: "whatsapp_messaging" },
    });
    expect(consent.status).toBe(200);
    expect(consent.body).toMatchObject({ purpose: "whatsapp_messaging", status: "granted" });
    expect(consent.headers.get("cache-control")).toBe("no-store");
    // Staff narrowed to one business; the business itself; a tenant through the same body shape.
    const narrowed = await host.call("POST", "/v1/consents/check", {
      token: officer,
      body: { subject: { whatsapp: SPELLED }, purpose: "whatsapp_messaging", tenantId },
    });
    expect(narrowed.body.status).toBe("granted");
    const byOwner = await host.call("POST", "/v1/consents/check", {
      token: ownerToken,
      body: { subject: { whatsapp: NUMBER }, purpose: "whatsapp_messaging" },
    });
    expect(byOwner.body.status).toBe("granted");
    const tenantInBody = await host.call("POST", "/v1/subjects/inventory", {
      token: officer,
      body: { tenantId },
    });
    const tenantInUrl = await host.call("GET", `/v1/subjects/inventory?tenantId=${tenantId}`, {
      token: officer,
    });
    expect(tenantInBody.status).toBe(200);
    expect(tenantInBody.body).toEqual(tenantInUrl.body);

    const verified = await host.call("POST", `/v1/requests/${created.body.id}/verification`, {
      headers: { "x-forwarded-for": "10.77.0.1", "x-request-token": created.body.requestToken },
      body: { code },
    });
    expect(verified.status).toBe(200);

    // The request log ran (one line per request, the new routes by name) and holds nothing personal.
    const routes = requestLog().map((l) => l.route);
    for (const name of [
      "createRequest",
      "devOutbox",
      "lookupSubjectInventory",
      "subjectInventory",
      "lookupConsent",
      "submitVerification",
    ])
      expect(routes).toContain(name);
    expect(personalDataIn(logText())).toEqual([]);
    // Nor did any URL the client sent carry them (each one is what Azure's request telemetry records).
    const urls = urlsSent();
    expect(urls.length).toBeGreaterThanOrEqual(routes.length);
    expect(urls.filter((u) => personalDataIn(u).length > 0)).toEqual([]);
  });

  it("the old URLs are refused, naming the POST route, without echoing or logging the number", async () => {
    logs.mockClear();
    const inventory = await host.call(
      "GET",
      `/v1/subjects/inventory?whatsapp=${encodeURIComponent(SPELLED)}`,
      {
        token: officer,
      },
    );
    expect(inventory.status).toBe(400);
    expect(inventory.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(JSON.stringify(inventory.body.errors)).toContain("POST /api/v1/subjects/inventory");

    const consent = await host.call(
      "GET",
      `/v1/consents/${encodeURIComponent(`wa:${NUMBER}`)}?purpose=analytics`,
      {
        token: officer,
      },
    );
    expect(consent.status).toBe(400);
    expect(consent.body.errors).toEqual([
      { field: "path.subject", message: expect.stringContaining("POST /api/v1/consents/check") },
    ]);
    // The tenant form of the GET still answers.
    const tenantConsent = await host.call(
      "GET",
      `/v1/consents/tenant:${tenantId}?purpose=whatsapp_messaging`,
      {
        token: officer,
      },
    );
    expect([200, 404]).toContain(tenantConsent.status);

    const outbox = await host.call("GET", `/_dev/outbox?to=${encodeURIComponent(NUMBER)}`);
    expect(outbox.status).toBe(405);
    expect(outbox.headers.get("allow")).toBe("POST");
    // These URLs did carry the number (so the search above would have found it in one).
    expect(urlsSent().slice(-4).map(personalDataIn)).toEqual([
      ["the number"],
      ["the number"],
      [],
      ["the number"],
    ]);

    for (const res of [inventory, consent, outbox])
      expect(personalDataIn(JSON.stringify(res.body))).toEqual([]);
    expect(requestLog().map((l) => [l.route, l.status])).toEqual([
      ["subjectInventory", 400],
      ["consentCheck", 400],
      ["consentCheck", tenantConsent.status],
      ["unmatched", 405],
    ]);
    expect(personalDataIn(logText())).toEqual([]);
  });
});

describe("the POST routes that take numbers", () => {
  it("refuse bad input with 400 problem+json naming the field, echo nothing, store nothing", async () => {
    const before = await serviceDocumentCount();
    const cases: { path: string; body?: unknown; field: string }[] = [
      { path: "/v1/subjects/inventory", field: "body" },
      { path: "/v1/subjects/inventory", body: {}, field: "body.whatsapp" },
      { path: "/v1/subjects/inventory", body: { whatsapp: "12" }, field: "body.whatsapp" },
      { path: "/v1/subjects/inventory", body: { whatsapp: "98550 0112" }, field: "body.whatsapp" },
      { path: "/v1/subjects/inventory", body: { whatsapp: NUMBER, tenantId }, field: "body.whatsapp" },
      { path: "/v1/subjects/inventory", body: { whatsapp: 9855001122 }, field: "body.whatsapp" },
      { path: "/v1/subjects/inventory", body: { phone: NUMBER }, field: "body" },
      { path: "/v1/subjects/inventory", body: { tenantId: "bad id!" }, field: "body.tenantId" },
      {
        path: "/v1/consents/check",
        body: { subject: { whatsapp: "not a number" }, purpose: "analytics" },
        field: "body.subject.whatsapp",
      },
      { path: "/v1/consents/check", body: { subject: NUMBER, purpose: "analytics" }, field: "body.subject" },
      {
        path: "/v1/consents/check",
        body: { subject: { whatsapp: NUMBER }, purpose: "sms" },
        field: "body.purpose",
      },
      { path: "/v1/consents/check", body: { subject: { whatsapp: NUMBER } }, field: "body.purpose" },
      {
        path: "/v1/consents/check",
        body: { subject: { tenantId }, purpose: "analytics", tenantId },
        field: "body.tenantId",
      },
      {
        path: "/v1/consents/check",
        body: { subject: { whatsapp: NUMBER, email: EMAIL }, purpose: "analytics" },
        field: "body.subject",
      },
      { path: "/_dev/outbox", body: { to: "not an address" }, field: "body.to" },
      { path: "/_dev/outbox", body: { to: NUMBER, cc: EMAIL }, field: "body" },
    ];
    for (const c of cases) {
      const res = await host.call("POST", c.path, {
        token: officer,
        ...(c.body === undefined ? {} : { body: c.body }),
      });
      const what = `${c.path} ${JSON.stringify(c.body)}`;
      expect(res.status, what).toBe(400);
      expect(res.headers.get("content-type"), what).toMatch(/^application\/problem\+json/);
      expect(
        (res.body.errors as { field: string }[]).map((e) => e.field),
        what,
      ).toContain(c.field);
      expect(personalDataIn(JSON.stringify(res.body)), what).toEqual([]);
    }
    expect(await serviceDocumentCount()).toBe(before);
  });

  it("answer only the roles the GET forms answer", async () => {
    const body = { subject: { whatsapp: NUMBER }, purpose: "whatsapp_messaging" };
    expect((await host.call("POST", "/v1/consents/check", { body })).status).toBe(401);
    expect((await host.call("POST", "/v1/subjects/inventory", { body: { whatsapp: NUMBER } })).status).toBe(
      401,
    );
    for (const role of ["owner", "support"]) {
      const token = await host.token(role, role === "owner" ? tenantId : undefined);
      const res = await host.call("POST", "/v1/subjects/inventory", { token, body: { whatsapp: NUMBER } });
      expect(res.status, role).toBe(403);
      expect(personalDataIn(JSON.stringify(res.body))).toEqual([]);
    }
    // A business that never held a number learns nothing about it.
    const stranger = await host.call("POST", "/_dev/seed", {
      body: { conversations: 1, messagesPerConversation: 1, audioPerConversation: 0 },
    });
    const res = await host.call("POST", "/v1/consents/check", { token: stranger.body.ownerToken, body });
    expect(res.status).toBe(404);
  });
});
