import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromBufferPromise } from "yauzl";
import { runExecution } from "../../src/app/requests/execution";
import { hashWhatsAppNumber } from "../../src/domain/subject";
import type { DocumentStore } from "../../src/ports/document-store";
import { startTestHost, type TestHost } from "../support/host";

/**
 * The access export end to end over HTTP (issue 5): an owner's request completes on its own, the link
 * downloads over loopback, the ZIP holds exactly the seeded records (counts and SHA-256 of every file),
 * nothing of another tenant and no API-key hash; a WhatsApp number's export spans tenants; a crash in
 * the middle leaves nothing half-made and a retry gives a clean package; after 7 days the package is
 * gone (410).
 */

const SHARED_NUMBER = "+919876501234";
const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

interface Seeded {
  tenantId: string;
  ownerToken: string;
  contacts: string[];
  counts: Record<string, number>;
}

let host: TestHost;
let tenantA: Seeded;
let tenantB: Seeded;
let support: string;
/** Every access request this file made (the Blob emulator is shared with other test files). */
const createdIds: string[] = [];

const seed = async (body: Record<string, unknown>): Promise<Seeded> => {
  const res = await host.call("POST", "/_dev/seed", { body });
  expect(res.status).toBe(201);
  return res.body as Seeded;
};

/** The exportable categories of the inventory, as the package names them. */
const exportable = () => host.runtime.app.inventory.filter((e) => e.export.include);

/**
 * An owner's access request: verified by the token at creation, so it runs before the response
 * returns. (Should a request still be `verified`, the executor is run here, as the request core does.)
 */
async function ownerAccessRequest(token: string) {
  const res = await host.call("POST", "/v1/requests", { token, body: { kind: "access" } });
  expect(res.status).toBe(201);
  createdIds.push(res.body.id as string);
  if (res.body.status === "verified") await runExecution(host.runtime.app, res.body.id as string);
  return res.body.id as string;
}

async function unzip(zip: Buffer): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const archive = await fromBufferPromise(zip, { lazyEntries: true, strictFileNames: true });
  for await (const entry of archive.eachEntry()) {
    const stream = await archive.openReadStreamPromise(entry);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    expect(files.has(entry.fileName)).toBe(false);
    files.set(entry.fileName, Buffer.concat(chunks));
  }
  return files;
}

async function download(id: string, auth: { token?: string; headers?: Record<string, string> }) {
  const link = await host.call("GET", `/v1/requests/${id}/export`, auth);
  expect(link.status).toBe(200);
  expect(link.headers.get("cache-control")).toBe("no-store");
  const res = await fetch(link.body.url as string);
  expect(res.status).toBe(200);
  const zip = Buffer.from(await res.arrayBuffer());
  expect(sha256(zip)).toBe(link.body.sha256);
  return { link: link.body, zip, files: await unzip(zip) };
}

interface ManifestFile {
  path: string;
  bytes: number;
  sha256: string;
  category?: string;
  records?: number;
}
interface Manifest {
  requestId: string;
  counts: Record<string, number>;
  totalItems: number;
  files: ManifestFile[];
}

/** Every file but the manifest is listed in it with its exact size and SHA-256, and nothing else is. */
function checkManifest(files: Map<string, Buffer>): Manifest {
  const manifest = JSON.parse(files.get("manifest.json")!.toString("utf8")) as Manifest;
  const listed = new Map(manifest.files.map((f) => [f.path, f]));
  expect([...files.keys()].filter((p) => p !== "manifest.json").sort()).toEqual([...listed.keys()].sort());
  for (const [path, content] of files) {
    if (path === "manifest.json") continue;
    const entry = listed.get(path)!;
    expect({ path, bytes: content.length, sha256: sha256(content) }).toEqual({
      path,
      bytes: entry.bytes,
      sha256: entry.sha256,
    });
  }
  return manifest;
}

const ndjsonRecords = (files: Map<string, Buffer>, category: string) =>
  (files.get(`data/${category}.ndjson`)?.toString("utf8") ?? "")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

const allText = (files: Map<string, Buffer>) =>
  [...files.values()].map((b) => b.toString("latin1")).join("\n");

async function exportBlobs(id: string) {
  const names: string[] = [];
  for await (const b of host.runtime.app.ports.blobs.list("exports", `${id}/`)) names.push(b.name);
  return names.sort();
}

async function apiKeyHashes(tenantId: string) {
  const page = await host.runtime.app.ports.documents
    .collection("platform", "apiKeys")
    .query<{ id: string; keyHash: string }>({ partitionKey: tenantId, limit: 100 });
  return page.items.map((k) => k.keyHash);
}

beforeAll(async () => {
  host = await startTestHost();
  [tenantA, tenantB] = await Promise.all([
    seed({
      conversations: 8,
      messagesPerConversation: 6,
      audioPerConversation: 1,
      contacts: [SHARED_NUMBER],
    }),
    seed({
      conversations: 4,
      messagesPerConversation: 3,
      audioPerConversation: 2,
      contacts: [SHARED_NUMBER],
    }),
  ]);
  support = await host.token("support");
});
afterAll(async () => {
  await host?.stop();
});

describe("an account's export, asked by its owner", () => {
  let id: string;

  it("completes on its own and shows its progress and package on the request", async () => {
    id = await ownerAccessRequest(tenantA.ownerToken);
    const read = await host.call("GET", `/v1/requests/${id}`, { token: tenantA.ownerToken });
    expect(read.status).toBe(200);
    expect(read.body.status).toBe("completed");
    expect(read.body.export).toMatchObject({ status: "ready", href: `/api/v1/requests/${id}/export` });
    expect(Date.parse(read.body.export.availableUntil) - Date.parse(read.body.export.readyAt)).toBe(
      7 * 86_400_000,
    );
    expect(read.body.progress.percent).toBe(100);
    expect(read.body.progress.recordsDone).toBe(read.body.progress.recordsEstimated);
    const audit = await host.call("GET", `/v1/requests/${id}/audit`, { token: support });
    const actions = (audit.body.events as { action: string }[]).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["start", "export_expiry_scheduled", "complete"]));
    expect(audit.body.chain.valid).toBe(true);
    const notices = (await host.call("POST", "/_dev/outbox")).body.messages as {
      requestId?: string;
      template: string;
      text: string;
    }[];
    const done = notices.find((n) => n.requestId === id && n.template === "request_completed");
    expect(done?.text).toMatch(/export is ready/);
  });

  it("downloads over a 15-minute read-only link: exactly the seeded records, every hash right", async () => {
    const { link, files } = await download(id, { token: tenantA.ownerToken });
    const now = Date.parse((await host.call("POST", "/_dev/clock", { body: { advance: "PT0S" } })).body.now);
    expect(Date.parse(link.expiresAt) - now).toBeGreaterThan(14 * 60_000);
    expect(Date.parse(link.expiresAt) - now).toBeLessThanOrEqual(15 * 60_000);
    expect(new URL(link.url as string).searchParams.get("sp")).toBe("r");

    const manifest = checkManifest(files);
    expect(manifest.requestId).toBe(id);
    expect(manifest.totalItems).toBe(Object.values(manifest.counts).reduce((a, b) => a + b, 0));
    for (const entry of exportable()) {
      expect({ category: entry.category, count: manifest.counts[entry.category] }).toEqual({
        category: entry.category,
        count: tenantA.counts[entry.category] ?? 0,
      });
      if (entry.store.kind === "cosmos") {
        const records = ndjsonRecords(files, entry.category);
        expect(records).toHaveLength(tenantA.counts[entry.category] ?? 0);
        for (const r of records) expect(r.tenantId).toBe(tenantA.tenantId);
      } else {
        const inFolder = [...files.keys()].filter((p) => p.startsWith(`files/${entry.category}/`));
        expect(inFolder).toHaveLength(tenantA.counts[entry.category] ?? 0);
      }
    }
    // Files are byte-for-byte the stored blobs.
    const audio = [...files.keys()].find((p) => p.startsWith("files/audio_recordings/"))!;
    const stored = await host.runtime.app.ports.blobs.read(
      "audio",
      `${tenantA.tenantId}/${audio.slice("files/audio_recordings/".length)}`,
    );
    expect(stored && sha256(stored)).toBe(sha256(files.get(audio)!));

    // Nothing of the other tenant; API keys as prefix and metadata, never their hashes.
    const text = allText(files);
    expect(text).not.toContain(tenantB.tenantId);
    const keys = ndjsonRecords(files, "api_keys");
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) {
      expect(k.prefix).toMatch(/^cm_live_/);
      expect(k).not.toHaveProperty("keyHash");
    }
    for (const h of await apiKeyHashes(tenantA.tenantId)) expect(text).not.toContain(h);

    // The summary the law asks for: categories, purpose, legal basis, retention.
    const summary = JSON.parse(files.get("summary.json")!.toString("utf8"));
    const payments = summary.categories.find((c: { category: string }) => c.category === "payments");
    expect(payments).toMatchObject({
      purpose: expect.stringMatching(/statutory/),
      legalBasis: expect.stringMatching(/GST/),
      records: tenantA.counts.payments,
    });
    expect(payments.retention.afterAccountDeletion).toMatch(/kept 7 years/);
    const usage = summary.categories.find((c: { category: string }) => c.category === "usage_records");
    expect(usage.retention.whileActive).toBe("Up to 90 days");
    expect(summary.dataFiduciary.grievanceOfficer.email).toMatch(/@/);
    const html = files.get("summary.html")!.toString("utf8");
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain("Payment history");

    // Only the finished package is stored: no partial blob is left behind.
    expect(await exportBlobs(id)).toEqual([`${id}/export.zip`]);
  });

  it("only the requester or the owner gets a link: other tenant's owner 404, member and staff 403", async () => {
    const otherOwner = await host.call("GET", `/v1/requests/${id}/export`, { token: tenantB.ownerToken });
    expect(otherOwner.status).toBe(404);
    expect(otherOwner.headers.get("content-type")).toMatch(/problem\+json/);
    const member = await host.token("member", tenantA.tenantId);
    expect((await host.call("GET", `/v1/requests/${id}/export`, { token: member })).status).toBe(403);
    expect((await host.call("GET", `/v1/requests/${id}/export`, { token: support })).status).toBe(403);
    expect((await host.call("GET", `/v1/requests/${id}/export`)).status).toBe(401);
    expect(
      (
        await host.call("GET", `/v1/requests/${id}/export`, {
          headers: { "x-request-token": "x".repeat(32) },
        })
      ).status,
    ).toBe(404);
    expect(
      (await host.call("GET", `/v1/requests/not-an-id/export`, { token: tenantA.ownerToken })).status,
    ).toBe(400);
  });
});

describe("a WhatsApp number's export", () => {
  it("holds only that person's records, from every tenant that messaged them, and their recordings", async () => {
    const created = await host.call("POST", "/v1/requests", {
      body: { kind: "access", scope: { type: "whatsapp_number", phone: SHARED_NUMBER } },
      headers: { "x-forwarded-for": "10.20.30.40" },
    });
    expect(created.status).toBe(201);
    const { id, requestToken } = created.body as { id: string; requestToken: string };
    createdIds.push(id);
    const asRequester = { "x-request-token": requestToken };
    expect((await host.call("GET", `/v1/requests/${id}/export`, { headers: asRequester })).status).toBe(409);
    const outbox = await host.call("POST", "/_dev/outbox", { body: { to: SHARED_NUMBER } });
    const code = /\b(\d{6})\b/.exec(
      (outbox.body.messages as { template: string; text: string }[])
        .filter((m) => m.template === "verification_code")
        .at(-1)!.text,
    )![1]!;
    const verified = await host.call("POST", `/v1/requests/${id}/verification`, {
      headers: asRequester,
      body: { code },
    });
    expect(verified.status).toBe(200);
    if (verified.body.status === "verified") await runExecution(host.runtime.app, id);
    expect((await host.call("GET", `/v1/requests/${id}`, { headers: asRequester })).body.status).toBe(
      "completed",
    );

    const { files } = await download(id, { headers: asRequester });
    const manifest = checkManifest(files);
    const hash = hashWhatsAppNumber(host.runtime.app.keys.hash, SHARED_NUMBER);
    // The shared number is each tenant's first contact: one conversation each.
    const conversations = ndjsonRecords(files, "conversations");
    expect(conversations.map((c) => c.tenantId).sort()).toEqual([tenantA.tenantId, tenantB.tenantId].sort());
    for (const c of conversations)
      expect(c).toMatchObject({ contactHash: hash, contactPhone: SHARED_NUMBER });
    const messages = ndjsonRecords(files, "messages");
    expect(messages).toHaveLength(6 + 3);
    for (const m of messages) expect(m.contactHash).toBe(hash);
    expect(ndjsonRecords(files, "consent_records")).toHaveLength(2);
    expect(manifest.counts).toMatchObject({
      conversations: 2,
      messages: 9,
      consent_records: 2,
      audio_recordings: 1 + 2,
      transcripts: 1 + 2,
    });
    // Nothing of the businesses themselves: no account, team, keys, payments, WhatsApp identifiers.
    const paths = [...files.keys()];
    for (const category of ["account", "team_members", "api_keys", "payments", "whatsapp_identifiers"]) {
      expect(paths.some((p) => p.includes(`/${category}`))).toBe(false);
    }
    expect(paths.some((p) => p.startsWith("files/knowledge_base_files/"))).toBe(false);
    const text = allText(files);
    for (const tenant of [tenantA, tenantB]) {
      const others = await host.runtime.app.ports.documents
        .collection("platform", "conversations")
        .query<{ id: string; contactPhone: string }>({ partitionKey: tenant.tenantId, limit: 100 });
      for (const c of others.items) {
        if (c.contactPhone !== SHARED_NUMBER) expect(text).not.toContain(c.contactPhone);
      }
    }
    const summary = JSON.parse(files.get("summary.json")!.toString("utf8"));
    expect(summary.subject).toEqual({ type: "whatsapp_number", number: expect.stringContaining("•") });
    expect(summary.notIncluded.map((n: { category: string }) => n.category)).toContain(
      "whatsapp_identifiers",
    );
    expect(JSON.stringify(summary)).not.toContain(SHARED_NUMBER);
  });
});

describe("a crash in the middle", () => {
  it("leaves no package on offer; a retry restarts cleanly and gives a complete one", async () => {
    const tenant = await seed({ conversations: 30, messagesPerConversation: 40, audioPerConversation: 0 });
    expect(tenant.counts.messages).toBe(1200);
    // Fault injection: the second page of messages fails once (the export has written ~1000 by then).
    const real: DocumentStore = host.runtime.app.ports.documents;
    let messageQueries = 0;
    let tripped = false;
    host.runtime.app.ports.documents = {
      ping: () => real.ping(),
      collection(db, name) {
        const c = real.collection(db, name);
        if (db !== "platform" || name !== "messages") return c;
        return new Proxy(c, {
          get(target, prop, receiver) {
            if (prop !== "query") return Reflect.get(target, prop, receiver) as unknown;
            return async (spec: Parameters<typeof c.query>[0]) => {
              if (spec.partitionKey === tenant.tenantId && ++messageQueries === 2 && !tripped) {
                tripped = true;
                throw new Error("injected: the store went away");
              }
              return target.query(spec);
            };
          },
        });
      },
    };
    let id: string;
    try {
      id = await ownerAccessRequest(tenant.ownerToken);
    } finally {
      host.runtime.app.ports.documents = real;
    }
    expect(tripped).toBe(true);
    const failed = await host.call("GET", `/v1/requests/${id}`, { token: tenant.ownerToken });
    expect(failed.body.status).toBe("in_progress");
    expect(failed.body.failure).toMatchObject({ step: "export:messages", attempts: 1 });
    expect(failed.body.export.status).toBe("preparing");
    expect(failed.body.progress.recordsDone).toBeGreaterThanOrEqual(0);
    const notReady = await host.call("GET", `/v1/requests/${id}/export`, { token: tenant.ownerToken });
    expect(notReady.status).toBe(409);
    expect(await exportBlobs(id)).toEqual([]);
    // What a process killed mid-upload would leave: a stray partial blob. The retry must clear it.
    await host.runtime.app.ports.blobs.put(
      "exports",
      `${id}/partial-dead-run.zip`,
      Buffer.from("PK\x03\x04 half"),
    );

    const retried = await host.call("POST", `/v1/requests/${id}/retry`, { token: support });
    expect(retried.status).toBe(200);
    expect(retried.body.status).toBe("completed");
    expect(retried.body.failure).toBeUndefined();
    const { files } = await download(id, { token: tenant.ownerToken });
    const manifest = checkManifest(files);
    expect(manifest.counts.messages).toBe(1200);
    expect(ndjsonRecords(files, "messages")).toHaveLength(1200);
    expect(new Set(ndjsonRecords(files, "messages").map((m) => m.id)).size).toBe(1200);
    for (const entry of exportable())
      expect(manifest.counts[entry.category]).toBe(tenant.counts[entry.category] ?? 0);
    expect(await exportBlobs(id)).toEqual([`${id}/export.zip`]);
    const job = await host.runtime.app.ports.documents
      .collection("service", "jobs")
      .read<{ id: string; runs: number; status: string }>(`export:${id}`, `tenant:${tenant.tenantId}`);
    expect(job?.doc).toMatchObject({ status: "ready", runs: 2 });
  });
});

describe("expiry", () => {
  it("7 days after it is ready the package is deleted and the link endpoint says 410 and how to ask again", async () => {
    const tenant = await seed({ conversations: 2, messagesPerConversation: 2 });
    const id = await ownerAccessRequest(tenant.ownerToken);
    expect((await host.call("GET", `/v1/requests/${id}/export`, { token: tenant.ownerToken })).status).toBe(
      200,
    );
    await host.call("POST", "/_dev/clock", { body: { advance: "P6D" } });
    expect((await host.call("GET", `/v1/requests/${id}/export`, { token: tenant.ownerToken })).status).toBe(
      200,
    );
    expect(await exportBlobs(id)).toEqual([`${id}/export.zip`]);
    await host.call("POST", "/_dev/clock", { body: { advance: "P2D" } });
    const gone = await host.call("GET", `/v1/requests/${id}/export`, { token: tenant.ownerToken });
    expect(gone.status).toBe(410);
    expect(gone.headers.get("content-type")).toMatch(/problem\+json/);
    expect(gone.body.detail).toMatch(/expired/);
    expect(gone.body.howToAskAgain).toMatch(/POST \/api\/v1\/requests/);
    expect(await exportBlobs(id)).toEqual([]);
    const read = await host.call("GET", `/v1/requests/${id}`, { token: tenant.ownerToken });
    expect(read.body.export.status).toBe("expired");
    const audit = await host.call("GET", `/v1/requests/${id}/audit`, { token: support });
    expect(audit.body.events.filter((e: { action: string }) => e.action === "export_deleted")).toHaveLength(
      1,
    );
    // The packages of the earlier tests expired too (their messages, or reconciliation).
    expect(createdIds.length).toBeGreaterThanOrEqual(4);
    for (const earlier of createdIds) expect(await exportBlobs(earlier)).toEqual([]);
  });
});
