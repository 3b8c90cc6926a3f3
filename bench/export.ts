import { newRequestId } from "../src/domain/requests/request-id";
import { CosmosClient } from "@azure/cosmos";
import { BlobServiceClient } from "@azure/storage-blob";
import { EXPORT_PAGE, FILE_LOOKAHEAD, openFiles, planExport, recordPages } from "../src/app/export/sources";
import { preparePackage } from "../src/app/export/package";
import { seedTenant } from "../src/app/seed/seed-tenant";
import { forEachLimit } from "../src/app/util/pool";
import { EMULATOR_COSMOS_KEY } from "../src/composition";
import type { RequestDoc } from "../src/domain/requests/model";
import type { LocalHost } from "../src/local/host";
import { fmt, peakRss, report } from "./lib";

/**
 * The access export of a seeded tenant at two sizes (the second 4× the first) beside a raw SDK read of
 * the same records and blobs in the same run: records/s, MB/s, the time ratio, and the live memory the
 * export holds at each size. Default size suits the embedded Cosmos (a few hundred writes/s):
 * BENCH_EXPORT_MESSAGES=2000 → 2 000 and 8 000 messages (the issue's 20 000 messages and 500 audio
 * blobs: BENCH_EXPORT_MESSAGES=5000, slow to seed here).
 *
 * Memory is the live heap + Buffers (heapUsed + arrayBuffers) with a full collection before each
 * sample, every 50 ms while an export runs, as growth over what was live before it: what the export
 * holds, not garbage waiting for the collector, nor the emulator's data (its query work runs in one
 * synchronous step, so no sample falls inside it). The peak of one run is a sample that may or may not
 * catch a short-lived buffer; the median of MEMORY_RUNS runs is what is compared across sizes.
 */

const gc = (globalThis as { gc?: () => void }).gc;
const mb = (bytes: number) => bytes / 1_048_576;
const ROUNDS = 5;
const MEMORY_RUNS = 3;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * Peak live memory (JS heap + Buffers) while `work` runs, collected before every sample (needs
 * --expose-gc, which `npm run bench` sets), relative to before.
 */
async function peakLive<T>(work: () => Promise<T>): Promise<{ result: T; growthMb: number }> {
  const live = () => {
    gc?.();
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const before = live();
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, live());
  }, 50);
  try {
    const result = await work();
    peak = Math.max(peak, live());
    return { result, growthMb: mb(peak - before) };
  } finally {
    clearInterval(timer);
  }
}

interface RawRead {
  records: number;
  files: number;
  bytes: number;
  counts: Record<string, number>;
}

export async function benchExport(host: LocalHost) {
  const rt = host.runtime;
  if (rt.config.DPDP_PROFILE !== "local") throw new Error("the bench runs on the local profile");
  const base = Number(process.env.BENCH_EXPORT_MESSAGES ?? 2000);
  const cosmos = new CosmosClient({
    endpoint: rt.config.COSMOS_ENDPOINT!,
    key: EMULATOR_COSMOS_KEY,
    connectionPolicy: { enableEndpointDiscovery: false },
  });
  const blobService = BlobServiceClient.fromConnectionString(rt.config.BLOB_CONNECTION_STRING!);
  const exportable = rt.app.inventory.filter((e) => e.export.include);

  /** The SDKs alone: every exportable record page by page, every blob downloaded and drained. */
  const rawRead = async (tenantId: string): Promise<RawRead> => {
    const out: RawRead = { records: 0, files: 0, bytes: 0, counts: {} };
    for (const entry of exportable) {
      if (entry.store.kind === "cosmos") {
        const iterator = cosmos
          .database(rt.config.COSMOS_PLATFORM_DATABASE)
          .container(entry.store.container)
          .items.query<Record<string, unknown>>(
            { query: "SELECT * FROM c WHERE c.tenantId = @t", parameters: [{ name: "@t", value: tenantId }] },
            { partitionKey: tenantId, maxItemCount: EXPORT_PAGE },
          );
        while (iterator.hasMoreResults()) {
          const page = await iterator.fetchNext();
          for (const r of page.resources) out.bytes += Buffer.byteLength(JSON.stringify(r)) + 1;
          out.records += page.resources.length;
          out.counts[entry.category] = (out.counts[entry.category] ?? 0) + page.resources.length;
        }
      } else {
        const container = blobService.getContainerClient(entry.store.container);
        const names: string[] = [];
        for await (const b of container.listBlobsFlat({ prefix: `${tenantId}/` })) names.push(b.name);
        await forEachLimit(names, FILE_LOOKAHEAD, async (name) => {
          const res = await container.getBlobClient(name).download();
          for await (const chunk of res.readableStreamBody!) out.bytes += (chunk as Buffer).length;
          out.files += 1;
          out.counts[entry.category] = (out.counts[entry.category] ?? 0) + 1;
        });
      }
    }
    return out;
  };

  /** The same reads as the export makes, through the ports (adapter paging, blob look-ahead), no ZIP. */
  const portsRead = async (tenantId: string): Promise<number> => {
    let n = 0;
    for (const part of planExport(rt.app, { type: "tenant", tenantId }).parts) {
      if (part.kind === "records") {
        for await (const page of recordPages(rt.app, part)) n += page.length;
      } else {
        for await (const file of openFiles(rt.app, part)) {
          for await (const _ of file.stream) void _;
          n++;
        }
      }
    }
    return n;
  };

  const results: {
    messages: number;
    exportRssMb: number;
    portsRssMb: number;
    liveMb: number;
    rawLiveMb: number;
    ratio: number;
  }[] = [];
  for (const messages of [base, base * 4]) {
    const conversations = Math.max(1, Math.round(messages / 20));
    const t0 = performance.now();
    const seeded = await seedTenant(rt.app.ports, rt.app.inventory, rt.app.keys.hash, {
      conversations,
      messagesPerConversation: 20,
      audioPerConversation: 1,
      knowledgeBaseFiles: Math.round(conversations / 10),
      usageRecords: Math.round(messages / 10),
    });
    const seedSeconds = (performance.now() - t0) / 1000;

    // A verified access request as the executor sees it once started (the request store is not timed).
    const accessRequest = (): RequestDoc => {
      const now = rt.app.ports.clock.now().toISOString();
      return {
        id: newRequestId(`tenant:${seeded.tenantId}`),
        pk: `tenant:${seeded.tenantId}`,
        docType: "request",
        kind: "access",
        scope: { type: "account", tenantId: seeded.tenantId },
        status: "in_progress",
        channel: "dashboard",
        language: "en",
        visibleTo: "tenant",
        requester: { kind: "owner" },
        tenantId: seeded.tenantId,
        tokenHashes: [],
        details: {},
        createdAt: now,
        verifiedAt: now,
        deadlineExtensions: [],
        version: 1,
      };
    };

    // Interleaved rounds (raw, export, raw, export, …, raw) and medians: the machine's load drifts.
    const rawRuns: { seconds: number; peakMb: number; read: RawRead }[] = [];
    const exportRuns: {
      seconds: number;
      rssMb: number;
      bytes: number;
      records: number;
      counts: Record<string, number>;
    }[] = [];
    const portsRuns: { seconds: number; rssMb: number }[] = [];
    const timeRaw = async () => {
      gc?.();
      const t = performance.now();
      const raw = await peakRss(() => rawRead(seeded.tenantId));
      rawRuns.push({ seconds: (performance.now() - t) / 1000, peakMb: raw.peakMb, read: raw.result });
    };
    await timeRaw();
    for (let round = 0; round < ROUNDS; round++) {
      gc?.();
      const rssBefore = process.memoryUsage().rss;
      const t = performance.now();
      const exported = await peakRss(() => preparePackage(rt.app, accessRequest(), () => {}));
      const seconds = (performance.now() - t) / 1000;
      const pkg = exported.result.package!;
      exportRuns.push({
        seconds,
        rssMb: exported.peakMb - mb(rssBefore),
        bytes: pkg.bytes,
        records: pkg.records,
        counts: pkg.counts,
      });
      gc?.();
      const portsBefore = process.memoryUsage().rss;
      const tp = performance.now();
      const viaPorts = await peakRss(() => portsRead(seeded.tenantId));
      portsRuns.push({ seconds: (performance.now() - tp) / 1000, rssMb: viaPorts.peakMb - mb(portsBefore) });
      await timeRaw();
    }
    const raw = rawRuns[0]!.read;
    const rawItems = raw.records + raw.files;
    const exp = exportRuns[0]!;
    for (const run of [...exportRuns.map((r) => r.counts), ...rawRuns.map((r) => r.read.counts)]) {
      const differ = exportable.filter((e) => (run[e.category] ?? 0) !== (seeded.counts[e.category] ?? 0));
      if (differ.length)
        throw new Error(
          `a read disagrees with the seed: ${differ.map((e) => `${e.category} ${run[e.category] ?? 0}/${seeded.counts[e.category] ?? 0}`).join(", ")}`,
        );
    }
    const rawSeconds = median(rawRuns.map((r) => r.seconds));
    const exportSeconds = median(exportRuns.map((r) => r.seconds));
    const exportRssMb = Math.max(...exportRuns.map((r) => r.rssMb));
    const portsSeconds = median(portsRuns.map((r) => r.seconds));
    const portsRssMb = Math.max(...portsRuns.map((r) => r.rssMb));
    // Live memory, untimed (collecting every 50 ms slows the work): more exports and raw reads.
    const lives: number[] = [];
    const rawLives: number[] = [];
    for (let run = 0; run < MEMORY_RUNS; run++) {
      lives.push((await peakLive(() => preparePackage(rt.app, accessRequest(), () => {}))).growthMb);
      rawLives.push((await peakLive(() => rawRead(seeded.tenantId))).growthMb);
    }
    const ratio = exportSeconds / rawSeconds;
    results.push({
      messages,
      exportRssMb,
      portsRssMb,
      liveMb: median(lives),
      rawLiveMb: median(rawLives),
      ratio,
    });
    report(
      `Access export of one tenant: ${messages} messages, ${raw.files} blobs (embedded Cosmos, Azurite; medians of ${ROUNDS} exports and ${ROUNDS + 1} raw reads)`,
      [
        ["seeded", `${rawItems} records and files in ${fmt(seedSeconds)} s`],
        [
          "raw SDK read",
          `${fmt(rawSeconds, 2)} s, ${fmt(rawItems / rawSeconds, 0)} records/s, ${fmt(mb(raw.bytes) / rawSeconds, 2)} MB/s of data`,
        ],
        [
          "export (read → ZIP → Blob upload → publish)",
          `${fmt(exportSeconds, 2)} s, ${fmt(rawItems / exportSeconds, 0)} records/s, ${fmt(mb(raw.bytes) / exportSeconds, 2)} MB/s of data, ${fmt(mb(exp.bytes) / exportSeconds, 2)} MB/s of ZIP (${fmt(mb(exp.bytes), 2)} MB)`,
        ],
        ["ratio export/raw read (time)", `${fmt(ratio, 2)}× (target ≤ 1.5×)`],
        [
          "same reads through the ports, no ZIP",
          `${fmt(portsSeconds, 2)} s (${fmt(portsSeconds / rawSeconds, 2)}× raw: paging and look-ahead; export/ports ${fmt(exportSeconds / portsSeconds, 2)}×: ZIP, hashes, upload, publish), RSS +${fmt(portsRssMb, 1)} MB`,
        ],
        [
          "peak RSS during export",
          `+${fmt(exportRssMb, 1)} MB over the RSS before it (process peak ${fmt(Math.max(...rawRuns.map((r) => r.peakMb)), 0)} MB, in-process Cosmos emulator and its data included)`,
        ],
        [
          `peak live heap + Buffers${gc ? " (gc every 50 ms)" : ""}`,
          `export +${fmt(median(lives), 2)} MB (runs: ${lives.map((x) => fmt(x, 2)).join(", ")}), raw read +${fmt(median(rawLives), 2)} MB (medians of ${MEMORY_RUNS})`,
        ],
      ],
    );
  }
  const [small, large] = results as [(typeof results)[0], (typeof results)[0]];
  const growth = large.liveMb / small.liveMb;
  report("Access export: time and memory against data size", [
    ["data", `${large.messages / small.messages}× more at the second size`],
    [
      "ratio export/raw read (time)",
      `${fmt(small.ratio, 2)}× → ${fmt(large.ratio, 2)}× (target ≤ 1.5× at every size)${
        Math.max(small.ratio, large.ratio) <= 1.5 ? "" : "  ← OVER TARGET"
      }`,
    ],
    [
      "live heap + Buffers growth during export",
      `${fmt(small.liveMb, 2)} MB → ${fmt(large.liveMb, 2)} MB (raw read: ${fmt(small.rawLiveMb, 2)} → ${fmt(large.rawLiveMb, 2)} MB)`,
    ],
    [
      "ratio live memory 4×/1×",
      gc
        ? `${fmt(growth, 2)}× (target ≤ 1.2×)${growth <= 1.2 ? "" : "  ← OVER TARGET"}`
        : "not measured: run with --expose-gc (npm run bench sets it)",
    ],
    [
      "peak RSS growth during export",
      `${fmt(small.exportRssMb, 1)} MB → ${fmt(large.exportRssMb, 1)} MB (the process's, emulator included: not a measure of the export)`,
    ],
    [
      "peak RSS growth, same reads through the ports",
      `${fmt(small.portsRssMb, 1)} MB → ${fmt(large.portsRssMb, 1)} MB`,
    ],
  ]);
  return results;
}
