import { createGzip } from "node:zlib";
import { CosmosClient } from "@azure/cosmos";
import { readSetTenant } from "../src/app/backups/catalogue";
import { restoreTenant } from "../src/app/restore/restore";
import { takeBackup, TENANT_CONCURRENCY } from "../src/app/backups/take";
import { seedTenant } from "../src/app/seed/seed-tenant";
import { forEachLimit } from "../src/app/util/pool";
import { EMULATOR_COSMOS_KEY } from "../src/composition";
import { cosmosEntries } from "../src/domain/inventory/schema";
import type { LocalHost } from "../src/local/host";
import { fmt, peakRss, report } from "./lib";

/**
 * A backup set beside the work it cannot avoid, same run, same records: a set holds every tenant on
 * the host, so the baseline reads every record of every tenant on the host with the SDK alone (a page
 * of 1 000 at a time, tenant after tenant) and gzips it as the backup's NDJSON lines. The backup adds
 * the holdings (one per tenant and per WhatsApp number), AES-256-GCM, the blob upload, the catalogue
 * and the manifest, tenants TENANT_CONCURRENCY at a time. Interleaved rounds (baseline, backup, …,
 * baseline) and medians: the machine's load drifts. Then the restore of one tenant beside a raw upsert
 * of the same records. Default size suits the embedded Cosmos: BENCH_BACKUP_TENANTS=8 tenants sharing
 * BENCH_BACKUP_MESSAGES=4000 messages (40 per conversation, one WhatsApp number each).
 */

const ROUNDS = 5;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function benchBackup(host: LocalHost) {
  const rt = host.runtime;
  const tenantCount = Math.max(1, Number(process.env.BENCH_BACKUP_TENANTS ?? 8));
  const messages = Number(process.env.BENCH_BACKUP_MESSAGES ?? 4000);
  const t0 = performance.now();
  const seeded = [];
  for (let i = 0; i < tenantCount; i++) {
    seeded.push(
      await seedTenant(rt.app.ports, rt.app.inventory, rt.app.keys.hash, {
        conversations: Math.max(1, Math.round(messages / tenantCount / 40)),
        messagesPerConversation: 40,
        audioPerConversation: 0,
        knowledgeBaseFiles: 0,
        usageRecords: Math.round(200 / tenantCount),
      }),
    );
  }
  const seedSeconds = (performance.now() - t0) / 1000;
  const cosmos = new CosmosClient({
    endpoint: rt.config.COSMOS_ENDPOINT!,
    key: EMULATOR_COSMOS_KEY,
    connectionPolicy: { enableEndpointDiscovery: false },
  });
  const db = cosmos.database(rt.config.COSMOS_PLATFORM_DATABASE);
  const entries = cosmosEntries(rt.app.inventory);
  const accounts = entries.find((e) => e.category === "account")!;

  /** The SDK alone: every tenant on the host, every record, as gzipped NDJSON (discarded). */
  const rawReadGzip = async () => {
    let records = 0;
    let json = 0;
    let gzipped = 0;
    const { resources: tenants } = await db
      .container(accounts.store.container)
      .items.query<string>(`SELECT VALUE c.${accounts.store.tenantField} FROM c`)
      .fetchAll();
    for (const tenantId of tenants) {
      const gzip = createGzip();
      gzip.on("data", (c: Buffer) => (gzipped += c.length));
      const ended = new Promise((resolve, reject) => gzip.on("end", resolve).on("error", reject));
      for (const entry of entries) {
        const pages = db
          .container(entry.store.container)
          .items.query<Record<string, unknown>>(
            { query: "SELECT * FROM c WHERE c.tenantId = @t", parameters: [{ name: "@t", value: tenantId }] },
            { partitionKey: tenantId, maxItemCount: 1000 },
          );
        while (pages.hasMoreResults()) {
          const { resources } = await pages.fetchNext();
          let lines = "";
          for (const d of resources) lines += `${JSON.stringify({ c: entry.category, d })}\n`;
          records += resources.length;
          json += Buffer.byteLength(lines);
          if (lines && !gzip.write(lines)) await new Promise((r) => gzip.once("drain", r));
        }
      }
      gzip.end();
      await ended;
    }
    return { tenants: tenants.length, records, json, gzipped };
  };

  const raws: { seconds: number; read: Awaited<ReturnType<typeof rawReadGzip>> }[] = [];
  const backups: { seconds: number; peakMb: number; set: Awaited<ReturnType<typeof takeBackup>> }[] = [];
  const timeRaw = async () => {
    const t = performance.now();
    const read = await rawReadGzip();
    raws.push({ seconds: (performance.now() - t) / 1000, read });
  };
  await timeRaw();
  for (let round = 0; round < ROUNDS; round++) {
    const t = performance.now();
    const taken = await peakRss(() => takeBackup(rt.app, "manual", { kind: "system" }));
    backups.push({ seconds: (performance.now() - t) / 1000, peakMb: taken.peakMb, set: taken.result });
    await timeRaw();
  }
  const read = raws[0]!.read;
  for (const b of backups) {
    if (b.set.records !== read.records || b.set.tenants !== read.tenants)
      throw new Error(
        `the backup and the baseline disagree: ${b.set.tenants} tenants/${b.set.records} records against ${read.tenants}/${read.records}`,
      );
  }
  const rawSeconds = median(raws.map((r) => r.seconds));
  const backupSeconds = median(backups.map((b) => b.seconds));
  const last = backups.at(-1)!.set;
  const mb = read.json / 1_048_576;
  const ratio = backupSeconds / rawSeconds;

  // The restore of one tenant against a raw upsert of the same records, the restore's concurrency.
  const tenant = seeded[0]!;
  const entry = await readSetTenant(rt.app, last.id, tenant.tenantId);
  if (!entry) throw new Error("the bench tenant is not in the set");
  const rawRecords: { container: string; doc: Record<string, unknown> }[] = [];
  let tenantBytes = 0;
  for (const e of entries) {
    const { resources } = await db
      .container(e.store.container)
      .items.query<Record<string, unknown>>(
        {
          query: "SELECT * FROM c WHERE c.tenantId = @t",
          parameters: [{ name: "@t", value: tenant.tenantId }],
        },
        { partitionKey: tenant.tenantId, maxItemCount: 1000 },
      )
      .fetchAll();
    for (const doc of resources) {
      tenantBytes += Buffer.byteLength(JSON.stringify(doc));
      rawRecords.push({ container: e.store.container, doc });
    }
  }
  const tenantMb = tenantBytes / 1_048_576;
  const t2 = performance.now();
  await forEachLimit(rawRecords, 16, async ({ container, doc }) => {
    await db.container(container).items.upsert(doc);
  });
  const rawWriteSeconds = (performance.now() - t2) / 1000;
  const t3 = performance.now();
  const restore = await peakRss(() => restoreTenant(rt.app, { kind: "system" }, last.id, tenant.tenantId));
  const restoreSeconds = (performance.now() - t3) / 1000;
  const restored = Object.values(restore.result.restored).reduce((a, b) => a + b, 0);

  report(
    `Backup of a set (${read.tenants} tenants, ${read.records} records, ${fmt(mb, 2)} MB as NDJSON, ${messages} messages; medians of ${ROUNDS} sets and ${ROUNDS + 1} baselines)`,
    [
      ["seeded", `${tenantCount} tenants in ${fmt(seedSeconds)} s`],
      [
        "raw read + gzip of every tenant (SDK alone)",
        `${fmt(rawSeconds, 2)} s, ${fmt(read.records / rawSeconds, 0)} records/s, ${fmt(mb / rawSeconds, 2)} MB/s (gzip ${fmt(read.gzipped / read.json, 3)})`,
      ],
      [
        `backup of the set (${TENANT_CONCURRENCY} tenants at a time)`,
        `${fmt(backupSeconds, 2)} s, ${fmt(read.records / backupSeconds, 0)} records/s, ${fmt(last.bytes / 1024, 1)} KiB of blobs, peak RSS ${fmt(Math.max(...backups.map((b) => b.peakMb)), 0)} MB`,
      ],
      [
        "ratio backup/(raw read + gzip)",
        `${fmt(ratio, 2)}× (target ≤ 1.5×)${ratio <= 1.5 ? "" : "  ← OVER TARGET"}`,
      ],
      [
        `restore of one tenant (${entry.total} records: verify, decrypt, upsert, re-erase)`,
        `${fmt(restoreSeconds, 2)} s, ${restored} records, ${fmt(tenantMb / restoreSeconds, 2)} MB/s, peak RSS ${fmt(restore.peakMb)} MB`,
      ],
      [
        "raw SDK upsert of the same records",
        `${fmt(rawWriteSeconds, 2)} s, ${fmt(tenantMb / rawWriteSeconds, 2)} MB/s`,
      ],
      ["ratio restore/raw upsert", `${fmt(restoreSeconds / rawWriteSeconds, 2)}×`],
    ],
  );
}
