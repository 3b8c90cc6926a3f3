import { CosmosClient, type JSONObject, type OperationInput } from "@azure/cosmos";
import { BlobServiceClient } from "@azure/storage-blob";
import { PURGE_CONCURRENCY } from "../src/app/account/purge-job";
import { createRequest } from "../src/app/requests/create-request";
import { type SeedWriter, seedTenant } from "../src/app/seed/seed-tenant";
import { forEachLimit } from "../src/app/util/pool";
import { EMULATOR_COSMOS_KEY } from "../src/composition";
import type { LocalHost } from "../src/local/host";
import { fmt, peakRss, report } from "./lib";

/** Cosmos DB takes at most 100 operations in one transactional batch, all of one partition. */
const BATCH = 100;

/**
 * The emulator's fastest write path for seeding: a transactional batch of 100 upserts per call instead
 * of one call per document (20 000 messages in well under a second, against several seconds). Each
 * operation names its partition key: @vercel/cosmosdb-server reads it from the operation, not the header.
 */
function batchWriter(cosmos: CosmosClient, database: string): SeedWriter {
  return async (container, docs) => {
    const c = cosmos.database(database).container(container);
    const batches: (typeof docs)[] = [];
    for (let i = 0; i < docs.length; i += BATCH) batches.push(docs.slice(i, i + BATCH));
    await forEachLimit(batches, 4, async (batch) => {
      const operations: OperationInput[] = batch.map((doc) => ({
        operationType: "Upsert",
        partitionKey: doc.tenantId,
        // The seed builds plain JSON (strings, numbers, arrays, objects).
        resourceBody: doc as JSONObject,
      }));
      const { result } = await c.items.batch(operations, batch[0]!.tenantId);
      const failed = result?.find((r) => r.statusCode >= 400);
      if (failed) throw new Error(`seeding ${container}: a batch failed with ${failed.statusCode}`);
    });
  };
}

/**
 * The purge of a seeded tenant beside a raw SDK delete of an identical tenant, same stores, same
 * concurrency, same run. The ratio is the cost of the checkpoints, the inventory and the proof.
 * The full size by default (20 000 messages, 500 audio, 50 knowledge-base files);
 * BENCH_PURGE_MESSAGES scales it.
 *
 * Each side deletes from containers that hold its tenant alone: the raw tenant is seeded once the purge
 * is over. The embedded Cosmos runs every query over its whole container (and builds its result in time
 * that grows with the square of the container's size), so a tenant deleted beside another one as large
 * pays four times as much per query as one deleted alone, a cost Azure, which reads one tenant's
 * partition, does not have. Seeding both before the purge put that cost on the purge only.
 */
export async function benchPurge(host: LocalHost) {
  const rt = host.runtime;
  const messages = Number(process.env.BENCH_PURGE_MESSAGES ?? 20_000);
  const shapeOf = (messages: number) => {
    const conversations = Math.max(1, Math.round(messages / 40));
    return {
      conversations,
      messagesPerConversation: 40,
      audioPerConversation: Math.min(20, Math.max(1, Math.round(500 / conversations))),
      knowledgeBaseFiles: 50,
      usageRecords: 200,
    };
  };
  const cosmos = new CosmosClient({
    endpoint: rt.config.COSMOS_ENDPOINT!,
    key: EMULATOR_COSMOS_KEY,
    connectionPolicy: { enableEndpointDiscovery: false },
  });
  const blobs = BlobServiceClient.fromConnectionString(
    rt.config.DPDP_PROFILE === "local" ? rt.config.BLOB_CONNECTION_STRING! : "",
  );
  const write = batchWriter(cosmos, rt.config.COSMOS_PLATFORM_DATABASE);
  const seed = (messages: number) =>
    seedTenant(rt.app.ports, rt.app.inventory, rt.app.keys.hash, shapeOf(messages), write);
  const clock = rt.app.ports.clock as { advanceTo?: (d: Date) => void };
  // What the previous step left for the collector is collected before each measured step, not during it.
  const collect = () => (globalThis as { gc?: () => void }).gc?.();

  /** The owner asks, the window passes (clock), the purge runs as the queue handler would. */
  async function purgeOf(tenantId: string) {
    const { request } = await createRequest(
      rt.app,
      { kind: "dashboard", subject: "bench-owner", tenantId, role: "owner" },
      { kind: "erasure", scope: { type: "account", tenantId } },
    );
    collect();
    const t0 = performance.now();
    // The clock reaches the purge time; delivering what is due hands the purge message to its queue
    // handler, as Service Bus would (timers are left out: they are not the purge).
    clock.advanceTo?.(new Date(Date.parse(request.account!.purgeDueAt) + 1000));
    const { peakMb } = await peakRss(() => rt.dev!.deliverDue());
    const seconds = (performance.now() - t0) / 1000;
    const after = await rt.app.stores.requests.get(request.id);
    if (after.status !== "completed") throw new Error(`purge ended ${after.status}`);
    return { seconds, peakMb };
  }

  /** The SDKs alone, every record of every store, no checkpoints or audit. */
  async function rawDeleteOf(tenantId: string) {
    collect();
    const t0 = performance.now();
    const { peakMb } = await peakRss(async () => {
      for (const entry of rt.app.inventory) {
        if (entry.store.kind === "cosmos") {
          const container = cosmos
            .database(rt.config.COSMOS_PLATFORM_DATABASE)
            .container(entry.store.container);
          // One query of the tenant's partition for every id, as a plain SDK delete would.
          const { resources } = await container.items
            .query<{ id: string }>(
              {
                query: "SELECT c.id FROM c WHERE c.tenantId = @t",
                parameters: [{ name: "@t", value: tenantId }],
              },
              { partitionKey: tenantId },
            )
            .fetchAll();
          await forEachLimit(resources, PURGE_CONCURRENCY, async (r) => {
            await container.item(r.id, tenantId).delete();
          });
        } else {
          const container = blobs.getContainerClient(entry.store.container);
          const names: string[] = [];
          for await (const b of container.listBlobsFlat({ prefix: `${tenantId}/` })) names.push(b.name);
          await forEachLimit(names, PURGE_CONCURRENCY, async (n) => {
            await container.deleteBlob(n);
          });
        }
      }
    });
    return { seconds: (performance.now() - t0) / 1000, peakMb };
  }

  // Unmeasured: the first purge and the first raw delete of a process pay for compiling their code and
  // opening their connections, which a small tenant each takes out of the measured runs.
  await purgeOf((await seed(400)).tenantId);
  await rawDeleteOf((await seed(400)).tenantId);

  const s0 = performance.now();
  const purgedTenant = await seed(messages);
  const seedSeconds = (performance.now() - s0) / 1000;
  const purge = await purgeOf(purgedTenant.tenantId);
  const rawTenant = await seed(messages);
  const raw = await rawDeleteOf(rawTenant.tenantId);

  const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
  const records = total(purgedTenant.counts);
  report(
    `Account purge (${records} records: ${purgedTenant.counts.messages} messages, ${purgedTenant.counts.audio_recordings} audio, ${purgedTenant.counts.knowledge_base_files} KB files)`,
    [
      ["seed one tenant (emulator batch path)", `${fmt(seedSeconds, 2)} s`],
      [
        "purge (inventory, checkpoints, audit, certificate)",
        `${fmt(purge.seconds, 2)} s, ${fmt(records / purge.seconds)} records/s, peak RSS ${fmt(purge.peakMb)} MB`,
      ],
      [
        "raw SDK delete, same concurrency",
        `${fmt(raw.seconds, 2)} s, ${fmt(total(rawTenant.counts) / raw.seconds)} records/s, peak RSS ${fmt(raw.peakMb)} MB`,
      ],
      ["ratio purge/raw (target ≤ 1.3×)", `${fmt(purge.seconds / raw.seconds, 2)}×`],
    ],
  );
}
