import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSet, readSetTenant, tenantBlobName } from "../../src/app/backups/catalogue";
import { activeBackupsHolding } from "../../src/app/backups/holdings";
import { dataKeyForRestore, tenantKeyId } from "../../src/app/backups/keys";
import { type BackupRecord, readTenantBlob } from "../../src/app/restore/restore";
import { hashWhatsAppNumber } from "../../src/domain/subject";
import { functionTable } from "../../src/function-table";
import { startTestHost, type TestHost } from "../support/host";
import { latestCode as latestCodeFor } from "../support/outbox";

/**
 * Encrypted backups end to end through HTTP with the dev clock (Privacy Policy §3, §5; Data Deletion
 * Instructions §4): sets per tenant under the tenant's own key, rotation at expiry (duplicate and lost
 * messages), crypto-shredding at an account purge and completion only after the last set rotated,
 * restore that re-applies a later erasure, a tampered blob, and the retention sweep.
 */
let host: TestHost;
let officer: string;
let clientSeq = 0;

type Doc = { id: string } & Record<string, unknown>;

const SMALL = {
  conversations: 2,
  messagesPerConversation: 2,
  audioPerConversation: 1,
  knowledgeBaseFiles: 0,
  members: 1,
  apiKeys: 1,
  bots: 1,
  payments: 1,
  usageRecords: 3,
};

interface Seeded {
  tenantId: string;
  ownerToken: string;
  ownerEmail: string;
  contacts: string[];
}

async function seed(options: Record<string, unknown> = {}): Promise<Seeded> {
  const res = await host.call("POST", "/_dev/seed", { body: { ...SMALL, ...options } });
  expect(res.status).toBe(201);
  return res.body as Seeded;
}

const advance = (duration: string) => host.call("POST", "/_dev/clock", { body: { advance: duration } });
const app = () => host.runtime.app;
const platform = (container: string) => app().ports.documents.collection("platform", container);
const docsOf = async (container: string, tenantId: string) =>
  (await platform(container).query<Doc>({ partitionKey: tenantId, limit: 1000 })).items;

/**
 * POST /v1/backups starts a job (202 and the set's URL); the local scheduler writes the set before the
 * answer, so the first poll of that URL already shows it active (test/e2e/backup-jobs.test.ts covers
 * the job itself).
 */
async function takeBackup() {
  const res = await host.call("POST", "/v1/backups", { token: officer });
  expect(res.status).toBe(202);
  const location = res.headers.get("location")!;
  expect(location).toBe(`/api/v1/backups/${res.body.id}`);
  const set = await host.call("GET", location.replace(/^\/api/, ""), { token: officer });
  expect(set.status).toBe(200);
  expect(set.body.status).toBe("active");
  return set.body as { id: string; status: string; tenants: number; expiresAt: string; takenAt: string };
}

/** Every record of a tenant in the platform's Cosmos stores, per inventory category. */
async function platformRecords(tenantId: string): Promise<Record<string, Doc[]>> {
  const out: Record<string, Doc[]> = {};
  for (const entry of app().inventory) {
    if (entry.store.kind !== "cosmos") continue;
    out[entry.category] = await docsOf(entry.store.container, tenantId);
  }
  return out;
}

/** Decrypts a tenant's blob of a set with the tenant's key, as a restore reads it. */
async function decrypt(setId: string, tenantId: string) {
  const entry = await readSetTenant(app(), setId, tenantId);
  if (!entry) throw new Error(`${tenantId} is not in ${setId}`);
  const key = await dataKeyForRestore(app(), tenantId);
  const records: BackupRecord[] = [];
  const read = await readTenantBlob(app(), entry, key, async (batch) => {
    records.push(...batch);
  });
  return { entry, read, records };
}

async function setStatus(setId: string) {
  return (await readSet(app(), setId))?.doc;
}

const blobsOf = async (setId: string) => app().ports.blobs.count("backups", `${setId}/`);

async function opsEvents(chain: string) {
  const res = await app()
    .ports.documents.collection("service", "audit")
    .query<Doc>({
      partitionKey: chain,
      orderBy: { field: "seq", direction: "asc" },
      limit: 1000,
    });
  return res.items as unknown as { action: string; data: Record<string, unknown> }[];
}

beforeAll(async () => {
  host = await startTestHost();
  officer = await host.token("privacy_officer");
});
afterAll(async () => {
  await host?.stop();
});

describe("a backup set", () => {
  let a: Seeded;
  let b: Seeded;
  let setId: string;

  it("holds two seeded tenants, each decrypting to exactly its records (counts and hashes)", async () => {
    a = await seed({ contacts: ["+91 98123 40001"] });
    b = await seed({ contacts: ["+91 98123 40002"] });
    const set = await takeBackup();
    setId = set.id;
    expect(set).toMatchObject({ status: "active", tenants: 2 });
    expect(Date.parse(set.expiresAt) - Date.parse(set.takenAt)).toBe(35 * 86_400_000);
    for (const t of [a, b]) {
      const primary = await platformRecords(t.tenantId);
      const { entry, read, records } = await decrypt(setId, t.tenantId);
      for (const [category, docs] of Object.entries(primary)) {
        expect(entry.records[category] ?? 0, category).toBe(docs.length);
        expect(read.records[category] ?? 0, category).toBe(docs.length);
        const restored = records
          .filter((r) => r.category === category)
          .map((r) => r.doc)
          .sort((x, y) => x.id.localeCompare(y.id));
        expect(restored, category).toEqual([...docs].sort((x, y) => x.id.localeCompare(y.id)));
      }
      const raw = await app().ports.blobs.read("backups", tenantBlobName(setId, t.tenantId));
      expect(createHash("sha256").update(raw!).digest("hex")).toBe(entry.sha256);
      expect(read.sha256).toBe(entry.sha256);
      expect(entry.bytes).toBe(raw!.length);
    }
    // The manifest beside the blobs: tenants, counts and each blob's SHA-256.
    const manifest = JSON.parse(
      (await app().ports.blobs.read("backups", `${setId}/manifest.json`))!.toString("utf8"),
    ) as { tenants: { tenantId: string; sha256: string; total: number }[] };
    expect(manifest.tenants.map((t) => t.tenantId).sort()).toEqual([a.tenantId, b.tenantId].sort());
    for (const t of manifest.tenants) {
      expect(t.sha256).toBe((await readSetTenant(app(), setId, t.tenantId))!.sha256);
    }
  });

  it("is ciphertext only: no number, email, name or message text in any blob", async () => {
    for (const t of [a, b]) {
      const raw = (await app().ports.blobs.read("backups", tenantBlobName(setId, t.tenantId)))!;
      const contact = t.contacts[0]!;
      for (const needle of [
        contact,
        contact.slice(3),
        t.ownerEmail,
        "contactPhone",
        "Hello, is the clinic",
      ]) {
        expect(raw.includes(Buffer.from(needle)), needle).toBe(false);
      }
    }
  });

  it("is catalogued: listed for the privacy officer, holding each tenant and each contact's number hash", async () => {
    const list = await host.call("GET", "/v1/backups", { token: officer });
    expect(list.status).toBe(200);
    expect(list.body.items).toContainEqual(
      expect.objectContaining({ id: setId, status: "active", tenants: 2, takenAt: expect.any(String) }),
    );
    for (const t of [a, b]) {
      expect((await activeBackupsHolding(app(), `tenant:${t.tenantId}`)).map((h) => h.setId)).toContain(
        setId,
      );
      const hash = hashWhatsAppNumber(host.runtime.app.keys.hash, t.contacts[0]!);
      expect((await activeBackupsHolding(app(), `wa:${hash}`)).map((h) => h.setId)).toContain(setId);
    }
    // Staff only, and the privacy officer only.
    expect((await host.call("GET", "/v1/backups", { token: a.ownerToken })).status).toBe(403);
    expect((await host.call("POST", "/v1/backups", { token: await host.token("support") })).status).toBe(403);
    expect((await host.call("GET", "/v1/backups")).status).toBe(401);
  });

  it("rotates out at its expiry: every blob deleted, set and holdings rotated; a duplicate message is a no-op", async () => {
    expect(await blobsOf(setId)).toBe(3);
    await advance("P36D");
    const set = await setStatus(setId);
    expect(set).toMatchObject({ status: "rotated", rotatedBy: "timer" });
    expect(await blobsOf(setId)).toBe(0);
    expect(await activeBackupsHolding(app(), `tenant:${a.tenantId}`)).toEqual([]);
    const list = await host.call("GET", "/v1/backups", { token: officer });
    expect(list.body.items).toContainEqual(expect.objectContaining({ id: setId, status: "rotated" }));
    // The same message again (at-least-once delivery): nothing changes.
    const rotation = functionTable({ includeDev: true }).find(
      (f) => f.trigger === "queue" && f.queue === "backup-rotation",
    );
    if (!rotation || rotation.trigger !== "queue") throw new Error("no backup-rotation handler");
    await rotation.handle(
      host.runtime,
      { setId, expiresAt: set!.expiresAt },
      { messageId: "dup", deliveryCount: 2 },
    );
    expect(await setStatus(setId)).toEqual(set);
    const rotated = (await opsEvents("ops:backups")).filter(
      (e) => e.action === "backup_rotated" && e.data.setId === setId,
    );
    expect(rotated).toHaveLength(1);
    // A rotated set cannot be restored.
    const restore = await host.call("POST", `/v1/backups/${setId}/restore`, {
      token: officer,
      body: { tenantId: a.tenantId },
    });
    expect(restore.status).toBe(410);
  });

  it("whose rotation message was lost is rotated by reconciliation", async () => {
    await seed();
    const set = await takeBackup();
    const doc = await setStatus(set.id);
    const scheduler = host.runtime.dev!.scheduler;
    expect(await scheduler.cancel("backup-rotation", doc!.rotationTicket!)).toBe("cancelled");
    await advance("P36D");
    expect(await setStatus(set.id)).toMatchObject({ status: "rotated", rotatedBy: "reconciliation" });
    expect(await blobsOf(set.id)).toBe(0);
  });
});

describe("crypto-shredding", () => {
  it("a purged tenant's backups become unreadable at once; the request completes only when the set rotated", async () => {
    const t = await seed();
    const set = await takeBackup();
    const created = await host.call("POST", "/v1/requests", {
      token: t.ownerToken,
      body: { kind: "erasure", scope: { type: "account", tenantId: t.tenantId } },
    });
    expect(created.status).toBe(201);
    await advance("P31D");
    const request = (await host.call("GET", `/v1/requests/${created.body.id}`, { token: officer })).body;
    expect(request.status).toBe("purged");
    // The key is gone: the blob is still there, but nobody can read it.
    const keyDoc = await app()
      .ports.documents.collection("service", "backups")
      .read<Doc>(tenantKeyId(t.tenantId), `tenant:${t.tenantId}`);
    expect(keyDoc?.doc).toMatchObject({ status: "shredded", shreddedAt: expect.any(String) });
    expect(keyDoc?.doc).not.toHaveProperty("wrapped");
    expect(await app().ports.blobs.read("backups", tenantBlobName(set.id, t.tenantId))).toBeDefined();
    await expect(decrypt(set.id, t.tenantId)).rejects.toThrow(/destroyed/);
    const restore = await host.call("POST", `/v1/backups/${set.id}/restore`, {
      token: officer,
      body: { tenantId: t.tenantId },
    });
    expect(restore.status).toBe(409);
    expect(restore.body.detail).toMatch(/erased/);
    const trail = await host.call("GET", `/v1/requests/${created.body.id}/audit`, { token: officer });
    expect(trail.body.events.map((e: { action: string }) => e.action)).toContain("backup_key_destroyed");
    // The certificate says so, and when the last copy goes.
    const cert = await host.call("GET", `/v1/requests/${created.body.id}/certificate`, {
      token: t.ownerToken,
    });
    expect(cert.status).toBe(200);
    expect(cert.body.backups).toMatchObject({
      held: 1,
      keyShreddedAt: keyDoc?.doc.shreddedAt,
      rotatesBy: set.expiresAt,
    });
    // The window in which a point-in-time restore of the service's database could bring the key back
    // (COSMOS_BACKUP_TIER, 30 days by default) is stated with its end (issue 14 §4).
    const { residualUntil } = cert.body.backups as { residualUntil: string };
    expect(Date.parse(residualUntil) - Date.parse(String(keyDoc?.doc.shreddedAt))).toBe(30 * 86_400_000);
    expect(cert.body.backups.note).toMatch(/destroyed.*point-in-time restore.*no backup copy can be read/);
    expect(cert.body.backups.note).toContain(residualUntil);
    expect(cert.body.completedAt).toBeUndefined();
    // Day 36 after the backup: the set rotates, the request completes, the certificate records when.
    await advance("P5D");
    const rotated = await setStatus(set.id);
    expect(rotated?.status).toBe("rotated");
    const done = (await host.call("GET", `/v1/requests/${created.body.id}`, { token: officer })).body;
    expect(done.status).toBe("completed");
    const final = await host.call("GET", `/v1/requests/${created.body.id}/certificate`, {
      token: t.ownerToken,
    });
    expect(final.body.backups).toMatchObject({ held: 0, lastRotationAt: rotated?.rotatedAt });
    expect(final.body.backups).not.toHaveProperty("rotatesBy");
    expect(final.body.backups.note).toMatch(/rotated out/);
    expect(final.body.completedAt).toBeDefined();
    // Later sets leave the erased tenant out: its key is destroyed.
    const later = await takeBackup();
    expect(await readSetTenant(app(), later.id, t.tenantId)).toBeUndefined();
  });
});

describe("restore", () => {
  const latestCode = (to: string) => latestCodeFor(host, to);

  it("brings a tenant's records back and re-applies a WhatsApp-number erasure completed after the backup", async () => {
    const phone = "+919812340077";
    const t = await seed({ contacts: [phone], conversations: 3 });
    const hash = hashWhatsAppNumber(host.runtime.app.keys.hash, phone);
    const before = await platformRecords(t.tenantId);
    const numberMessages = before.messages!.filter((m) => m.contactHash === hash).length;
    expect(numberMessages).toBeGreaterThan(0);
    const set = await takeBackup();
    // After the backup: the person erases their number…
    const created = await host.call("POST", "/v1/requests", {
      body: { kind: "erasure", scope: { type: "whatsapp_number", phone } },
      headers: { "x-forwarded-for": `10.77.0.${clientSeq++}` },
    });
    expect(created.status).toBe(201);
    const verified = await host.call("POST", `/v1/requests/${created.body.id}/verification`, {
      headers: { "x-request-token": created.body.requestToken },
      body: { code: await latestCode(phone) },
    });
    expect(verified.status).toBe(200);
    // …which waits on the set that still holds the number.
    expect(verified.body.status).toBe("purged");
    expect((await docsOf("messages", t.tenantId)).filter((m) => m.contactHash === hash)).toEqual([]);
    // …and the tenant loses other data (the reason for the restore).
    const lost = before.messages!.filter((m) => m.contactHash !== hash);
    for (const m of lost) await platform("messages").delete(m.id, t.tenantId);
    await platform("bots").delete(before.bots![0]!.id, t.tenantId);
    const res = await host.call("POST", `/v1/backups/${set.id}/restore`, {
      token: officer,
      body: { tenantId: t.tenantId },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ setId: set.id, tenantId: t.tenantId, skippedPastRetention: 0 });
    // The answer names the erasure as re-applied: its request, its job, the records it changed again.
    const erasure = (res.body.reapplied as { kind: string; requestId: string }[]).find(
      (d) => d.kind === "erasure:whatsapp_number" && d.requestId === created.body.id,
    );
    expect(erasure).toMatchObject({
      handler: "number_erasure",
      jobId: `whatsapp-erasure:${created.body.id}`,
      honoured: "reapplied",
      records: expect.any(Number),
    });
    expect((erasure as unknown as { records: number }).records).toBeGreaterThanOrEqual(numberMessages + 1);
    expect(res.body.refusedReferences).toEqual([]);
    const after = await platformRecords(t.tenantId);
    // The lost data is back…
    expect(after.bots!.map((x) => x.id)).toEqual(before.bots!.map((x) => x.id));
    expect(after.messages!.map((m) => m.id).sort()).toEqual(lost.map((m) => m.id).sort());
    // …and none of the erased number's: its messages and consents gone, its conversation anonymised.
    for (const docs of Object.values(after)) {
      for (const d of docs) expect(JSON.stringify(d)).not.toContain(hash);
    }
    expect(JSON.stringify(after)).not.toContain(phone);
    const conversation = after.conversations!.find((c) => c.anonymisedFor === "whatsapp_number_erasure");
    expect(conversation).toBeDefined();
    expect(conversation).not.toHaveProperty("contactPhone");
    const restores = (await opsEvents("ops:backups")).filter((e) => e.action === "backup_restored");
    expect(restores.at(-1)?.data).toMatchObject({ setId: set.id, tenantId: t.tenantId });
  });

  it("a tampered backup blob fails restore with a clear error, and nothing is written", async () => {
    const t = await seed();
    const set = await takeBackup();
    const name = tenantBlobName(set.id, t.tenantId);
    const raw = (await app().ports.blobs.read("backups", name))!;
    const tampered = Buffer.from(raw);
    const at = Math.floor(raw.length / 2);
    tampered[at] = (tampered[at] ?? 0) ^ 0xff;
    await app().ports.blobs.put("backups", name, tampered);
    const bot = (await docsOf("bots", t.tenantId))[0]!;
    await platform("bots").delete(bot.id, t.tenantId);
    const res = await host.call("POST", `/v1/backups/${set.id}/restore`, {
      token: officer,
      body: { tenantId: t.tenantId },
    });
    expect(res.status).toBe(409);
    expect(res.headers.get("content-type")).toMatch(/problem\+json/);
    expect(res.body.detail).toMatch(/failed its integrity check.*Nothing was restored/);
    expect(await docsOf("bots", t.tenantId)).toEqual([]);
    // Restored untampered, the same set brings the bot back.
    await app().ports.blobs.put("backups", name, raw);
    const ok = await host.call("POST", `/v1/backups/${set.id}/restore`, {
      token: officer,
      body: { tenantId: t.tenantId },
    });
    expect(ok.status).toBe(200);
    expect((await docsOf("bots", t.tenantId)).map((x) => x.id)).toEqual([bot.id]);
  });

  it("refuses what it cannot do, with problem+json: unknown set or tenant, bad input", async () => {
    const t = await seed({ conversations: 0 });
    const set = await takeBackup();
    const call = (id: string, body: unknown) =>
      host.call("POST", `/v1/backups/${id}/restore`, { token: officer, body });
    expect((await call("bk-20200101T000000Z-abcdef", { tenantId: t.tenantId })).status).toBe(404);
    expect((await call(set.id, { tenantId: "t-nobody-here" })).status).toBe(404);
    expect((await call("not-a-set", { tenantId: t.tenantId })).status).toBe(400);
    expect((await call(set.id, {})).status).toBe(400);
    expect((await call(set.id, { tenantId: t.tenantId, extra: 1 })).status).toBe(400);
  });
});

describe("retention sweep", () => {
  it("deletes usage records older than 90 days and nothing younger, and records what it did", async () => {
    const t = await seed({ usageRecords: 0, conversations: 0 });
    const now = host.runtime.app.ports.clock.now().getTime();
    const day = 86_400_000;
    const usage = (id: string, daysAgo: number) => ({
      id,
      tenantId: t.tenantId,
      endpoint: "/v1/chat",
      ip: "203.0.113.9",
      at: new Date(now - daysAgo * day).toISOString(),
    });
    // After the one-day move below: 92, 121 and 401 days old go; 86, 31 and 1 stay.
    for (const [id, ago] of [
      ["u-old-91", 91],
      ["u-old-120", 120],
      ["u-old-400", 400],
      ["u-young-85", 85],
      ["u-young-30", 30],
      ["u-young-0", 0],
    ] as const)
      await platform("usage").upsert(usage(id, ago));
    await advance("P1D");
    expect((await docsOf("usage", t.tenantId)).map((u) => u.id).sort()).toEqual([
      "u-young-0",
      "u-young-30",
      "u-young-85",
    ]);
    const day1 = host.runtime.app.ports.clock.now().toISOString().slice(0, 10);
    const summary = await app()
      .ports.documents.collection("service", "jobs")
      .read<Doc>(`retention-sweep:${day1}`, "retention-sweeps");
    const lines = summary?.doc.lines as { category: string; rule: string; records: number }[];
    expect(lines.find((l) => l.category === "usage_records")?.records).toBeGreaterThanOrEqual(3);
    expect(JSON.stringify(summary?.doc)).not.toContain(t.tenantId);
    const events = (await opsEvents("ops:retention")).filter((e) => e.action === "retention_sweep");
    expect(events.at(-1)?.data).toMatchObject({ sweepId: `retention-sweep:${day1}` });
  });
});
