import { CosmosClient } from "@azure/cosmos";
import { readSetTenant } from "../src/app/backups/catalogue";
import { restoreTenant } from "../src/app/backups/restore";
import { takeBackup } from "../src/app/backups/take";
import { seedTenant } from "../src/app/seed/seed-tenant";
import { forEachLimit } from "../src/app/util/pool";
import { EMULATOR_COSMOS_KEY } from "../src/composition";
import { cosmosEntries } from "../src/domain/inventory/schema";
import type { LocalHost } from "../src/local/host";
import { fmt, peakRss, report } from "./lib";

/**
 * Backup and restore of one seeded tenant beside the raw SDK work on the same records, same run: a
 * raw read of every record for the backup (which adds NDJSON, gzip, AES-256-GCM, blob upload, catalogue)
 * and a raw upsert of every record for the restore (which adds the verification pass, decryption and
 * the re-applied erasures). MB are the tenant's records as JSON. Default size suits the embedded Cosmos;
 * BENCH_BACKUP_MESSAGES=20000 is the size.
 */
export async function benchBackup(host: LocalHost) {
  const rt = host.runtime;
  const messages = Number(process.env.BENCH_BACKUP_MESSAGES ?? 4000);
  const conversations = Math.max(1, Math.round(messages / 40));
  const tenant = await seedTenant(rt.ports, rt.inventory, rt.subjectHashKey, {
    conversations,
    messagesPerConversation: 40,
    audioPerConversation: 0,
    knowledgeBaseFiles: 0,
    usageRecords: 200,
  });
  const cosmos = new CosmosClient({
    endpoint: rt.config.COSMOS_ENDPOINT!,
    key: EMULATOR_COSMOS_KEY,
    connectionPolicy: { enableEndpointDiscovery: false },
  });
  const db = cosmos.database(rt.config.COSMOS_PLATFORM_DATABASE);

  // Raw read: every record of the tenant, the SDK alone.
  const t0 = performance.now();
  const rawRecords: { container: string; doc: Record<string, unknown> }[] = [];
  let rawBytes = 0;
  for (const entry of cosmosEntries(rt.inventory)) {
    const { resources } = await db
      .container(entry.store.container)
      .items.query<Record<string, unknown>>({
        query: "SELECT * FROM c WHERE c.tenantId = @t",
        parameters: [{ name: "@t", value: tenant.tenantId }],
      })
      .fetchAll();
    for (const doc of resources) {
      rawBytes += Buffer.byteLength(JSON.stringify(doc));
      rawRecords.push({ container: entry.store.container, doc });
    }
  }
  const rawReadSeconds = (performance.now() - t0) / 1000;
  const mb = rawBytes / 1_048_576;

  // The backup (every tenant on this host: the set is the platform's; the tenant's own blob is measured).
  const t1 = performance.now();
  const backup = await peakRss(() => takeBackup(rt.app, "manual", { kind: "system" }));
  const backupSeconds = (performance.now() - t1) / 1000;
  const entry = await readSetTenant(rt.app, backup.result.id, tenant.tenantId);
  if (!entry) throw new Error("the bench tenant is not in the set");

  // Raw upsert of the same records, the SDK alone, the restore's concurrency.
  const t2 = performance.now();
  await forEachLimit(rawRecords, 16, async ({ container, doc }) => {
    await db.container(container).items.upsert(doc);
  });
  const rawWriteSeconds = (performance.now() - t2) / 1000;

  const t3 = performance.now();
  const restore = await peakRss(() =>
    restoreTenant(rt.app, { kind: "system" }, backup.result.id, tenant.tenantId),
  );
  const restoreSeconds = (performance.now() - t3) / 1000;
  const restored = Object.values(restore.result.restored).reduce((a, b) => a + b, 0);

  report(
    `Backup and restore (${entry.total} records, ${fmt(mb, 2)} MB as JSON, ${tenant.counts.messages} messages)`,
    [
      [
        "backup of the set (all tenants on the host)",
        `${fmt(backupSeconds, 2)} s for ${backup.result.records} records, peak RSS ${fmt(backup.peakMb)} MB`,
      ],
      [
        "  this tenant's blob",
        `${fmt(entry.bytes / 1024, 1)} KiB, compressed+encrypted/raw ${fmt(entry.bytes / rawBytes, 3)}`,
      ],
      ["  throughput", `${fmt((mb * backup.result.records) / entry.total / backupSeconds, 2)} MB/s`],
      ["raw SDK read of this tenant", `${fmt(rawReadSeconds, 2)} s, ${fmt(mb / rawReadSeconds, 2)} MB/s`],
      [
        "ratio backup/raw read (per record)",
        `${fmt(backupSeconds / backup.result.records / (rawReadSeconds / entry.total), 2)}×`,
      ],
      [
        "restore of this tenant (verify, decrypt, upsert, re-erase)",
        `${fmt(restoreSeconds, 2)} s, ${restored} records, ${fmt(mb / restoreSeconds, 2)} MB/s, peak RSS ${fmt(restore.peakMb)} MB`,
      ],
      [
        "raw SDK upsert of the same records",
        `${fmt(rawWriteSeconds, 2)} s, ${fmt(mb / rawWriteSeconds, 2)} MB/s`,
      ],
      ["ratio restore/raw upsert", `${fmt(restoreSeconds / rawWriteSeconds, 2)}×`],
    ],
  );
}
