import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { principalErasureRecords } from "../../src/app/whatsapp-erasure/tenant-record";
import { WhatsAppCertificate } from "../../src/app/whatsapp-erasure/certificate";
import { hashWhatsAppNumber } from "../../src/domain/subject";
import type { Database, DocumentCollection, DocumentStore } from "../../src/ports/document-store";
import { startTestHost, type TestHost } from "../support/host";
import { latestCode as latestCodeFor } from "../support/outbox";

/**
 * Erasure of the data linked to a WhatsApp number across every tenant (issue 6), end to end over HTTP:
 * 50 tenants, the number a contact in 3 of them; intake with the number spelled with spaces, the code
 * from the outbox, the inventory before and after in five spellings, other contacts untouched,
 * certificate, per-tenant records, audit; a crash in the middle resumed by staff; a re-run that changes
 * nothing; a number that is an account's own identifier routed to the account flow.
 */

const NUMBER = "+919812345678";
const SPELLINGS = ["+919812345678", "+91 98123 45678", "098123 45678", "9812345678", "91-9812-345-678"];
const TENANTS = 50;
const WITH_NUMBER = new Set([7, 23, 41]);
const ERASED = ["messages", "audio_recordings", "transcripts", "consent_records", "conversations"];

let host: TestHost;
let officer: string;
let support: string;
const tenants: { tenantId: string; hasNumber: boolean }[] = [];
let clientSeq = 0;

const client = () => ({ "x-forwarded-for": `10.66.${Math.floor(clientSeq / 250)}.${clientSeq++ % 250}` });
const asRequester = (token: string) => ({ "x-request-token": token });

type Counts = Record<string, number>;

async function whatsappInventory(spelling: string): Promise<Counts> {
  const res = await host.call("POST", "/v1/subjects/inventory", {
    token: officer,
    body: { whatsapp: spelling },
  });
  expect(res.status).toBe(200);
  return Object.fromEntries(
    (res.body.categories as { category: string; records: number }[]).map((c) => [c.category, c.records]),
  );
}

async function tenantInventory(tenantId: string): Promise<Counts> {
  const res = await host.call("GET", `/v1/subjects/inventory?tenantId=${tenantId}`, { token: officer });
  expect(res.status).toBe(200);
  return Object.fromEntries(
    (res.body.categories as { category: string; records: number }[]).map((c) => [c.category, c.records]),
  );
}

async function allTenantInventories(): Promise<Map<string, Counts>> {
  const out = new Map<string, Counts>();
  for (let i = 0; i < tenants.length; i += 10) {
    const batch = tenants.slice(i, i + 10);
    const counts = await Promise.all(batch.map((t) => tenantInventory(t.tenantId)));
    batch.forEach((t, j) => out.set(t.tenantId, counts[j]!));
  }
  return out;
}

const latestCode = (to: string) => latestCodeFor(host, to);

async function seed(options: Record<string, unknown>): Promise<string> {
  const res = await host.call("POST", "/_dev/seed", {
    body: {
      members: 0,
      apiKeys: 0,
      bots: 0,
      knowledgeBaseFiles: 0,
      payments: 0,
      usageRecords: 0,
      audioPerConversation: 1,
      ...options,
    },
  });
  expect(res.status).toBe(201);
  return res.body.tenantId as string;
}

/** Public request for `spelling`, verified with the code the outbox got: the erasure runs at once. */
async function eraseNumber(spelling: string, e164: string) {
  const created = await host.call("POST", "/v1/requests", {
    body: { kind: "erasure", scope: { type: "whatsapp_number", phone: spelling } },
    headers: client(),
  });
  expect(created.status).toBe(201);
  const token = created.body.requestToken as string;
  const verified = await host.call("POST", `/v1/requests/${created.body.id}/verification`, {
    headers: asRequester(token),
    body: { code: await latestCode(e164) },
  });
  expect(verified.status).toBe(200);
  return { id: created.body.id as string, token, verified: verified.body };
}

/** Every call to the document store, counted per method, with an optional fault on the n-th delete. */
function instrument(inner: DocumentStore, options: { failAfterPlatformDeletes?: number } = {}) {
  const calls: Record<string, number> = {};
  let platformDeletes = 0;
  const store: DocumentStore = {
    ping: () => inner.ping(),
    collection(database: Database, name: string): DocumentCollection {
      const c = inner.collection(database, name);
      return new Proxy(c, {
        get(target, prop, receiver) {
          const value: unknown = Reflect.get(target, prop, receiver);
          if (typeof value !== "function") return value;
          return (...args: unknown[]) => {
            const key = `${database}.${String(prop)}`;
            calls[key] = (calls[key] ?? 0) + 1;
            if (database === "platform" && prop === "delete") {
              platformDeletes++;
              if (
                options.failAfterPlatformDeletes !== undefined &&
                platformDeletes > options.failAfterPlatformDeletes
              )
                return Promise.reject(new Error("injected fault: the store went away"));
            }
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
    },
  };
  return { store, calls };
}

async function readCertificate(requestId: string, numberE164: string) {
  const numberHash = hashWhatsAppNumber(host.runtime.app.keys.hash, numberE164);
  const found = await host.runtime.app.ports.documents
    .collection("service", "jobs")
    .read(`certificate:${requestId}`, `wa:${numberHash}`);
  expect(found).toBeDefined();
  return WhatsAppCertificate.parse(found!.doc);
}

const byCategory = (cert: WhatsAppCertificate) =>
  Object.fromEntries(cert.categories.map((c) => [c.category, { action: c.action, count: c.count }]));

beforeAll(async () => {
  host = await startTestHost();
  officer = await host.token("privacy_officer");
  support = await host.token("support");
  const specs = Array.from({ length: TENANTS }, (_, i) => WITH_NUMBER.has(i));
  for (let i = 0; i < specs.length; i += 10) {
    const batch = specs.slice(i, i + 10);
    const ids = await Promise.all(
      batch.map((hasNumber) =>
        // The number's tenants talk to one other contact too: that conversation must survive.
        seed(
          hasNumber
            ? { conversations: 2, messagesPerConversation: 2, contacts: [NUMBER] }
            : { conversations: 1, messagesPerConversation: 2 },
        ),
      ),
    );
    batch.forEach((hasNumber, j) => tenants.push({ tenantId: ids[j]!, hasNumber }));
  }
}, 240_000);

afterAll(async () => {
  await host?.stop();
});

describe("erasure of a WhatsApp number across 50 tenants", () => {
  let before: Map<string, Counts>;
  let requestId = "";
  let requestToken = "";

  it("before: the five spellings of the number find the same records", async () => {
    const views = await Promise.all(SPELLINGS.map(whatsappInventory));
    for (const v of views) expect(v).toEqual(views[0]);
    expect(views[0]).toMatchObject({
      conversations: 3,
      messages: 6,
      audio_recordings: 3,
      transcripts: 3,
      consent_records: 3,
      whatsapp_identifiers: 0,
    });
    before = await allTenantInventories();
  });

  it("runs at verification: the request completes, the number's data is gone in every spelling", async () => {
    const { id, token, verified } = await eraseNumber("+91 98123 45678", NUMBER);
    requestId = id;
    requestToken = token;
    expect(verified.status).toBe("completed");
    for (const spelling of SPELLINGS) {
      const after = await whatsappInventory(spelling);
      for (const category of ERASED) expect(after[category], `${spelling} ${category}`).toBe(0);
    }
    const read = await host.call("GET", `/v1/requests/${id}`, { headers: asRequester(token) });
    expect(read.body.status).toBe("completed");
    expect(read.body.closedReason).toMatch(/3 businesses/);
    expect(read.body.failure).toBeUndefined();
  });

  it("other contacts' data is intact, counted tenant by tenant before and after", async () => {
    const after = await allTenantInventories();
    let messagesBefore = 0;
    let messagesAfter = 0;
    for (const t of tenants) {
      const b = before.get(t.tenantId)!;
      const a = after.get(t.tenantId)!;
      messagesBefore += b.messages!;
      messagesAfter += a.messages!;
      if (!t.hasNumber) {
        expect(a, t.tenantId).toEqual(b);
        continue;
      }
      // One conversation of two was the number's: its 2 messages, 1 audio, 1 transcript, 1 consent go;
      // the conversation itself stays, anonymised, for the business's billing.
      expect(a).toEqual({
        ...b,
        messages: b.messages! - 2,
        audio_recordings: b.audio_recordings! - 1,
        transcripts: b.transcripts! - 1,
        consent_records: b.consent_records! - 1,
      });
      expect(a.conversations).toBe(2);
    }
    expect(messagesBefore).toBe(47 * 2 + 3 * 4);
    expect(messagesAfter).toBe(messagesBefore - 6);
  });

  it("the number's conversations keep billing metadata without the person; others are untouched", async () => {
    const conversations = host.runtime.app.ports.documents.collection("platform", "conversations");
    const blobs = host.runtime.app.ports.blobs;
    for (const t of tenants.filter((x) => x.hasNumber)) {
      const erased = (await conversations.read<Record<string, unknown> & { id: string }>(
        `c-${t.tenantId}-0`,
        t.tenantId,
      ))!.doc;
      expect(erased.contactPhone).toBeUndefined();
      expect(erased.contactName).toBeUndefined();
      expect(erased.contactHash).toBeUndefined();
      expect(erased).toMatchObject({
        billing: expect.any(Object),
        durationSec: expect.any(Number),
        audioBlobs: [],
      });
      expect(erased.anonymisedAt).toBeDefined();
      expect(await blobs.read("audio", `${t.tenantId}/c-${t.tenantId}-0/call-0.wav`)).toBeUndefined();
      expect(await blobs.read("transcripts", `${t.tenantId}/c-${t.tenantId}-0/call-0.txt`)).toBeUndefined();
      const other = (await conversations.read<Record<string, unknown> & { id: string }>(
        `c-${t.tenantId}-1`,
        t.tenantId,
      ))!.doc;
      expect(other.contactPhone).toMatch(/^\+91/);
      expect(other.contactHash).toBeDefined();
      expect(await blobs.read("audio", `${t.tenantId}/c-${t.tenantId}-1/call-0.wav`)).toBeDefined();
    }
  });

  it("the certificate counts categories and tenants, never names them", async () => {
    const cert = await readCertificate(requestId, NUMBER);
    expect(cert).toMatchObject({
      id: `certificate:${requestId}`,
      requestId,
      scope: "whatsapp_number",
      tenantsAffected: 3,
      routedToAccountFlow: false,
      backups: { held: 0 },
    });
    expect(cert.completedAt).toBeDefined();
    expect(byCategory(cert)).toEqual({
      conversations: { action: "anonymised", count: 3 },
      messages: { action: "deleted", count: 6 },
      audio_recordings: { action: "deleted", count: 3 },
      transcripts: { action: "deleted", count: 3 },
      whatsapp_identifiers: { action: "routed", count: 0 },
      consent_records: { action: "deleted", count: 3 },
    });
    const text = JSON.stringify(cert);
    for (const t of tenants) expect(text).not.toContain(t.tenantId);
    expect(text).not.toContain("9812345678");
    // The one certificate endpoint serves it to the requester as stored.
    const served = await host.call("GET", `/v1/requests/${requestId}/certificate`, {
      headers: asRequester(requestToken),
    });
    expect(served.status).toBe(200);
    expect(served.body).toMatchObject({
      requestId,
      scope: "whatsapp_number",
      tenantsAffected: 3,
      routedToAccountFlow: false,
      auditHeadHash: cert.auditHeadHash,
      categories: cert.categories,
    });
    // The certificate seals the audit chain as it stood: the event that issued it carries the same head.
    const trail = await host.call("GET", `/v1/requests/${requestId}/audit`, { token: officer });
    expect(trail.body.chain.valid).toBe(true);
    const issued = (trail.body.events as { action: string; data?: Record<string, unknown> }[]).find(
      (e) => e.action === "certificate_issued",
    );
    expect(issued?.data?.auditHeadHash).toBe(cert.auditHeadHash);
  });

  it("each affected tenant has a record of what was removed, by the number's hash only", async () => {
    const numberHash = hashWhatsAppNumber(host.runtime.app.keys.hash, NUMBER);
    for (const t of tenants) {
      const records = await principalErasureRecords(host.runtime.app, t.tenantId);
      if (!t.hasNumber) {
        expect(records).toEqual([]);
        continue;
      }
      expect(records).toHaveLength(1);
      const r = records[0]!;
      expect(r).toMatchObject({ requestId, subject: { type: "whatsapp_number", numberHash } });
      expect(r.categories).toEqual({
        conversations: { action: "anonymised", count: 1 },
        messages: { action: "deleted", count: 2 },
        audio_recordings: { action: "deleted", count: 1 },
        transcripts: { action: "deleted", count: 1 },
        consent_records: { action: "deleted", count: 1 },
      });
      expect(JSON.stringify(r)).not.toContain("9812345678");
    }
  });

  it("the audit trail has counts per category and no number or tenant in clear", async () => {
    const trail = await host.call("GET", `/v1/requests/${requestId}/audit`, { token: officer });
    const events = trail.body.events as { action: string; to?: string; data?: Record<string, unknown> }[];
    expect(events.map((e) => e.action)).toEqual(
      expect.arrayContaining([
        "verify",
        "purge",
        "whatsapp_erasure_category",
        "finish_purge",
        "certificate_issued",
        "complete",
      ]),
    );
    const finish = events.find((e) => e.action === "finish_purge")!;
    expect(finish.data).toMatchObject({
      tenantsAffected: 3,
      categories: {
        messages: { action: "deleted", count: 6 },
        conversations: { action: "anonymised", count: 3 },
      },
    });
    const text = JSON.stringify(trail.body);
    expect(text).not.toContain("9812345678");
    for (const t of tenants) expect(text).not.toContain(t.tenantId);
    // The requester sees the summary and got the completion notice.
    const summary = await host.call("GET", `/v1/requests/${requestId}/audit`, {
      headers: asRequester(requestToken),
    });
    // The last status change is the completion; the certificate's completed version is sealed after it.
    const seen = summary.body.events as { action: string; status?: string }[];
    expect(seen.filter((e) => e.status).at(-1)).toMatchObject({ action: "complete", status: "completed" });
    expect(seen.at(-1)).toMatchObject({ action: "certificate_updated" });
    const out = await host.call("POST", "/_dev/outbox", { body: { to: NUMBER } });
    expect((out.body.messages as { template: string }[]).map((m) => m.template)).toContain(
      "request_completed",
    );
  });

  it("a re-run is a no-op: the executor again, then a new request for the number entered by staff", async () => {
    const app = host.runtime.app;
    const original = app.ports.documents;
    const certBefore = await readCertificate(requestId, NUMBER);
    const inventoriesBefore = await allTenantInventories();
    const { store, calls } = instrument(original);
    app.ports.documents = store;
    try {
      const request = (await host.call("GET", `/v1/requests/${requestId}`, { token: officer })).body;
      expect(request.status).toBe("completed");
      const doc = await app.stores.requests.get(requestId);
      await app.kinds["erasure:whatsapp_number"].execute!(app, doc, () => {});
    } finally {
      app.ports.documents = original;
    }
    const writes = Object.entries(calls).filter(([k]) => /\.(create|replace|upsert|patch|delete)$/.test(k));
    expect(writes).toEqual([]);
    expect(await readCertificate(requestId, NUMBER)).toEqual(certBefore);

    // A new request for the same number (by email, entered by support): nothing left to find.
    const created = await host.call("POST", "/v1/requests", {
      token: support,
      body: {
        kind: "erasure",
        scope: { type: "whatsapp_number", phone: "098123 45678" },
        channel: "email",
        messageRef: "support-mail-4711",
      },
    });
    expect(created.status).toBe(201);
    const verified = await host.call("POST", `/v1/requests/${created.body.id}/verification`, {
      token: support,
      body: { code: await latestCode(NUMBER) },
    });
    expect(verified.status).toBe(200);
    expect(verified.body.status).toBe("completed");
    expect(verified.body.closedReason).toMatch(/nothing to delete/);
    const second = await readCertificate(created.body.id as string, NUMBER);
    expect(second.tenantsAffected).toBe(0);
    for (const c of second.categories) expect(c.count, c.category).toBe(0);
    expect(await allTenantInventories()).toEqual(inventoriesBefore);
  });
});

describe("crash and resume", () => {
  const OTHER = "+919876501234";

  it("a store failure mid-way leaves the request purging with the step; staff retry finishes with exact counts", async () => {
    const affected = await Promise.all(
      [0, 1, 2].map(() => seed({ conversations: 2, messagesPerConversation: 5, contacts: [OTHER] })),
    );
    const app = host.runtime.app;
    const original = app.ports.documents;
    app.ports.documents = instrument(original, { failAfterPlatformDeletes: 4 }).store;
    let id: string;
    let token: string;
    try {
      const r = await eraseNumber("+91 98765 01234", OTHER);
      id = r.id;
      token = r.token;
      expect(r.verified.status).toBe("purging");
      expect(r.verified.failure).toMatchObject({ step: "erase:messages", attempts: 1 });
    } finally {
      app.ports.documents = original;
    }
    // Part of the messages are gone already; the rest still there.
    const midway = await whatsappInventory(OTHER);
    expect(midway.messages).toBeGreaterThan(0);
    expect(midway.messages).toBeLessThan(15);
    expect([401, 403]).toContain(
      (await host.call("POST", `/v1/requests/${id}/retry`, { headers: asRequester(token) })).status,
    );
    const retried = await host.call("POST", `/v1/requests/${id}/retry`, { token: support });
    expect(retried.status).toBe(200);
    expect(retried.body.status).toBe("completed");
    expect(retried.body.failure).toBeUndefined();
    const after = await whatsappInventory(OTHER);
    for (const category of ERASED) expect(after[category], category).toBe(0);
    const cert = await readCertificate(id, OTHER);
    expect(cert.tenantsAffected).toBe(3);
    expect(byCategory(cert)).toMatchObject({
      conversations: { action: "anonymised", count: 3 },
      messages: { action: "deleted", count: 15 },
      audio_recordings: { count: 3 },
      transcripts: { count: 3 },
      consent_records: { count: 3 },
    });
    for (const tenantId of affected) {
      const [record] = await principalErasureRecords(app, tenantId);
      expect(record?.categories.messages).toEqual({ action: "deleted", count: 5 });
      // The other contact of each tenant kept their conversation and messages.
      expect((await tenantInventory(tenantId)).messages).toBe(5);
    }
    const trail = await host.call("GET", `/v1/requests/${id}/audit`, { token: officer });
    expect((trail.body.events as { action: string }[]).map((e) => e.action)).toEqual(
      expect.arrayContaining(["execution_failed", "retry", "finish_purge", "complete"]),
    );
  });
});

describe("a number that is an account holder's own WhatsApp identifier", () => {
  const BUSINESS = "+919822200011";

  it("is not deleted: it is reported as routed to the account flow, the rest is erased", async () => {
    const owner = await seed({ conversations: 1, messagesPerConversation: 2 });
    const messaged = await seed({ conversations: 1, messagesPerConversation: 3, contacts: [BUSINESS] });
    const identifiers = host.runtime.app.ports.documents.collection("platform", "whatsappIdentifiers");
    const wa = (await identifiers.read<Record<string, unknown> & { id: string }>(`wa-${owner}`, owner))!.doc;
    await identifiers.upsert({
      ...wa,
      displayPhone: BUSINESS,
      displayPhoneHash: hashWhatsAppNumber(host.runtime.app.keys.hash, BUSINESS),
    });
    expect((await whatsappInventory(BUSINESS)).whatsapp_identifiers).toBe(1);

    const { id, token, verified } = await eraseNumber("98222 00011", BUSINESS);
    expect(verified.status).toBe("completed");
    expect(verified.closedReason).toMatch(/routed to the account flow/);
    const after = await whatsappInventory(BUSINESS);
    expect(after.whatsapp_identifiers).toBe(1);
    expect(after.messages).toBe(0);
    expect((await identifiers.read(`wa-${owner}`, owner))?.doc).toMatchObject({ displayPhone: BUSINESS });
    expect((await tenantInventory(owner)).account).toBe(1);
    const cert = await readCertificate(id, BUSINESS);
    expect(cert.routedToAccountFlow).toBe(true);
    expect(byCategory(cert).whatsapp_identifiers).toEqual({ action: "routed", count: 1 });
    expect(byCategory(cert).messages).toEqual({ action: "deleted", count: 3 });
    expect(cert.tenantsAffected).toBe(1);
    expect(await principalErasureRecords(host.runtime.app, messaged)).toHaveLength(1);
    expect(await principalErasureRecords(host.runtime.app, owner)).toEqual([]);
    const read = await host.call("GET", `/v1/requests/${id}`, { headers: asRequester(token) });
    expect(read.body.closedReason).toMatch(/account/);
  });
});
