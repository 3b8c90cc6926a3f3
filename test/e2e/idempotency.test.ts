import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allRoutes } from "../../src/http/routes";
import { testData } from "../support/generators";
import { startTestHost, type TestHost } from "../support/host";

/**
 * Idempotency-Key on every creating POST (draft-ietf-httpapi-idempotency-key-header-07), through the
 * local host with the dev clock: the same key and request give one resource and the first answer again
 * (`Idempotent-Replayed: true`); another request with the key is 422 with nothing stored; a call while
 * the first runs is 409; keys are the caller's own; a key expires after IDEMPOTENCY_TTL_HOURS.
 */

const data = testData("e2e/idempotency.test.ts");
let host: TestHost;
let officer: string;
let tenantA: { tenantId: string; ownerToken: string };
let tenantB: { tenantId: string; ownerToken: string };
let keySeq = 0;

/** A fresh key per call site, from a counter: never the wall clock. */
const newKey = (label: string) => `${label}-${data.int(100_000, 999_999)}-${++keySeq}`;
const quoted = (key: string) => `"${key}"`;

const mint = (role: string, subject?: string) =>
  host.runtime.dev!.mintToken({ role: role as never, ...(subject ? { subject } : {}) });

const now = async () =>
  Date.parse((await host.call("POST", "/_dev/clock", { body: { advance: "PT0S" } })).body.now);

function breachBody(
  discoveredAt: string,
  nature = "A misrouted export was readable by a wrong link for an hour.",
) {
  return {
    discoveredAt,
    nature,
    dataCategories: ["conversations"],
    tenantsAffected: [tenantA.tenantId],
    principalsAffected: { estimated: 3, contacts: [{ email: data.email("affected") }] },
    likelyConsequences: "Someone may have seen names and numbers.",
    measuresTaken: "The link was disabled and access reviewed.",
    safetySteps: "Do not share codes with anyone who messages you.",
  };
}

const breaches = async (token = officer) =>
  (await host.call("GET", "/v1/breaches", { token })).body.items as { id: string }[];
const sets = async () =>
  (await host.call("GET", "/v1/backups?limit=100", { token: officer })).body.items as { id: string }[];
const service = (container: string) => host.runtime.app.ports.documents.collection("service", container);
const countOf = (container: string, docType: string) =>
  service(container).count({ where: [{ field: "docType", op: "=", value: docType }] });

async function newBreach(token = officer) {
  const res = await host.call("POST", "/v1/breaches", {
    token,
    body: breachBody(new Date((await now()) - 3_600_000).toISOString()),
  });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

/** The same call twice with one key: the second is the first answer again, replayed. */
async function twice(method: string, path: string, key: string, options: { token?: string; body?: unknown }) {
  const headers = { "idempotency-key": quoted(key) };
  const first = await host.call(method, path, { ...options, headers });
  const second = await host.call(method, path, { ...options, headers });
  expect(first.headers.get("idempotent-replayed")).toBeNull();
  expect(second.headers.get("idempotent-replayed")).toBe("true");
  expect(second.status).toBe(first.status);
  expect(second.body).toEqual(first.body);
  expect(second.headers.get("location")).toBe(first.headers.get("location"));
  return { first, second };
}

beforeAll(async () => {
  host = await startTestHost();
  officer = await mint("privacy_officer");
  const seed = async () =>
    (await host.call("POST", "/_dev/seed", { body: { conversations: 1, messagesPerConversation: 1 } })).body;
  tenantA = await seed();
  tenantB = await seed();
});
afterAll(async () => {
  await host?.stop();
});

describe("which routes honour Idempotency-Key", () => {
  it("every POST that creates a resource or starts a job is marked idempotent", () => {
    const idempotent = allRoutes(true)
      .filter((r) => r.idempotent)
      .map((r) => `${r.method} ${r.path}`)
      .sort();
    expect(idempotent).toEqual(
      [
        "POST v1/backups",
        "POST v1/backups/{id}/restore",
        "POST v1/breaches",
        "POST v1/breaches/{id}/board-report",
        "POST v1/breaches/{id}/notices",
        "POST v1/consents/grants",
        // Create-only by its id too: a retry with another key gets 409, never a second entry.
        "POST v1/processors",
        "POST v1/requests",
      ].sort(),
    );
  });
});

describe("the same key and request: one resource, the first answer again", () => {
  it("POST /v1/breaches: a retry opens no second breach (one 72-hour clock)", async () => {
    const before = (await breaches()).length;
    const key = newKey("breach");
    const body = breachBody(new Date((await now()) - 3_600_000).toISOString());
    const { first } = await twice("POST", "/v1/breaches", key, { token: officer, body });
    expect(first.status).toBe(201);
    const list = await breaches();
    expect(list).toHaveLength(before + 1);
    expect(list.filter((b) => b.id === first.body.id)).toHaveLength(1);
    // The bare form of the same key is the same key.
    const bare = await host.call("POST", "/v1/breaches", {
      token: officer,
      body,
      headers: { "idempotency-key": key },
    });
    expect(bare.headers.get("idempotent-replayed")).toBe("true");
    expect(bare.body.id).toBe(first.body.id);
    expect(await breaches()).toHaveLength(before + 1);
  });

  it("POST /v1/breaches/{id}/notices: the notices go once; the replay is the first answer", async () => {
    const id = await newBreach();
    const sent = async () =>
      ((await host.call("POST", "/_dev/outbox", {})).body.messages as { template: string }[]).length;
    const before = await sent();
    const { first } = await twice("POST", `/v1/breaches/${id}/notices`, newKey("notices"), {
      token: officer,
    });
    expect(first.status).toBe(200);
    expect(first.body.run.sent).toBeGreaterThan(0);
    expect(await sent()).toBe(before + (first.body.run.sent as number));
  });

  it("POST /v1/breaches/{id}/board-report: a retry is the first answer, not 409 already reported", async () => {
    const id = await newBreach();
    const body = { reference: `DPB-${data.int(1000, 9999)}` };
    const { first } = await twice("POST", `/v1/breaches/${id}/board-report`, newKey("report"), {
      token: officer,
      body,
    });
    expect(first.status).toBe(200);
    expect(first.body.state).toBe("reported");
    // Without the key the retry is what it always was.
    expect(
      (await host.call("POST", `/v1/breaches/${id}/board-report`, { token: officer, body })).status,
    ).toBe(409);
  });

  it("POST /v1/backups: one set", async () => {
    const before = (await sets()).length;
    const { first } = await twice("POST", "/v1/backups", newKey("backup"), { token: officer });
    expect(first.status).toBe(202);
    const list = await sets();
    expect(list).toHaveLength(before + 1);
    expect(list.map((s) => s.id)).toContain(first.body.id);
  });

  it("POST /v1/backups/{id}/restore: one restore", async () => {
    const set = await host.call("POST", "/v1/backups", { token: officer });
    expect(set.status).toBe(202);
    const before = await countOf("jobs", "backup-restore");
    const { first } = await twice("POST", `/v1/backups/${set.body.id}/restore`, newKey("restore"), {
      token: officer,
      body: { tenantId: tenantA.tenantId },
    });
    expect(first.status).toBe(200);
    expect(await countOf("jobs", "backup-restore")).toBe(before + 1);
  });

  it("POST /v1/requests (dashboard): one request", async () => {
    const before = await countOf("requests", "request");
    const body = { kind: "grievance", details: { summary: "The bot keeps messaging me after I said stop." } };
    const { first } = await twice("POST", "/v1/requests", newKey("filing"), {
      token: tenantA.ownerToken,
      body,
    });
    expect(first.status).toBe(201);
    expect(await countOf("requests", "request")).toBe(before + 1);
  });
});

describe("refusals", () => {
  it("another body with the key is 422 problem+json, and nothing is stored", async () => {
    const key = newKey("reuse");
    const at = new Date((await now()) - 3_600_000).toISOString();
    const headers = { "idempotency-key": quoted(key) };
    const first = await host.call("POST", "/v1/breaches", { token: officer, body: breachBody(at), headers });
    expect(first.status).toBe(201);
    const before = (await breaches()).length;
    const records = await countOf("requests", "idempotency");
    const other = await host.call("POST", "/v1/breaches", {
      token: officer,
      body: breachBody(at, "Another incident entirely, reported with the same key."),
      headers,
    });
    expect(other.status).toBe(422);
    expect(other.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(other.body.type).toMatch(/\/problems\/idempotency-key-reused$/);
    expect(other.headers.get("idempotent-replayed")).toBeNull();
    expect(await breaches()).toHaveLength(before);
    expect(await countOf("requests", "idempotency")).toBe(records);
    // The same key on another breach's board report is another request too.
    const a = await newBreach();
    const b = await newBreach();
    const reportKey = { "idempotency-key": quoted(newKey("report-reuse")) };
    const body = { reference: "DPB-1" };
    expect(
      (
        await host.call("POST", `/v1/breaches/${a}/board-report`, {
          token: officer,
          body,
          headers: reportKey,
        })
      ).status,
    ).toBe(200);
    const onB = await host.call("POST", `/v1/breaches/${b}/board-report`, {
      token: officer,
      body,
      headers: reportKey,
    });
    expect(onB.status).toBe(422);
    expect((await host.call("GET", `/v1/breaches/${b}`, { token: officer })).body.state).toBe("open");
  });

  it.each([
    ["over 255 characters", quoted("x".repeat(256))],
    ["an unterminated string", '"abc'],
    ["an empty string", '""'],
    ["two header fields", '"a", "b"'],
    ["a non-ASCII character", '"clé"'],
    ["a bare value with a quote inside", 'ab"c'],
  ])("a malformed key (%s) is 400, and nothing is stored", async (_name, value) => {
    const before = (await breaches()).length;
    const records = await countOf("requests", "idempotency");
    const res = await host.call("POST", "/v1/breaches", {
      token: officer,
      body: breachBody(new Date((await now()) - 3_600_000).toISOString()),
      headers: { "idempotency-key": value },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toContainEqual(expect.objectContaining({ field: "header.idempotency-key" }));
    expect(await breaches()).toHaveLength(before);
    expect(await countOf("requests", "idempotency")).toBe(records);
  });

  it("concurrent first calls with one key create one breach; the others are 409 or the replay", async () => {
    const before = (await breaches()).length;
    const headers = { "idempotency-key": quoted(newKey("race")) };
    const body = breachBody(new Date((await now()) - 3_600_000).toISOString());
    const results = await Promise.all(
      [0, 1, 2].map(() => host.call("POST", "/v1/breaches", { token: officer, body, headers })),
    );
    const created = results.filter((r) => r.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((r) => r.body.id)).size).toBe(1);
    for (const r of results) expect([201, 409]).toContain(r.status);
    expect(await breaches()).toHaveLength(before + 1);
  });
});

describe("what is refused before anything is stored", () => {
  it("a malformed key on POST /v1/backups (no body) is 400 as documented, and no set is taken", async () => {
    const before = (await sets()).length;
    const records = await countOf("requests", "idempotency");
    // host.call checks the answer against docs/openapi.json: 400 must be listed for this operation.
    const res = await host.call("POST", "/v1/backups", {
      token: officer,
      headers: { "idempotency-key": '"abc' },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toContainEqual(expect.objectContaining({ field: "header.idempotency-key" }));
    expect(await sets()).toHaveLength(before);
    expect(await countOf("requests", "idempotency")).toBe(records);
  });

  it("a lone UTF-16 surrogate in a JSON string is 400 naming `body` on an idempotent route; nothing is stored", async () => {
    const before = (await breaches()).length;
    const records = await countOf("requests", "idempotency");
    const at = new Date((await now()) - 3_600_000).toISOString();
    // JSON.stringify (in host.call) writes it as the escape \ud800: well-formed JSON, not Unicode.
    for (const nature of ["A misrouted export \ud800 was readable.", "Tail \udc00 alone."]) {
      const res = await host.call("POST", "/v1/breaches", {
        token: officer,
        body: breachBody(at, nature),
        headers: { "idempotency-key": quoted(newKey("surrogate")) },
      });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: "body" })]);
    }
    // In a member's name too, without a key.
    const named = await host.call("POST", "/v1/breaches", {
      token: officer,
      body: { ...breachBody(at), ["x\ud800"]: 1 },
    });
    expect(named.status).toBe(400);
    expect(named.body.errors).toEqual([expect.objectContaining({ field: "body" })]);
    expect(await breaches()).toHaveLength(before);
    expect(await countOf("requests", "idempotency")).toBe(records);
    // A pair (one character beyond the BMP) is Unicode, and is kept.
    const paired = await host.call("POST", "/v1/breaches", {
      token: officer,
      body: breachBody(at, "A misrouted export \ud83d\udd12 was readable."),
      headers: { "idempotency-key": quoted(newKey("pair")) },
    });
    expect(paired.status).toBe(201);
  });

  it("a lone surrogate on a route without Idempotency-Key (cancel) is 400, and the request stays as it was", async () => {
    const from = { "x-forwarded-for": data.clientAddress() };
    const filed = await host.call("POST", "/v1/requests", {
      headers: from,
      body: { kind: "erasure", scope: { type: "whatsapp_number", phone: data.mobile() } },
    });
    expect(filed.status).toBe(201);
    const requester = { ...from, "x-request-token": filed.body.requestToken as string };
    const res = await host.call("POST", `/v1/requests/${filed.body.id}/cancel`, {
      headers: requester,
      body: { reason: "changed my mind \ud800" },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: "body" })]);
    const after = await host.call("GET", `/v1/requests/${filed.body.id}`, { headers: requester });
    expect(after.body.status).toBe("pending_verification");
  });
});

describe("a public filing's replay and the per-address limit", () => {
  it("the first answer (with its requestToken) comes back after the address's budget is spent; a new filing is 429", async () => {
    const from = { "x-forwarded-for": data.clientAddress() };
    const key = quoted(newKey("public"));
    const body = { kind: "erasure", scope: { type: "whatsapp_number", phone: data.mobile() } };
    const first = await host.call("POST", "/v1/requests", {
      body,
      headers: { ...from, "idempotency-key": key },
    });
    expect(first.status).toBe(201);
    expect(first.body.requestToken).toEqual(expect.any(String));
    // Spend the rest of the address's hourly budget (20 filings) on other filings.
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) {
      statuses.push(
        (
          await host.call("POST", "/v1/requests", {
            headers: from,
            body: {
              kind: "grievance",
              contact: { email: data.email("budget") },
              details: { summary: "Stop." },
            },
          })
        ).status,
      );
    }
    expect(statuses).toEqual([...Array<number>(19).fill(201), 429]);
    const requests = await countOf("requests", "request");
    const records = await countOf("requests", "idempotency");
    // The retry of the first filing is its answer, not 429: the only way back to a lost requestToken.
    const replay = await host.call("POST", "/v1/requests", {
      body,
      headers: { ...from, "idempotency-key": key },
    });
    expect(replay.status).toBe(201);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.body.id).toBe(first.body.id);
    expect(replay.body.requestToken).toBe(first.body.requestToken);
    // A new filing with a new key is still charged first, and leaves nothing stored.
    const fresh = await host.call("POST", "/v1/requests", {
      body: { kind: "erasure", scope: { type: "whatsapp_number", phone: data.mobile() } },
      headers: { ...from, "idempotency-key": quoted(newKey("public-new")) },
    });
    expect(fresh.status).toBe(429);
    expect(await countOf("requests", "request")).toBe(requests);
    expect(await countOf("requests", "idempotency")).toBe(records);
  });
});

describe("keys are the caller's own", () => {
  it("another staff identity with the same key gets its own breach, never the first caller's answer", async () => {
    const other = await mint("privacy_officer", "local-privacy-officer-2");
    const key = newKey("shared");
    const body = breachBody(new Date((await now()) - 3_600_000).toISOString());
    const headers = { "idempotency-key": quoted(key) };
    const mine = await host.call("POST", "/v1/breaches", { token: officer, body, headers });
    const theirs = await host.call("POST", "/v1/breaches", { token: other, body, headers });
    expect(mine.status).toBe(201);
    expect(theirs.status).toBe(201);
    expect(theirs.headers.get("idempotent-replayed")).toBeNull();
    expect(theirs.body.id).not.toBe(mine.body.id);
  });

  it("another tenant with the same key and body gets its own request", async () => {
    const headers = { "idempotency-key": quoted(newKey("tenant")) };
    const body = { kind: "grievance", details: { summary: "Messages arrive at night." } };
    const a = await host.call("POST", "/v1/requests", { token: tenantA.ownerToken, body, headers });
    const b = await host.call("POST", "/v1/requests", { token: tenantB.ownerToken, body, headers });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.headers.get("idempotent-replayed")).toBeNull();
    expect(b.body.id).not.toBe(a.body.id);
    // Each replays its own.
    const again = await host.call("POST", "/v1/requests", { token: tenantB.ownerToken, body, headers });
    expect(again.body.id).toBe(b.body.id);
  });
});

describe("keys expire", () => {
  it("inside the window the key replays; after IDEMPOTENCY_TTL_HOURS (24) the same key creates afresh", async () => {
    const key = quoted(newKey("window"));
    const body = breachBody(new Date((await now()) - 3_600_000).toISOString());
    const first = await host.call("POST", "/v1/breaches", {
      token: officer,
      body,
      headers: { "idempotency-key": key },
    });
    expect(first.status).toBe(201);
    await host.call("POST", "/_dev/clock", { body: { advance: "PT23H" } });
    // Tokens last 12 hours: a fresh one, for the same identity.
    const token = await mint("privacy_officer");
    const inside = await host.call("POST", "/v1/breaches", {
      token,
      body,
      headers: { "idempotency-key": key },
    });
    expect(inside.headers.get("idempotent-replayed")).toBe("true");
    expect(inside.body.id).toBe(first.body.id);
    await host.call("POST", "/_dev/clock", { body: { advance: "PT2H" } });
    const later = await mint("privacy_officer");
    const before = (await breaches(later)).length;
    const after = await host.call("POST", "/v1/breaches", {
      token: later,
      body,
      headers: { "idempotency-key": key },
    });
    expect(after.status).toBe(201);
    expect(after.headers.get("idempotent-replayed")).toBeNull();
    expect(after.body.id).not.toBe(first.body.id);
    expect(await breaches(later)).toHaveLength(before + 1);
  });

  it("the record carries its expiry and a Cosmos TTL of the window", async () => {
    const key = quoted(newKey("ttl"));
    const at = new Date((await now()) - 3_600_000).toISOString();
    const before = await service("requests").query<{
      id: string;
      ttl?: number;
      expiresAt?: string;
      claimedAt: string;
    }>({ where: [{ field: "docType", op: "=", value: "idempotency" }], limit: 1000 });
    const res = await host.call("POST", "/v1/breaches", {
      token: officer,
      body: breachBody(at),
      headers: { "idempotency-key": key },
    });
    expect(res.status).toBe(201);
    const after = await service("requests").query<{
      id: string;
      ttl?: number;
      expiresAt?: string;
      claimedAt: string;
    }>({ where: [{ field: "docType", op: "=", value: "idempotency" }], limit: 1000 });
    const known = new Set(before.items.map((r) => r.id));
    const added = after.items.filter((r) => !known.has(r.id));
    expect(added).toHaveLength(1);
    expect(added[0]!.ttl).toBe(24 * 3600);
    expect(Date.parse(added[0]!.expiresAt!) - Date.parse(added[0]!.claimedAt)).toBe(24 * 3_600_000);
  });
});
