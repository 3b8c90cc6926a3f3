import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevClock } from "../../src/adapters/embedded/dev-clock";
import { LocalKeyWrapper } from "../../src/adapters/embedded/local-key-wrapper";
import { findSets, readSet, readSetTenant, setTenants } from "../../src/app/backups/catalogue";
import { activeBackupsHolding } from "../../src/app/backups/holdings";
import { dataKeyForBackup, REWRAP_AFTER_MS, shredTenantKey, tenantKeyId } from "../../src/app/backups/keys";
import { reconcileBackups } from "../../src/app/backups/reconcile";
import { restoreTenant } from "../../src/app/restore/restore";
import { rotateSet } from "../../src/app/backups/rotate";
import { takeBackup, takeScheduledBackup } from "../../src/app/backups/take";
import type { AppContext } from "../../src/app/context";
import { runRetentionSweep } from "../../src/app/retention/sweep";
import type { InventoryEntry } from "../../src/domain/inventory/schema";
import type { BlobStore } from "../../src/ports/blob-store";
import { backupTimer } from "../../src/triggers/backups";
import { startTestHost, type TestHost } from "../support/host";

/**
 * The backup use cases against the real adapters on the embedded emulators, below HTTP: the daily
 * timer's one set a day, a set that died half-way resumed by reconciliation, early and unknown rotation
 * messages, restore refusals, key wrapping, and the retention sweep's exact boundaries.
 */
let host: TestHost;
const SYSTEM = { kind: "system" } as const;
const DAY = 86_400_000;

const QUIET = {
  conversations: 1,
  messagesPerConversation: 1,
  audioPerConversation: 0,
  knowledgeBaseFiles: 0,
  members: 0,
  apiKeys: 0,
  bots: 1,
  payments: 0,
  usageRecords: 0,
};

async function seed(options: Record<string, unknown> = {}) {
  const res = await host.call("POST", "/_dev/seed", { body: { ...QUIET, ...options } });
  expect(res.status).toBe(201);
  return res.body as { tenantId: string; ownerToken: string };
}

const app = (): AppContext => host.runtime.app;
const clock = () => host.runtime.app.ports.clock as DevClock;
const platform = (container: string) => app().ports.documents.collection("platform", container);

beforeAll(async () => {
  host = await startTestHost();
});
afterAll(async () => {
  await host?.stop();
});

describe("taking sets", () => {
  it("the daily timer takes one set a day, and in the local profile only when LOCAL_BACKUP_TIMER=on", async () => {
    await seed();
    const count = async () => (await findSets(app(), [])).length;
    const before = await count();
    await backupTimer.handle(host.runtime);
    expect(await count()).toBe(before);
    const first = await takeScheduledBackup(app());
    expect(first).toMatchObject({ status: "active", trigger: "schedule" });
    expect(await takeScheduledBackup(app())).toBeUndefined();
    const on = { ...host.runtime, config: { ...host.runtime.config, LOCAL_BACKUP_TIMER: "on" as const } };
    await backupTimer.handle(on);
    expect(await count()).toBe(before + 1);
    clock().advanceTo(new Date(clock().now().getTime() + DAY));
    await backupTimer.handle(on);
    expect(await count()).toBe(before + 2);
  });

  it("a set that died half-way holds everyone meanwhile, and reconciliation finishes it once it went quiet", async () => {
    const a = await seed();
    const b = await seed();
    const original = app().ports.blobs;
    const failing: BlobStore = {
      ...original,
      list: (c, p) => original.list(c, p),
      async put(container, name, body, options) {
        if (name.includes(b.tenantId)) throw new Error("injected: the storage account went away");
        return original.put(container, name, body, options);
      },
    };
    app().ports.blobs = failing;
    try {
      await expect(takeBackup(app(), "manual", SYSTEM)).rejects.toThrow(/injected/);
    } finally {
      app().ports.blobs = original;
    }
    const [writing] = await findSets(app(), [{ field: "status", op: "=", value: "writing" }]);
    expect(writing).toBeDefined();
    const setId = writing!.id;
    const doneA = await readSetTenant(app(), setId, a.tenantId);
    expect(doneA).toBeDefined();
    expect(await readSetTenant(app(), setId, b.tenantId)).toBeUndefined();
    // While a set is being written it counts as holding every subject: no erasure completes meanwhile.
    expect((await activeBackupsHolding(app(), `tenant:${b.tenantId}`)).map((h) => h.setId)).toContain(setId);
    expect((await activeBackupsHolding(app(), "wa:someone-not-yet-read")).map((h) => h.setId)).toContain(
      setId,
    );
    // Not yet quiet: left alone.
    clock().advanceTo(new Date(clock().now().getTime() + 5 * 60_000));
    expect((await reconcileBackups(app())).resumed).toBe(0);
    clock().advanceTo(new Date(clock().now().getTime() + 15 * 60_000));
    // Resumed here (or by the host's own timer, which may fire meanwhile: the same code).
    expect((await reconcileBackups(app())).failed).toBe(0);
    const set = (await readSet(app(), setId))!.doc;
    expect(set.status).toBe("active");
    expect((await readSetTenant(app(), setId, b.tenantId))?.total).toBeGreaterThan(0);
    // The tenant finished before the crash was not written again.
    expect((await readSetTenant(app(), setId, a.tenantId))?.writtenAt).toBe(doneA!.writtenAt);
    const entries: string[] = [];
    for await (const t of setTenants(app(), setId)) entries.push(t.tenantId);
    expect(set.tenants).toBe(entries.length);
    expect(await activeBackupsHolding(app(), "wa:someone-not-yet-read")).toEqual([]);
  });
});

describe("rotation", () => {
  it("an early or unknown message changes nothing; at expiry it rotates, once", async () => {
    await seed();
    const set = await takeBackup(app(), "manual", SYSTEM);
    expect((await rotateSet(app(), set.id, "timer")).outcome).toBe("early");
    expect((await readSet(app(), set.id))?.doc.status).toBe("active");
    expect(await app().ports.blobs.count("backups", `${set.id}/`)).toBe(set.tenants + 1);
    expect((await rotateSet(app(), "bk-20200101T000000Z-000000", "timer")).outcome).toBe("not_found");
    clock().advanceTo(new Date(set.expiresAt));
    // Two deliveries at once (the host's own delivery loop may be a third): exactly one rotates.
    const outcomes = await Promise.all([
      rotateSet(app(), set.id, "timer"),
      rotateSet(app(), set.id, "timer"),
    ]);
    for (const o of outcomes) expect(["rotated", "already_rotated"]).toContain(o.outcome);
    expect(outcomes.filter((o) => o.outcome === "rotated").length).toBeLessThanOrEqual(1);
    const events = await app()
      .ports.documents.collection("service", "audit")
      .query<{ id: string; action: string; data: { setId: string } }>({
        partitionKey: "ops:backups",
        limit: 1000,
      });
    expect(events.items.filter((e) => e.action === "backup_rotated" && e.data.setId === set.id)).toHaveLength(
      1,
    );
    expect(await app().ports.blobs.count("backups", `${set.id}/`)).toBe(0);
  });
});

describe("restore refusals and keys", () => {
  it("refuses a tenant with an open account erasure, naming why", async () => {
    const t = await seed();
    const set = await takeBackup(app(), "manual", SYSTEM);
    const created = await host.call("POST", "/v1/requests", {
      token: t.ownerToken,
      body: { kind: "erasure", scope: { type: "account", tenantId: t.tenantId } },
    });
    expect(created.body.status).toBe("deactivated");
    await expect(restoreTenant(app(), SYSTEM, set.id, t.tenantId)).rejects.toThrow(/reactivate/);
  });

  it("data keys are stored only wrapped, re-wrapped when old, and shredding is final and idempotent", async () => {
    const t = await seed();
    const key = await dataKeyForBackup(app(), t.tenantId);
    if (key === "shredded") throw new Error("unexpected");
    const backups = app().ports.documents.collection("service", "backups");
    const stored = (await backups.read<{ id: string; wrapped: { value: string }; wrappedAt: string }>(
      tenantKeyId(t.tenantId),
      `tenant:${t.tenantId}`,
    ))!.doc;
    expect(JSON.stringify(stored)).not.toContain(key.toString("base64"));
    expect(JSON.stringify(stored)).not.toContain(key.toString("base64url"));
    clock().advanceTo(new Date(clock().now().getTime() + REWRAP_AFTER_MS + DAY));
    const again = await dataKeyForBackup(app(), t.tenantId);
    expect(Buffer.isBuffer(again) && again.equals(key)).toBe(true);
    const rewrapped = (await backups.read<typeof stored>(tenantKeyId(t.tenantId), `tenant:${t.tenantId}`))!
      .doc;
    expect(rewrapped.wrapped.value).not.toBe(stored.wrapped.value);
    const first = await shredTenantKey(app(), t.tenantId);
    const second = await shredTenantKey(app(), t.tenantId);
    expect(first.hadKey).toBe(true);
    expect(second.shreddedAt).toBe(first.shreddedAt);
    expect(await dataKeyForBackup(app(), t.tenantId)).toBe("shredded");
  });

  it("the local key-encryption key wraps and unwraps, and refuses a key wrapped by another", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kek-"));
    const one = new LocalKeyWrapper(join(dir, "a.key"));
    const other = new LocalKeyWrapper(join(dir, "b.key"));
    const dek = randomBytes(32);
    const wrapped = await one.wrap(dek);
    expect((await one.unwrap(wrapped)).equals(dek)).toBe(true);
    // Kept across restarts: a new instance on the same file reads the same key.
    expect((await new LocalKeyWrapper(join(dir, "a.key")).unwrap(wrapped)).equals(dek)).toBe(true);
    await expect(other.unwrap(wrapped)).rejects.toThrow();
    const altered = { ...wrapped, value: Buffer.from(randomBytes(60)).toString("base64url") };
    await expect(one.unwrap(altered)).rejects.toThrow();
  });
});

describe("retention sweep", () => {
  const usage = (tenantId: string, id: string, at: Date) => ({
    id,
    tenantId,
    endpoint: "/v1/chat",
    ip: "203.0.113.5",
    at: at.toISOString(),
  });

  it("takes exactly what is past its retention: usage at 90 days to the minute, payments past retainUntil; not a held tenant's", async () => {
    const t = await seed();
    const held = await seed();
    const now = clock().now();
    const ninety = now.getTime() - 90 * DAY;
    await platform("usage").upsert(usage(t.tenantId, "u-over", new Date(ninety - 60_000)));
    await platform("usage").upsert(usage(t.tenantId, "u-under", new Date(ninety + 60_000)));
    await platform("usage").upsert(usage(held.tenantId, "u-held", new Date(ninety - 10 * DAY)));
    const payment = (id: string, retainUntil: Date) => ({
      id,
      tenantId: t.tenantId,
      amountPaise: 100,
      anonymisedAt: new Date(now.getTime() - 7 * 365 * DAY).toISOString(),
      retainUntil: retainUntil.toISOString(),
    });
    await platform("payments").upsert(payment("pay-expired", new Date(now.getTime() - 60_000)));
    await platform("payments").upsert(payment("pay-kept", new Date(now.getTime() + DAY)));
    // A live payment (never anonymised) is never the sweep's, whatever its fields say.
    await platform("payments").upsert({
      id: "pay-live",
      tenantId: t.tenantId,
      retainUntil: "2000-01-01T00:00:00Z",
    });
    const officer = await host.token("privacy_officer");
    const request = await host.call("POST", "/v1/requests", {
      token: held.ownerToken,
      body: { kind: "erasure", scope: { type: "account", tenantId: held.tenantId } },
    });
    const hold = await host.call("POST", `/v1/requests/${request.body.id}/hold`, {
      token: officer,
      body: { reason: "Court order CS/7/2026" },
    });
    expect(hold.status).toBe(200);
    const summary = await runRetentionSweep(app());
    const ids = async (container: string, tenantId: string) =>
      (await platform(container).query({ partitionKey: tenantId, limit: 100 })).items.map((d) => d.id).sort();
    expect(await ids("usage", t.tenantId)).toEqual(["u-under"]);
    expect(await ids("usage", held.tenantId)).toEqual(["u-held"]);
    expect(await ids("payments", t.tenantId)).toEqual(["pay-kept", "pay-live"]);
    expect(summary.lines).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          category: "usage_records",
          rule: "usage_retention",
          action: "deleted",
          records: 1,
        }),
        expect.objectContaining({
          category: "payments",
          rule: "retained_until",
          action: "deleted",
          records: 1,
        }),
        expect.objectContaining({ category: "access_exports", rule: "export_expiry" }),
      ]),
    );
    expect(summary.heldTenants).toBe(1);
    expect(JSON.stringify(summary)).not.toMatch(/203\.0\.113|t-[0-9a-f]{10}/);
    // Run again: nothing left to take.
    const again = await runRetentionSweep(app());
    expect(again.lines.filter((l) => l.rule !== "export_expiry").every((l) => l.records === 0)).toBe(true);
  });

  it("anonymises instead of deleting when the inventory says so, once", async () => {
    const t = await seed();
    const old = new Date(clock().now().getTime() - 100 * DAY);
    await platform("usage").upsert(usage(t.tenantId, "u-anon", old));
    const inventory = app().inventory.map((e): InventoryEntry =>
      e.category === "usage_records"
        ? { ...e, sweep: { ageField: "at", action: { type: "anonymise", fields: ["ip"] } } }
        : e,
    );
    const anonymising: AppContext = { ...app(), inventory };
    const first = await runRetentionSweep(anonymising);
    const doc = (await platform("usage").read<Record<string, unknown> & { id: string }>("u-anon", t.tenantId))
      ?.doc;
    expect(doc).toBeDefined();
    expect(doc).not.toHaveProperty("ip");
    expect(doc).toMatchObject({ endpoint: "/v1/chat", sweptAt: expect.any(String) });
    expect(first.lines.find((l) => l.category === "usage_records")).toMatchObject({ action: "anonymised" });
    const second = await runRetentionSweep(anonymising);
    expect(second.lines.find((l) => l.category === "usage_records")?.records).toBe(0);
  });

  it("anonymises a dotted path as the purge and the erasure do: the nested field goes, its siblings stay", async () => {
    const t = await seed();
    const old = new Date(clock().now().getTime() - 100 * DAY);
    await platform("usage").upsert({
      ...usage(t.tenantId, "u-nested", old),
      client: { ip: "203.0.113.9", agent: { device: "d-42", os: "android" } },
    });
    // A record that holds none of the paths (and one through a non-object) is swept all the same.
    await platform("usage").upsert({ ...usage(t.tenantId, "u-flat", old), client: "web" });
    const inventory = app().inventory.map((e): InventoryEntry =>
      e.category === "usage_records"
        ? {
            ...e,
            sweep: {
              ageField: "at",
              action: { type: "anonymise", fields: ["client.ip", "client.agent.device", "ip"] },
            },
          }
        : e,
    );
    const summary = await runRetentionSweep({ ...app(), inventory });
    expect(summary.lines.find((l) => l.category === "usage_records")?.records).toBeGreaterThanOrEqual(2);
    const read = async (id: string) =>
      (await platform("usage").read<Record<string, unknown> & { id: string }>(id, t.tenantId))?.doc;
    const nested = await read("u-nested");
    expect(nested).toMatchObject({
      endpoint: "/v1/chat",
      client: { agent: { os: "android" } },
      sweptAt: expect.any(String),
    });
    expect(nested).not.toHaveProperty("ip");
    expect(nested!.client).not.toHaveProperty("ip");
    expect((nested!.client as { agent: object }).agent).not.toHaveProperty("device");
    expect(await read("u-flat")).toMatchObject({ client: "web", sweptAt: expect.any(String) });
  });
});
