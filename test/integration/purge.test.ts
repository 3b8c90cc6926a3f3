import { CosmosClient } from "@azure/cosmos";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CosmosDocumentStore } from "../../src/adapters/cosmos/cosmos-document-store";
import {
  type PurgeJob,
  PurgeTakenOverError,
  type PurgeTuning,
  readPurgeJob,
  runPurgeJob,
} from "../../src/app/account/purge-job";
import type { AppContext } from "../../src/app/context";
import { createRequest } from "../../src/app/requests/create-request";
import { EMULATOR_COSMOS_KEY } from "../../src/composition";
import { AzureConfig } from "../../src/config/schema";
import { anonymisePatches, MAX_PATCH_OPS } from "../../src/domain/inventory/anonymisation";
import { parseInventory } from "../../src/domain/inventory/schema";
import { platformInventory } from "../../src/domain/inventory/platform-inventory";
import type { RequestDoc } from "../../src/domain/requests/model";
import type { BlobStore } from "../../src/ports/blob-store";
import type { Database, DocumentCollection, DocumentStore } from "../../src/ports/document-store";
import { startTestHost, type TestHost } from "../support/host";
import { observedStore } from "../support/ports";
import { buildStores } from "../../src/app/stores/stores";

/**
 * The account purge job against the real adapters on the embedded emulators, at the use-case level:
 * counted as it goes (no count up front), each record exactly once whichever write the process died at
 * and whichever run took the job over; anonymised by patch, dotted paths included; the partition-delete
 * path (which the emulator lacks: a stand-in below plays Cosmos) only for delete categories, and only
 * where the store offers it.
 */

let host: TestHost;
beforeAll(async () => {
  host = await startTestHost();
}, 120_000);
afterAll(async () => {
  await host?.stop();
});

/** Small chunks and listings, so a small tenant crosses many checkpoints; polls without waiting. */
const SMALL: PurgeTuning = {
  chunk: 3,
  listPage: 7,
  concurrency: 2,
  partitionPollsMs: [0, 0, 0, 0],
  wait: async () => {},
};

const SHAPE = {
  conversations: 2,
  messagesPerConversation: 5,
  audioPerConversation: 1,
  knowledgeBaseFiles: 2,
  members: 2,
  apiKeys: 1,
  bots: 1,
  payments: 3,
  usageRecords: 4,
};

/** A seeded tenant whose owner asked for the account's deletion (deactivated; the purge not yet run). */
async function deactivatedTenant(options: Record<string, unknown> = SHAPE) {
  const app = host.runtime.app;
  const seeded = await host.runtime.dev!.seed(options);
  const { request } = await createRequest(
    app,
    { kind: "dashboard", subject: "owner", tenantId: seeded.tenantId, role: "owner" },
    { kind: "erasure", scope: { type: "account", tenantId: seeded.tenantId } },
  );
  return { tenantId: seeded.tenantId, counts: seeded.counts, request: request as RequestDoc };
}

/** The app over other ports, with its stores over them too (as the composition root builds them). */
const withPorts = (app: AppContext, documents: DocumentStore, blobs = app.ports.blobs): AppContext => {
  const ports = { ...app.ports, documents, blobs };
  return { ...app, ports, stores: buildStores(ports) };
};

const WRITES = new Set(["create", "replace", "upsert", "patch", "delete", "deletePartition"]);

/**
 * Stores that die at their n-th write (documents, and blob deletes) like a killed process: that write
 * and every call after it fail.
 */
function dying(app: AppContext, dieAt: number) {
  let writes = 0;
  let dead = false;
  const guard = (write: boolean) => {
    if (!dead && write && ++writes >= dieAt) dead = true;
    if (dead) throw new Error("injected crash");
  };
  const documents: DocumentStore = {
    ping: () => app.ports.documents.ping(),
    collection(database: Database, name: string): DocumentCollection {
      const c = app.ports.documents.collection(database, name);
      return new Proxy(c, {
        get(target, prop, receiver) {
          const value: unknown = Reflect.get(target, prop, receiver);
          if (typeof value !== "function") return value;
          return async (...args: unknown[]) => {
            guard(WRITES.has(String(prop)));
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
    },
  };
  const base = app.ports.blobs;
  const blobs: BlobStore = {
    ...base,
    async delete(container, name) {
      guard(true);
      return base.delete(container, name);
    },
    async *list(container, prefix) {
      guard(false);
      yield* base.list(container, prefix);
    },
  };
  return { app: withPorts(app, documents, blobs), died: () => dead, writes: () => writes };
}

/**
 * Plays Cosmos delete-by-partition-key over the emulator: `deletePartition` is accepted at once, and the
 * records go only at the second count after it, so a purge that did not count until none is left would
 * be caught calling them deleted while they are there.
 */
function partitionDeleting(base: DocumentStore, calls: string[]): DocumentStore {
  const cache = new Map<string, DocumentCollection>();
  return {
    ping: () => base.ping(),
    collection(database, name) {
      const c = base.collection(database, name);
      if (database !== "platform") return c;
      let found = cache.get(name);
      if (found) return found;
      let deleting: string | undefined;
      let counts = 0;
      const finish = async () => {
        for (;;) {
          const { items } = await c.query({ partitionKey: deleting, select: [], limit: 1000 });
          if (items.length === 0) break;
          for (const r of items) await c.delete(r.id, deleting!);
        }
        deleting = undefined;
      };
      const over: Partial<DocumentCollection> = {
        async deletePartition(partitionKey) {
          calls.push(name);
          deleting = partitionKey;
          counts = 0;
        },
        async count(spec) {
          if (deleting !== undefined && spec.partitionKey === deleting && ++counts >= 2) await finish();
          return c.count(spec);
        },
      };
      found = new Proxy(c, {
        get(target, prop, receiver) {
          const o = over[prop as keyof DocumentCollection];
          if (o) return o;
          const v: unknown = Reflect.get(target, prop, receiver);
          return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      });
      cache.set(name, found);
      return found;
    },
  };
}

const purgeAction = (category: string) =>
  platformInventory.find((e) => e.category === category)!.onAccountPurge.type;

/** The job's counts are the seed's: every record once, retained ones as kept, the credits forfeited. */
function expectCountedOnce(job: PurgeJob | undefined, counts: Record<string, number>) {
  expect(job?.finishedAt).toBeDefined();
  const got = Object.fromEntries(Object.entries(job!.categories).map(([c, o]) => [c, o.processed]));
  const want = Object.fromEntries(platformInventory.map((e) => [e.category, counts[e.category] ?? 0]));
  expect(got).toEqual(want);
  for (const [category, o] of Object.entries(job!.categories)) {
    expect(o, category).toMatchObject({ done: true });
    expect(o, category).not.toHaveProperty("pending");
    expect(o, category).not.toHaveProperty("before");
  }
  expect(job!.categories.credit_balance!.forfeitedAmount).toBe(1250);
}

/** Nothing of the tenant's left but its anonymised payments and retained security logs. */
async function expectPurged(tenantId: string, counts: Record<string, number>) {
  const app = host.runtime.app;
  for (const entry of platformInventory) {
    const held =
      entry.store.kind === "cosmos"
        ? await app.ports.documents
            .collection("platform", entry.store.container)
            .count({ partitionKey: tenantId })
        : await app.ports.blobs.count(entry.store.container, `${tenantId}/`);
    const kept = entry.category === "payments" || entry.category === "security_logs";
    expect(held, entry.category).toBe(kept ? counts[entry.category] : 0);
  }
  const payments = await app.ports.documents
    .collection("platform", "payments")
    .query<{ id: string } & Record<string, unknown>>({ partitionKey: tenantId, limit: 100 });
  for (const p of payments.items) {
    expect(p).not.toHaveProperty("billingName");
    expect(p).toMatchObject({ anonymisedAt: expect.any(String), currency: "INR", gst: expect.any(Object) });
  }
}

describe("counted as it goes: crash at every write, then resume", () => {
  for (const path of ["record by record", "partition delete"] as const) {
    it(`${path}: each record counted once, whichever write the process died at`, async () => {
      const calls: string[] = [];
      const app =
        path === "partition delete"
          ? withPorts(host.runtime.app, partitionDeleting(host.runtime.app.ports.documents, calls))
          : host.runtime.app;
      let crashes = 0;
      for (let dieAt = 1; ; dieAt++) {
        const t = await deactivatedTenant();
        const crashing = dying(app, dieAt);
        await runPurgeJob(crashing.app, t.request, t.tenantId, undefined, SMALL).catch(() => {});
        if (!crashing.died()) {
          // One past the last write: the clean run.
          expectCountedOnce(await readPurgeJob(app, t.request.id, t.tenantId), t.counts);
          break;
        }
        crashes++;
        const stopped = await readPurgeJob(app, t.request.id, t.tenantId);
        // The next delivery (or reconciliation) resumes the job from its checkpoint.
        await runPurgeJob(app, t.request, t.tenantId, undefined, SMALL);
        const job = await readPurgeJob(app, t.request.id, t.tenantId);
        expect(job?.runs).toBe(stopped ? stopped.runs + 1 : 1);
        expectCountedOnce(job, t.counts);
        await expectPurged(t.tenantId, t.counts);
      }
      // Many chunks of many categories: a crash mid-category at every point of it, resumed.
      expect(crashes).toBeGreaterThan(path === "partition delete" ? 25 : 40);
      if (path === "partition delete") expect(calls.length).toBeGreaterThan(0);
    }, 300_000);
  }

  it("a second run takes the job over: the first stops at its next checkpoint, each record still counted once", async () => {
    const app = host.runtime.app;
    const t = await deactivatedTenant();
    // The first run is held at a delete in the middle of a chunk (its checkpoint written)…
    let deletes = 0;
    let release = () => {};
    let held = () => {};
    const holding = new Promise<void>((r) => (held = r));
    const gate = new Promise<void>((r) => (release = r));
    const real = app.ports.documents;
    const first = runPurgeJob(
      withPorts(app, {
        ping: () => real.ping(),
        collection(database, name) {
          const c = real.collection(database, name);
          if (database !== "platform") return c;
          return new Proxy(c, {
            get(target, prop, receiver) {
              const v: unknown = Reflect.get(target, prop, receiver);
              if (prop !== "delete" || typeof v !== "function") return v;
              return async (...args: unknown[]) => {
                if (++deletes === 5) {
                  held();
                  await gate;
                }
                return (v as (...a: unknown[]) => unknown).apply(target, args);
              };
            },
          });
        },
      }),
      t.request,
      t.tenantId,
      undefined,
      SMALL,
    );
    await holding;
    // …while a second one (a duplicate delivery, reconciliation) takes the job over and finishes it.
    await runPurgeJob(app, t.request, t.tenantId, undefined, SMALL);
    const finished = await readPurgeJob(app, t.request.id, t.tenantId);
    expectCountedOnce(finished, t.counts);
    release();
    await expect(first).rejects.toBeInstanceOf(PurgeTakenOverError);
    // The first wrote nothing after it was taken over.
    expect(await readPurgeJob(app, t.request.id, t.tenantId)).toEqual(finished);
    await expectPurged(t.tenantId, t.counts);
  });

  it("two runs started at once: one of them stops, each record counted once", async () => {
    const app = host.runtime.app;
    const t = await deactivatedTenant();
    const results = await Promise.allSettled([
      runPurgeJob(app, t.request, t.tenantId, undefined, SMALL),
      runPurgeJob(app, t.request, t.tenantId, undefined, SMALL),
    ]);
    for (const r of results)
      if (r.status === "rejected") expect(r.reason).toBeInstanceOf(PurgeTakenOverError);
    // Whichever stopped, the run that holds the job (or the next, as reconciliation would) finishes it.
    await runPurgeJob(app, t.request, t.tenantId, undefined, SMALL);
    expectCountedOnce(await readPurgeJob(app, t.request.id, t.tenantId), t.counts);
    await expectPurged(t.tenantId, t.counts);
  });
});

describe("anonymise by patch", () => {
  const FIELDS = ["billingName", "billingEmail", "gst.gstin", "contact.phone", "missing", "missing.deep"];
  const MANY = Array.from({ length: 9 }, (_, i) => `f${i}`);
  const inventory = parseInventory(
    platformInventory.map((e) =>
      e.category === "payments" && e.onAccountPurge.type === "anonymise"
        ? { ...e, onAccountPurge: { ...e.onAccountPurge, fields: [...FIELDS, ...MANY] } }
        : e,
    ),
  );

  it("removes each listed path a record holds (dotted ones too), keeps the rest, and never reads or rewrites it", async () => {
    const base = host.runtime.app;
    const t = await deactivatedTenant({ ...SHAPE, payments: 0 });
    const payments = base.ports.documents.collection("platform", "payments");
    const common = { tenantId: t.tenantId, amountPaise: 99_900, currency: "INR" };
    await payments.upsert({
      ...common,
      id: "full",
      billingName: "Meera Iyer",
      billingEmail: null,
      gst: { gstin: "27AAACC1234F1Z5", hsnSac: "998314" },
      contact: { phone: "+919800000001", email: "kept@example.in" },
      ...Object.fromEntries(MANY.map((f) => [f, "x"])),
    });
    // Some paths absent: `remove` of a missing path fails in Cosmos, so none may be asked for.
    await payments.upsert({ ...common, id: "sparse", gst: { hsnSac: "998314" }, contact: null });
    const calls: { collection: string; method: string }[] = [];
    const ports = { ...base.ports, documents: observedStore(base.ports.documents, (c) => calls.push(c)) };
    const app = { ...base, inventory, ports, stores: buildStores(ports) };
    const job = await runPurgeJob(app, t.request, t.tenantId, undefined, SMALL);
    expect(job.categories.payments).toMatchObject({ action: "anonymised", processed: 2, done: true });

    const full = (await payments.read<Record<string, unknown> & { id: string }>("full", t.tenantId))!.doc;
    for (const f of ["billingName", "billingEmail", ...MANY]) expect(full, f).not.toHaveProperty(f);
    expect(full).toMatchObject({
      ...common,
      gst: { hsnSac: "998314" },
      contact: { email: "kept@example.in" },
      anonymisedAt: expect.any(String),
      retainUntil: expect.any(String),
      retentionBasis: expect.stringMatching(/GST|tax|Income/i),
    });
    expect(full.gst).not.toHaveProperty("gstin");
    expect(full.contact).not.toHaveProperty("phone");
    const sparse = (await payments.read<Record<string, unknown> & { id: string }>("sparse", t.tenantId))!.doc;
    expect(sparse).toMatchObject({ ...common, gst: { hsnSac: "998314" }, contact: null });
    expect(sparse.anonymisedAt).toEqual(expect.any(String));

    const onPayments = calls.filter((c) => c.collection === "payments").map((c) => c.method);
    expect(onPayments).not.toContain("read");
    expect(onPayments).not.toContain("upsert");
    expect(onPayments).not.toContain("replace");
    // "full": 13 removes and the mark in two patches (Cosmos takes 10 operations at most); "sparse": one.
    expect(onPayments.filter((m) => m === "patch")).toHaveLength(3);
  });

  it("a record changed between the listing and its patch is read once and patched for what it holds then", async () => {
    const base = host.runtime.app;
    const t = await deactivatedTenant({ ...SHAPE, payments: 1 });
    const id = `pay-${t.tenantId}-0`;
    const real = base.ports.documents;
    // Right after the listing saw billingName, something else removes it: the planned `remove` then fails.
    const racing: DocumentStore = {
      ping: () => real.ping(),
      collection(database, name) {
        const c = real.collection(database, name);
        if (name !== "payments") return c;
        return new Proxy(c, {
          get(target, prop, receiver) {
            if (prop === "query")
              return async (spec: Parameters<DocumentCollection["query"]>[0]) => {
                const page = await c.query(spec);
                if (page.items.some((d) => d.id === id))
                  await c.patch(id, t.tenantId, [{ op: "remove", path: "billingName" }]);
                return page;
              };
            const v: unknown = Reflect.get(target, prop, receiver);
            return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
          },
        });
      },
    };
    const job = await runPurgeJob(withPorts(base, racing), t.request, t.tenantId, undefined, SMALL);
    expect(job.categories.payments).toMatchObject({ processed: 1, done: true });
    const doc = (await real.collection("platform", "payments").read(id, t.tenantId))!.doc;
    for (const f of ["billingName", "billingEmail", "billingPhone"]) expect(doc).not.toHaveProperty(f);
    expect(doc).toMatchObject({ anonymisedAt: expect.any(String), amountPaise: expect.any(Number) });
  });

  it("splits the removes so no patch exceeds Cosmos' 10 operations, the mark in the last", () => {
    const mark = { anonymisedAt: "a", retainUntil: "b", retentionBasis: "c" };
    const doc = Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`f${i}`, i]));
    const patches = anonymisePatches(
      { ...doc, g: { h: 1 } },
      { remove: [...Object.keys(doc), "g", "g.h", "absent"], empty: [], mark },
    );
    for (const p of patches) expect(p.length).toBeLessThanOrEqual(MAX_PATCH_OPS);
    const ops = patches.flat();
    // "g.h" goes with "g"; "absent" is not asked for.
    expect(ops.filter((o) => o.op === "remove").map((o) => o.path)).toEqual([...Object.keys(doc), "g"]);
    expect(
      patches
        .at(-1)!
        .filter((o) => o.op === "set")
        .map((o) => o.path),
    ).toEqual(Object.keys(mark));
    expect(
      patches
        .slice(0, -1)
        .flat()
        .every((o) => o.op === "remove"),
    ).toBe(true);
  });
});

describe("delete by partition key", () => {
  it("is used for the delete categories only, and their records are counted until none is left", async () => {
    const calls: string[] = [];
    const deletes: string[] = [];
    const base = host.runtime.app;
    const documents = observedStore(partitionDeleting(base.ports.documents, calls), (c) => {
      if (c.method === "delete" && c.db === "platform") deletes.push(c.collection);
    });
    const t = await deactivatedTenant();
    const job = await runPurgeJob(withPorts(base, documents), t.request, t.tenantId, undefined, SMALL);
    const deleteContainers = platformInventory
      .filter((e) => e.store.kind === "cosmos" && e.onAccountPurge.type === "delete")
      .map((e) => e.store.container);
    expect([...calls].sort()).toEqual([...deleteContainers].sort());
    // Anonymised payments and retained logs never: credits, forfeited, go record by record (amount first).
    expect(calls).not.toContain("payments");
    expect(calls).not.toContain("securityLogs");
    expect(new Set(deletes)).toEqual(new Set(["credits"]));
    for (const entry of platformInventory.filter((e) => e.store.kind === "cosmos")) {
      const o = job.categories[entry.category]!;
      if (purgeAction(entry.category) === "delete") expect(o.partitionDeleteAt, entry.category).toBeDefined();
      else expect(o.partitionDeleteAt, entry.category).toBeUndefined();
    }
    expectCountedOnce(job, t.counts);
    await expectPurged(t.tenantId, t.counts);
  });

  it("a partition delete that has not finished within the run's polls is not called done", async () => {
    const base = host.runtime.app;
    const t = await deactivatedTenant();
    const documents = partitionDeleting(base.ports.documents, []);
    // One poll: the stand-in finishes only at the second count after the call.
    const impatient = { ...SMALL, partitionPollsMs: [0] };
    await expect(
      runPurgeJob(withPorts(base, documents), t.request, t.tenantId, undefined, impatient),
    ).rejects.toThrow(/has not finished/);
    const stopped = await readPurgeJob(base, t.request.id, t.tenantId);
    const first = Object.values(stopped!.categories).find((o) => o.partitionDeleteAt !== undefined);
    expect(first?.done).toBe(false);
    // The next run asks again and counts again, without counting twice.
    await runPurgeJob(withPorts(base, documents), t.request, t.tenantId, undefined, SMALL);
    expectCountedOnce(await readPurgeJob(base, t.request.id, t.tenantId), t.counts);
  });

  it("is offered only where configured: never by default, never on the service's own containers", () => {
    const client = new CosmosClient({ endpoint: "https://localhost:8081", key: EMULATOR_COSMOS_KEY });
    const dbs = { service: "dpdp", platform: "platform" };
    const paths = { service: { jobs: "/pk" }, platform: { messages: "/tenantId" } };
    expect(
      new CosmosDocumentStore(client, dbs, paths).collection("platform", "messages").deletePartition,
    ).toBe(undefined);
    const enabled = new CosmosDocumentStore(client, dbs, paths, { partitionDelete: ["platform"] });
    expect(enabled.collection("platform", "messages").deletePartition).toBeInstanceOf(Function);
    expect(enabled.collection("service", "jobs").deletePartition).toBeUndefined();
    expect(AzureConfig.shape.PLATFORM_COSMOS_PARTITION_DELETE.parse(undefined)).toBe("false");
    // The local host's store (the emulator) offers none: every purge test above runs record by record there.
    expect(
      host.runtime.app.ports.documents.collection("platform", "messages").deletePartition,
    ).toBeUndefined();
  });
});
