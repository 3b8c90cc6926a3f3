import { CosmosClient } from "@azure/cosmos";
import { BlobServiceClient } from "@azure/storage-blob";
import { RequestStore } from "../src/app/requests/request-store";
import { PURGE_CONCURRENCY } from "../src/app/account/purge-job";
import { createRequest } from "../src/app/requests/create-request";
import { seedTenant } from "../src/app/seed/seed-tenant";
import { forEachLimit } from "../src/app/util/pool";
import { EMULATOR_COSMOS_KEY } from "../src/composition";
import type { LocalHost } from "../src/local/host";
import { fmt, peakRss, report } from "./lib";

/**
 * The purge of a seeded tenant beside a raw SDK delete of an identical tenant, same stores, same
 * concurrency, same run. The ratio is the cost of the checkpoints, the inventory and the proof.
 * Default size suits the embedded Cosmos (a few hundred writes/s); BENCH_PURGE_MESSAGES scales it
 * (the 20 000 messages: BENCH_PURGE_MESSAGES=20000, about ten minutes here).
 */
export async function benchPurge(host: LocalHost) {
  const rt = host.runtime;
  const messages = Number(process.env.BENCH_PURGE_MESSAGES ?? 4000);
  const conversations = Math.max(1, Math.round(messages / 40));
  const shape = {
    conversations,
    messagesPerConversation: 40,
    audioPerConversation: Math.max(1, Math.round(500 / conversations)),
    knowledgeBaseFiles: 50,
    usageRecords: 200,
  };
  const seed = () => seedTenant(rt.ports, rt.inventory, rt.subjectHashKey, shape);
  const purgedTenant = await seed();
  const rawTenant = await seed();
  const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

  // The purge: the owner asks, the window passes (clock), the purge runs as the queue handler would.
  const { request } = await createRequest(
    rt.app,
    { kind: "dashboard", subject: "bench-owner", tenantId: purgedTenant.tenantId, role: "owner" },
    { kind: "erasure", scope: { type: "account", tenantId: purgedTenant.tenantId } },
  );
  const t0 = performance.now();
  // The clock reaches the purge time; delivering what is due hands the purge message to its queue
  // handler, as Service Bus would (timers are left out: they are not the purge).
  const clock = rt.ports.clock as { advanceTo?: (d: Date) => void };
  clock.advanceTo?.(new Date(Date.parse(request.account!.purgeDueAt) + 1000));
  const purge = await peakRss(() => rt.dev!.deliverDue());
  const purgeSeconds = (performance.now() - t0) / 1000;
  const after = await new RequestStore(rt.ports).get(request.id);
  if (after.status !== "completed") throw new Error(`purge ended ${after.status}`);

  // The raw delete: the SDKs alone, every record of every store, no checkpoints or audit.
  const cosmos = new CosmosClient({
    endpoint: rt.config.COSMOS_ENDPOINT!,
    key: EMULATOR_COSMOS_KEY,
    connectionPolicy: { enableEndpointDiscovery: false },
  });
  const blobs = BlobServiceClient.fromConnectionString(
    rt.config.DPDP_PROFILE === "local" ? rt.config.BLOB_CONNECTION_STRING! : "",
  );
  const t1 = performance.now();
  const raw = await peakRss(async () => {
    for (const entry of rt.inventory) {
      if (entry.store.kind === "cosmos") {
        const container = cosmos
          .database(rt.config.COSMOS_PLATFORM_DATABASE)
          .container(entry.store.container);
        const { resources } = await container.items
          .query<{ id: string }>({
            query: "SELECT c.id FROM c WHERE c.tenantId = @t",
            parameters: [{ name: "@t", value: rawTenant.tenantId }],
          })
          .fetchAll();
        await forEachLimit(resources, PURGE_CONCURRENCY, async (r) => {
          await container.item(r.id, rawTenant.tenantId).delete();
        });
      } else {
        const container = blobs.getContainerClient(entry.store.container);
        const names: string[] = [];
        for await (const b of container.listBlobsFlat({ prefix: `${rawTenant.tenantId}/` }))
          names.push(b.name);
        await forEachLimit(names, PURGE_CONCURRENCY, async (n) => {
          await container.deleteBlob(n);
        });
      }
    }
  });
  const rawSeconds = (performance.now() - t1) / 1000;
  const records = total(purgedTenant.counts);
  report(
    `Account purge (${records} records: ${purgedTenant.counts.messages} messages, ${purgedTenant.counts.audio_recordings} audio, ${purgedTenant.counts.knowledge_base_files} KB files)`,
    [
      [
        "purge (inventory, checkpoints, audit, certificate)",
        `${fmt(purgeSeconds, 2)} s, ${fmt(records / purgeSeconds)} records/s, peak RSS ${fmt(purge.peakMb)} MB`,
      ],
      [
        "raw SDK delete, same concurrency",
        `${fmt(rawSeconds, 2)} s, ${fmt(total(rawTenant.counts) / rawSeconds)} records/s, peak RSS ${fmt(raw.peakMb)} MB`,
      ],
      ["ratio purge/raw (target ≤ 1.3×)", `${fmt(purgeSeconds / rawSeconds, 2)}×`],
    ],
  );
}
