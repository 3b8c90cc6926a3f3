import { erasurePlan } from "../src/app/whatsapp-erasure/plan";
import { readWhatsAppCertificate } from "../src/app/whatsapp-erasure/certificate";
import { hashWhatsAppNumber } from "../src/domain/subject";
import type { LocalHost } from "../src/local/host";
import type { Database, DocumentCollection, DocumentStore } from "../src/ports/document-store";
import { fmt, report } from "./lib";

/**
 * Erasure of one WhatsApp number across every tenant (issue 6): the lookup by the keyed-hash field
 * beside a full scan and a tenant-by-tenant fan-out of the same store, in the same run, counted in
 * store queries (what Cosmos bills per page) and timed. Then the erasure itself end to end over HTTP.
 *
 * Scaled down: the 40 000 messages would take minutes to seed into the embedded Cosmos
 * (a few hundred writes/s), so the default is 100 tenants × 40 messages, the number a contact in 5 of
 * them. `WA_ERASURE_TENANTS` and `WA_ERASURE_MESSAGES` (per tenant, multiples of 10) scale it up.
 * The embedded emulator evaluates every query by scanning in memory (it has no index), so the time
 * ratio understates what Cosmos's index gives; the query counts are what carries over.
 */

const NUMBER = "+919812345678";

interface Counter {
  queries: number;
  itemsRead: number;
  writes: number;
}

/** Wraps a document store and counts platform queries (pages), items they returned, and writes. */
function countingStore(inner: DocumentStore) {
  const counts: Record<Database, Counter> = {
    platform: { queries: 0, itemsRead: 0, writes: 0 },
    service: { queries: 0, itemsRead: 0, writes: 0 },
  };
  const store: DocumentStore = {
    ping: () => inner.ping(),
    collection(database: Database, name: string): DocumentCollection {
      const c = inner.collection(database, name);
      const n = counts[database];
      return new Proxy(c, {
        get(target, prop, receiver) {
          const value: unknown = Reflect.get(target, prop, receiver);
          if (typeof value !== "function") return value;
          return async (...args: unknown[]) => {
            const result: unknown = await (value as (...a: unknown[]) => Promise<unknown>).apply(
              target,
              args,
            );
            if (prop === "query" || prop === "count") n.queries++;
            if (prop === "query") n.itemsRead += (result as { items: unknown[] }).items.length;
            if (["create", "replace", "upsert", "patch", "delete"].includes(String(prop))) n.writes++;
            return result;
          };
        },
      });
    },
  };
  const snapshot = () => structuredClone(counts);
  const since = (before: Record<Database, Counter>) => ({
    platform: {
      queries: counts.platform.queries - before.platform.queries,
      itemsRead: counts.platform.itemsRead - before.platform.itemsRead,
      writes: counts.platform.writes - before.platform.writes,
    },
    service: {
      queries: counts.service.queries - before.service.queries,
      itemsRead: counts.service.itemsRead - before.service.itemsRead,
      writes: counts.service.writes - before.service.writes,
    },
  });
  return { store, snapshot, since };
}

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const t0 = performance.now();
  const result = await work();
  return { result, ms: performance.now() - t0 };
}

export async function benchWhatsAppErasure(
  host: LocalHost,
  options = {
    tenants: Number(process.env.WA_ERASURE_TENANTS ?? 100),
    messagesPerTenant: Number(process.env.WA_ERASURE_MESSAGES ?? 40),
    tenantsWithNumber: 5,
  },
) {
  const rt = host.runtime;
  const app = rt.app;
  const dev = rt.dev!;
  const conversations = Math.max(1, Math.round(options.messagesPerTenant / 10));
  const every = Math.max(1, Math.floor(options.tenants / options.tenantsWithNumber));
  const withNumber = (i: number) => i % every === 0 && i / every < options.tenantsWithNumber;

  // Seed: 4 tenants at a time, each with seedTenant's own write concurrency.
  const tenantIds: string[] = [];
  const seeding = await timed(async () => {
    for (let i = 0; i < options.tenants; i += 4) {
      const batch = Array.from({ length: Math.min(4, options.tenants - i) }, (_, j) => i + j);
      const seeded = await Promise.all(
        batch.map((k) =>
          dev.seed({
            conversations,
            messagesPerConversation: 10,
            audioPerConversation: withNumber(k) ? 1 : 0,
            members: 0,
            apiKeys: 0,
            bots: 0,
            knowledgeBaseFiles: 0,
            payments: 0,
            usageRecords: 0,
            contacts: withNumber(k) ? [NUMBER] : [],
          }),
        ),
      );
      tenantIds.push(...seeded.map((s) => s.tenantId));
    }
  });

  const original = app.ports.documents;
  const counting = countingStore(original);
  app.ports.documents = counting.store;
  const numberHash = hashWhatsAppNumber(rt.app.keys.hash, NUMBER);
  const plan = erasurePlan(app.inventory);
  const platform = (container: string) => app.ports.documents.collection("platform", container);
  try {
    // 1. The erasure's lookup: one parameterised equality on the hash field per category, paged.
    let t = counting.snapshot();
    const index = await timed(async () => {
      let found = 0;
      for (const target of plan.targets) {
        let continuationToken: string | undefined;
        do {
          const page = await platform(target.container).query({
            where: [{ field: target.hashField, op: "=", value: numberHash }],
            select: [target.tenantField],
            limit: 100,
            continuationToken,
          });
          found += page.items.length;
          continuationToken = page.continuationToken;
        } while (continuationToken);
      }
      return found;
    });
    const indexCounts = counting.since(t);

    // 2. The same lookup tenant by tenant (cost grows with tenants).
    t = counting.snapshot();
    const perTenant = await timed(async () => {
      let found = 0;
      for (const tenantId of tenantIds) {
        for (const target of plan.targets) {
          const page = await platform(target.container).query({
            partitionKey: tenantId,
            where: [{ field: target.hashField, op: "=", value: numberHash }],
            select: [],
            limit: 1000,
          });
          found += page.items.length;
        }
      }
      return found;
    });
    const perTenantCounts = counting.since(t);

    // 3. A full scan of the same containers, filtered here (cost grows with everything stored), in
    //    pages of the erasure's chunk size so that query counts compare.
    t = counting.snapshot();
    const scan = await timed(async () => {
      let found = 0;
      for (const target of plan.targets) {
        let continuationToken: string | undefined;
        do {
          const page = await platform(target.container).query<{ id: string } & Record<string, unknown>>({
            select: [target.hashField],
            limit: 100,
            continuationToken,
          });
          found += page.items.filter((d) => d[target.hashField] === numberHash).length;
          continuationToken = page.continuationToken;
        } while (continuationToken);
      }
      return found;
    });
    const scanCounts = counting.since(t);

    // 4. The erasure itself over HTTP: create, then verify (the erasure runs inside verification).
    const post = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
      const res = await fetch(`${host.url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": "10.200.0.1", ...headers },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const created = await post("/v1/requests", {
      kind: "erasure",
      scope: { type: "whatsapp_number", phone: "+91 98123 45678" },
    });
    if (created.status !== 201) throw new Error(`create ${created.status}`);
    const code = /\b(\d{6})\b/.exec(dev.outbox(NUMBER).at(-1)?.text ?? "")?.[1];
    if (!code) throw new Error("no code");
    t = counting.snapshot();
    const erasure = await timed(() =>
      post(
        `/v1/requests/${String(created.body.id)}/verification`,
        { code },
        {
          "x-request-token": String(created.body.requestToken),
        },
      ),
    );
    const erasureCounts = counting.since(t);
    if (erasure.result.status !== 200 || erasure.result.body.status !== "completed") {
      throw new Error(`erasure ended ${erasure.result.status} ${String(erasure.result.body.status)}`);
    }
    const request = await app.stores.requests.get(String(created.body.id));
    const certificate = await readWhatsAppCertificate(app, request);
    const erased =
      certificate?.categories.reduce((n, c) => n + (c.action === "routed" ? 0 : c.count), 0) ?? 0;
    if (index.result !== scan.result || index.result !== perTenant.result) {
      throw new Error(
        `lookups disagree: index ${index.result}, per tenant ${perTenant.result}, scan ${scan.result}`,
      );
    }

    const totalMessages = options.tenants * conversations * 10;
    report(
      `WhatsApp-number erasure: ${options.tenants} tenants, ${totalMessages} messages, the number in ${options.tenantsWithNumber} tenants (embedded Cosmos; scaled down from 40 000 messages)`,
      [
        ["seeding (for scale)", `${fmt(seeding.ms / 1000)} s`],
        [
          "lookup by hash field (cross-partition =)",
          `${indexCounts.platform.queries} queries, ${indexCounts.platform.itemsRead} items read, ${fmt(index.ms)} ms, ${index.result} records found`,
        ],
        [
          "lookup tenant by tenant",
          `${perTenantCounts.platform.queries} queries, ${perTenantCounts.platform.itemsRead} items read, ${fmt(perTenant.ms)} ms`,
        ],
        [
          "full scan of the same containers",
          `${scanCounts.platform.queries} queries, ${scanCounts.platform.itemsRead} items read, ${fmt(scan.ms)} ms`,
        ],
        [
          "ratio full scan / hash lookup",
          `${fmt(scanCounts.platform.queries / indexCounts.platform.queries, 2)}× queries, ${fmt(scanCounts.platform.itemsRead / Math.max(1, indexCounts.platform.itemsRead), 1)}× items read, ${fmt(scan.ms / index.ms, 2)}× time`,
        ],
        [
          "ratio per tenant / hash lookup",
          `${fmt(perTenantCounts.platform.queries / indexCounts.platform.queries, 2)}× queries, ${fmt(perTenant.ms / index.ms, 2)}× time`,
        ],
        [
          "erasure end to end (verify call)",
          `${fmt(erasure.ms)} ms; platform: ${erasureCounts.platform.queries} queries, ${erasureCounts.platform.writes} writes; service: ${erasureCounts.service.queries} queries, ${erasureCounts.service.writes} writes; ${erased} records and blobs erased in ${certificate?.tenantsAffected ?? 0} tenants`,
        ],
        ["ratio full scan (find only) / erasure (find + erase)", `${fmt(scan.ms / erasure.ms, 2)}× time`],
      ],
    );
    return { index, perTenant, scan, erasure, indexCounts, perTenantCounts, scanCounts, erasureCounts };
  } finally {
    app.ports.documents = original;
  }
}
