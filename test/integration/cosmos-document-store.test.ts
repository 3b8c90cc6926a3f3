import { randomBytes } from "node:crypto";
import { CosmosClient, ErrorResponse, type FeedOptions, Items } from "@azure/cosmos";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { CosmosDocumentStore } from "../../src/adapters/cosmos/cosmos-document-store";
import { platformContainers, serviceContainers } from "../../src/adapters/cosmos/layout";
import { provisionCosmos } from "../../src/adapters/cosmos/provision";
import { EMULATOR_COSMOS_KEY } from "../../src/composition";
import { platformInventory } from "../../src/domain/inventory/platform-inventory";
import {
  AlreadyExistsError,
  type DocumentCollection,
  InvalidContinuationTokenError,
  PreconditionFailedError,
  type QuerySpec,
} from "../../src/ports/document-store";

/**
 * The real @azure/cosmos SDK, through the adapter, against the embedded Cosmos DB API (the same
 * emulator `npm start` runs). Databases of its own, containers from the real layout plus one with a
 * nested partition key path.
 */

interface Item {
  id: string;
  pk: string;
  n: number;
  colour?: string;
  tags?: string[];
  nested?: { level: number; note?: string };
  [extra: string]: unknown;
}

interface Tenanted {
  id: string;
  owner: { tenant: string };
  value: number;
}

const suffix = randomBytes(4).toString("hex");
const databases = { service: `cosmos-it-${suffix}`, platform: `cosmos-it-platform-${suffix}` };
const nestedContainer = { name: "nestedpk", partitionKeyPath: "/owner/tenant" };

let client: CosmosClient;
let store: CosmosDocumentStore;
let requests: DocumentCollection;
let jobs: DocumentCollection;

const pkMap = (specs: { name: string; partitionKeyPath: string }[]) =>
  Object.fromEntries(specs.map((s) => [s.name, s.partitionKeyPath]));

beforeAll(async () => {
  client = new CosmosClient({
    endpoint: inject("cosmosEndpoint"),
    key: EMULATOR_COSMOS_KEY,
    connectionPolicy: { enableEndpointDiscovery: false },
  });
  const platform = platformContainers(platformInventory);
  await provisionCosmos(client, [
    { database: databases.service, containers: [...serviceContainers, nestedContainer] },
    { database: databases.platform, containers: platform },
  ]);
  // Built exactly as the composition root builds it.
  store = new CosmosDocumentStore(client, databases, {
    service: pkMap([...serviceContainers, nestedContainer]),
    platform: pkMap(platform),
  });
  requests = store.collection("service", "requests");
  jobs = store.collection("service", "jobs");
});

afterAll(async () => {
  await Promise.all([
    client?.database(databases.service).delete(),
    client?.database(databases.platform).delete(),
  ]);
  client?.dispose();
});

describe("provisioning and collections", () => {
  it("creates every database and container of the layout, and a second run is harmless", async () => {
    const { resources } = await client.database(databases.service).containers.readAll().fetchAll();
    expect(resources.map((c) => c.id).sort()).toEqual(
      [...serviceContainers.map((c) => c.name), nestedContainer.name].sort(),
    );
    const requestsDef = resources.find((c) => c.id === "requests");
    expect(requestsDef?.partitionKey?.paths).toEqual(["/pk"]);
    const platform = await client.database(databases.platform).containers.readAll().fetchAll();
    expect(platform.resources.map((c) => c.id).sort()).toEqual(
      platformContainers(platformInventory)
        .map((c) => c.name)
        .sort(),
    );
    await expect(
      provisionCosmos(client, [{ database: databases.service, containers: serviceContainers }]),
    ).resolves.toBeUndefined();
  });

  it("refuses a container the layout does not name, and pings", async () => {
    expect(() => store.collection("service", "nope")).toThrow(/unknown container service\/nope/);
    expect(store.collection("service", "requests")).toBe(requests);
    await expect(store.ping()).resolves.toBeUndefined();
  });

  it("ping fails when the service database is missing", async () => {
    const broken = new CosmosDocumentStore(
      client,
      { service: `missing-${suffix}`, platform: databases.platform },
      { service: {}, platform: {} },
    );
    await expect(broken.ping()).rejects.toThrow();
  });
});

describe("create, read, replace with ETag, upsert", () => {
  it("creates and reads back the document without Cosmos system properties", async () => {
    const doc: Item = { id: "crud-1", pk: "tenant:crud", n: 1, nested: { level: 2 } };
    const created = await requests.create(doc);
    expect(created.doc).toEqual(doc);
    expect(created.etag).toMatch(/\S/);
    const read = await requests.read<Item>("crud-1", "tenant:crud");
    expect(read?.doc).toEqual(doc);
    expect(Object.keys(read!.doc).some((k) => k.startsWith("_"))).toBe(false);
    expect(read?.etag).toBe(created.etag);
  });

  it("reads nothing for a missing id, or for the right id in another partition", async () => {
    expect(await requests.read("never-created", "tenant:crud")).toBeUndefined();
    await requests.create<Item>({ id: "crud-2", pk: "tenant:crud", n: 2 });
    expect(await requests.read("crud-2", "tenant:someone-else")).toBeUndefined();
  });

  it("fails with AlreadyExistsError on a duplicate id in the same partition, keeping the first", async () => {
    await requests.create<Item>({ id: "dup-1", pk: "tenant:dup", n: 1 });
    const err = await requests.create<Item>({ id: "dup-1", pk: "tenant:dup", n: 99 }).catch((e) => e);
    expect(err).toBeInstanceOf(AlreadyExistsError);
    expect((err as Error).message).toContain("requests/dup-1");
    expect((await requests.read<Item>("dup-1", "tenant:dup"))?.doc.n).toBe(1);
  });

  it("replaces with the current ETag and returns a new one", async () => {
    const v1 = await requests.create<Item>({ id: "etag-1", pk: "tenant:etag", n: 1 });
    const v2 = await requests.replace<Item>({ ...v1.doc, n: 2 }, v1.etag);
    expect(v2.doc.n).toBe(2);
    expect(v2.etag).not.toBe(v1.etag);
    const read = await requests.read<Item>("etag-1", "tenant:etag");
    expect(read).toEqual({ doc: { id: "etag-1", pk: "tenant:etag", n: 2 }, etag: v2.etag });
  });

  it("a stale ETag gives PreconditionFailedError and never overwrites", async () => {
    const v1 = await requests.create<Item>({ id: "etag-2", pk: "tenant:etag", n: 1 });
    const v2 = await requests.replace<Item>({ ...v1.doc, n: 2 }, v1.etag);
    // A second writer that read v1 loses.
    const err = await requests.replace<Item>({ ...v1.doc, n: 3 }, v1.etag).catch((e) => e);
    expect(err).toBeInstanceOf(PreconditionFailedError);
    expect((err as Error).message).toContain("requests/etag-2");
    const read = await requests.read<Item>("etag-2", "tenant:etag");
    expect(read?.doc.n).toBe(2);
    expect(read?.etag).toBe(v2.etag);
  });

  it("two writers racing on the same ETag: exactly one wins", async () => {
    const v1 = await requests.create<Item>({ id: "race-1", pk: "tenant:etag", n: 0 });
    const results = await Promise.allSettled(
      [1, 2, 3, 4].map((n) => requests.replace<Item>({ ...v1.doc, n }, v1.etag)),
    );
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r) => r.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(3);
    for (const r of lost) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(PreconditionFailedError);
    const winner = (won[0] as PromiseFulfilledResult<{ doc: Item }>).value.doc.n;
    expect((await requests.read<Item>("race-1", "tenant:etag"))?.doc.n).toBe(winner);
  });

  it("replacing a document that was deleted meanwhile is a precondition failure, and creates nothing", async () => {
    const v1 = await requests.create<Item>({ id: "etag-3", pk: "tenant:etag", n: 1 });
    expect(await requests.delete("etag-3", "tenant:etag")).toBe(true);
    await expect(requests.replace<Item>({ ...v1.doc, n: 2 }, v1.etag)).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
    expect(await requests.read("etag-3", "tenant:etag")).toBeUndefined();
  });

  it("replace refuses a document without its partition key", async () => {
    await expect(requests.replace({ id: "no-pk", n: 1 } as unknown as Item, '"whatever"')).rejects.toThrow(
      /no partition key/,
    );
  });

  it("upserts: creates, then overwrites unconditionally with a new ETag", async () => {
    const a = await requests.upsert<Item>({ id: "up-1", pk: "tenant:up", n: 1 });
    const b = await requests.upsert<Item>({ id: "up-1", pk: "tenant:up", n: 2, colour: "red" });
    expect(b.etag).not.toBe(a.etag);
    expect((await requests.read<Item>("up-1", "tenant:up"))?.doc).toEqual({
      id: "up-1",
      pk: "tenant:up",
      n: 2,
      colour: "red",
    });
  });

  it("works on a container partitioned by a nested field", async () => {
    const nested = store.collection("service", nestedContainer.name);
    const v1 = await nested.create<Tenanted>({ id: "nest-1", owner: { tenant: "t-a" }, value: 1 });
    await nested.create<Tenanted>({ id: "nest-1", owner: { tenant: "t-b" }, value: 10 });
    const v2 = await nested.replace<Tenanted>({ ...v1.doc, value: 2 }, v1.etag);
    await expect(nested.replace<Tenanted>({ ...v1.doc, value: 3 }, v1.etag)).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
    expect((await nested.read<Tenanted>("nest-1", "t-a"))?.doc.value).toBe(2);
    expect((await nested.read<Tenanted>("nest-1", "t-b"))?.doc.value).toBe(10);
    expect(v2.etag).not.toBe(v1.etag);
    const page = await nested.query<Tenanted>({ partitionKey: "t-b" });
    expect(page.items).toEqual([{ id: "nest-1", owner: { tenant: "t-b" }, value: 10 }]);
    expect(await nested.count({ partitionKey: "t-a" })).toBe(1);
  });
});

describe("patch", () => {
  it("sets top-level and nested fields and removes fields, changing the ETag", async () => {
    const v1 = await requests.create<Item>({
      id: "patch-1",
      pk: "tenant:patch",
      n: 1,
      colour: "blue",
      nested: { level: 1 },
    });
    expect(
      await requests.patch("patch-1", "tenant:patch", [
        { op: "set", path: "n", value: 5 },
        { op: "set", path: "nested.note", value: "hello" },
        { op: "set", path: "tags", value: ["a", "b"] },
        { op: "remove", path: "colour" },
      ]),
    ).toBe(true);
    const read = await requests.read<Item>("patch-1", "tenant:patch");
    expect(read?.doc).toEqual({
      id: "patch-1",
      pk: "tenant:patch",
      n: 5,
      nested: { level: 1, note: "hello" },
      tags: ["a", "b"],
    });
    expect(read?.etag).not.toBe(v1.etag);
    // The pre-patch ETag is now stale.
    await expect(requests.replace<Item>({ ...v1.doc, n: 9 }, v1.etag)).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
  });

  it("returns false for a missing document (or the wrong partition), creating nothing", async () => {
    expect(await requests.patch("patch-missing", "tenant:patch", [{ op: "set", path: "n", value: 1 }])).toBe(
      false,
    );
    expect(await requests.read("patch-missing", "tenant:patch")).toBeUndefined();
    await requests.create<Item>({ id: "patch-2", pk: "tenant:patch", n: 1 });
    expect(await requests.patch("patch-2", "tenant:other", [{ op: "set", path: "n", value: 7 }])).toBe(false);
    expect((await requests.read<Item>("patch-2", "tenant:patch"))?.doc.n).toBe(1);
  });
});

describe("delete", () => {
  it("deletes, and deleting again (or a missing id) is false, not an error", async () => {
    await requests.create<Item>({ id: "del-1", pk: "tenant:del", n: 1 });
    expect(await requests.delete("del-1", "tenant:del")).toBe(true);
    expect(await requests.read("del-1", "tenant:del")).toBeUndefined();
    expect(await requests.delete("del-1", "tenant:del")).toBe(false);
    expect(await requests.delete("never-existed", "tenant:del")).toBe(false);
  });

  it("does not delete the same id in another partition", async () => {
    await requests.create<Item>({ id: "del-2", pk: "tenant:del-a", n: 1 });
    await requests.create<Item>({ id: "del-2", pk: "tenant:del-b", n: 2 });
    expect(await requests.delete("del-2", "tenant:del-a")).toBe(true);
    expect((await requests.read<Item>("del-2", "tenant:del-b"))?.doc.n).toBe(2);
  });

  it("with an ETag: a stale one is a precondition failure and keeps the document", async () => {
    const v1 = await requests.create<Item>({ id: "del-3", pk: "tenant:del", n: 1 });
    const v2 = await requests.replace<Item>({ ...v1.doc, n: 2 }, v1.etag);
    await expect(requests.delete("del-3", "tenant:del", v1.etag)).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
    expect((await requests.read<Item>("del-3", "tenant:del"))?.doc.n).toBe(2);
    expect(await requests.delete("del-3", "tenant:del", v2.etag)).toBe(true);
    expect(await requests.read("del-3", "tenant:del")).toBeUndefined();
  });
});

describe("query", () => {
  const Q = "tenant:query";
  const OTHER = "tenant:query-other";
  const N = 23;

  beforeAll(async () => {
    const colours = ["red", "green", "blue"];
    // Inserted out of order, so ORDER BY has something to do.
    const order = Array.from({ length: N }, (_, i) => (i * 7) % N);
    for (const i of order) {
      await jobs.create<Item>({
        id: `q-${String(i).padStart(2, "0")}`,
        pk: Q,
        n: i,
        colour: colours[i % 3],
        ...(i % 2 === 0 ? { nested: { level: i } } : {}),
      });
    }
    // Another partition whose documents match every condition used below.
    for (let i = 0; i < 5; i++) {
      await jobs.create<Item>({ id: `q-${String(i).padStart(2, "0")}`, pk: OTHER, n: i, colour: "red" });
    }
  });

  it("filters with =, !=, <, <=, >, >=, in, defined and undefined", async () => {
    const ids = async (where: Parameters<DocumentCollection["query"]>[0]["where"]) =>
      (await jobs.query<Item>({ partitionKey: Q, where, limit: 100 })).items
        .map((d) => d.n)
        .sort((a, b) => a - b);
    expect(await ids([{ field: "colour", op: "=", value: "red" }])).toEqual([0, 3, 6, 9, 12, 15, 18, 21]);
    expect(await ids([{ field: "colour", op: "!=", value: "red" }])).toHaveLength(N - 8);
    expect(await ids([{ field: "n", op: "<", value: 3 }])).toEqual([0, 1, 2]);
    expect(await ids([{ field: "n", op: "<=", value: 3 }])).toEqual([0, 1, 2, 3]);
    expect(await ids([{ field: "n", op: ">", value: 20 }])).toEqual([21, 22]);
    expect(await ids([{ field: "n", op: ">=", value: 20 }])).toEqual([20, 21, 22]);
    expect(await ids([{ field: "n", op: "in", value: [1, 5, 99] }])).toEqual([1, 5]);
    expect(await ids([{ field: "n", op: "in", value: [] }])).toEqual([]);
    expect(await ids([{ field: "nested", op: "defined" }])).toEqual([
      0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22,
    ]);
    expect(await ids([{ field: "nested", op: "undefined" }])).toHaveLength(11);
    expect(
      await ids([
        { field: "nested.level", op: ">=", value: 10 },
        { field: "colour", op: "=", value: "green" },
      ]),
    ).toEqual([10, 16, 22]);
  });

  it("treats values as parameters: an injection attempt is just a value that matches nothing", async () => {
    const page = await jobs.query<Item>({
      partitionKey: Q,
      where: [{ field: "colour", op: "=", value: "red' OR 1=1 --" }],
    });
    expect(page.items).toEqual([]);
    await expect(
      jobs.query({ partitionKey: Q, where: [{ field: "n OR 1=1", op: "=", value: 1 }] }),
    ).rejects.toThrow(/not a queryable field path/);
  });

  it("orders ascending and descending", async () => {
    const asc = await jobs.query<Item>({
      partitionKey: Q,
      orderBy: { field: "n", direction: "asc" },
      limit: 100,
    });
    expect(asc.items.map((d) => d.n)).toEqual(Array.from({ length: N }, (_, i) => i));
    const desc = await jobs.query<Item>({
      partitionKey: Q,
      where: [{ field: "colour", op: "=", value: "blue" }],
      orderBy: { field: "n", direction: "desc" },
      limit: 100,
    });
    expect(desc.items.map((d) => d.n)).toEqual([20, 17, 14, 11, 8, 5, 2]);
  });

  it("projects only the selected fields plus id", async () => {
    const page = await jobs.query<Item>({
      partitionKey: Q,
      where: [{ field: "n", op: "=", value: 4 }],
      select: ["colour"],
    });
    expect(page.items).toEqual([{ id: "q-04", colour: "green" }]);
  });

  it("projecting a nested field keeps the document's shape", async () => {
    const page = await jobs.query<Item>({
      partitionKey: Q,
      where: [{ field: "n", op: "=", value: 4 }],
      select: ["nested.level", "colour"],
    });
    expect(page.items).toEqual([{ id: "q-04", nested: { level: 4 }, colour: "green" }]);
    expect(page.items[0]?.nested?.level).toBe(4);
  });

  it("filters, orders and projects fields named like Cosmos SQL keywords (value, order, top)", async () => {
    const K = "tenant:keywords";
    for (const [i, value] of [30, 10, 20].entries()) {
      await jobs.create<Item>({ id: `kw-${i}`, pk: K, n: i, value, order: 3 - i, top: { value } });
    }
    const page = await jobs.query<Item>({
      partitionKey: K,
      where: [
        { field: "value", op: ">=", value: 20 },
        { field: "top.value", op: "defined" },
      ],
      orderBy: { field: "order", direction: "asc" },
      select: ["value", "top.value"],
    });
    expect(page.items).toEqual([
      { id: "kw-2", value: 20, top: { value: 20 } },
      { id: "kw-0", value: 30, top: { value: 30 } },
    ]);
    expect(await jobs.count({ partitionKey: K, where: [{ field: "order", op: "in", value: [1, 2] }] })).toBe(
      2,
    );
  });

  it("pages with limit and continuation tokens: all pages together are every item, once, in order", async () => {
    const seen: number[] = [];
    const sizes: number[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await jobs.query<Item>({
        partitionKey: Q,
        orderBy: { field: "n", direction: "asc" },
        limit: 5,
        ...(token ? { continuationToken: token } : {}),
      });
      sizes.push(page.items.length);
      seen.push(...page.items.map((d) => d.n));
      token = page.continuationToken;
      pages += 1;
      expect(pages).toBeLessThan(20);
    } while (token);
    expect(sizes.slice(0, 4)).toEqual([5, 5, 5, 5]);
    expect(sizes.every((s) => s <= 5)).toBe(true);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(Array.from({ length: N }, (_, i) => i));
  });

  it("pages a filtered query without ORDER BY without loss or duplicates", async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await jobs.query<Item>({
        partitionKey: Q,
        where: [{ field: "n", op: ">=", value: 3 }],
        limit: 4,
        ...(token ? { continuationToken: token } : {}),
      });
      expect(page.items.length).toBeLessThanOrEqual(4);
      seen.push(...page.items.map((d) => d.id));
      token = page.continuationToken;
      pages += 1;
    } while (token && pages < 20);
    expect(pages).toBeGreaterThanOrEqual(5);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.sort()).toEqual(
      Array.from({ length: N - 3 }, (_, i) => `q-${String(i + 3).padStart(2, "0")}`).sort(),
    );
  });

  it("gives no continuation token when the page holds the rest", async () => {
    const page = await jobs.query<Item>({ partitionKey: Q, limit: 100 });
    expect(page.items).toHaveLength(N);
    expect(page.continuationToken).toBeUndefined();
  });

  it("counts, with and without conditions", async () => {
    expect(await jobs.count({ partitionKey: Q })).toBe(N);
    expect(await jobs.count({ partitionKey: Q, where: [{ field: "colour", op: "=", value: "red" }] })).toBe(
      8,
    );
    expect(await jobs.count({ partitionKey: OTHER })).toBe(5);
    expect(await jobs.count({ where: [{ field: "pk", op: "in", value: [Q, OTHER] }] })).toBe(N + 5);
  });

  it("without a partition key, a query spans partitions", async () => {
    const page = await jobs.query<Item>({
      where: [
        { field: "id", op: "=", value: "q-01" },
        { field: "pk", op: "in", value: [Q, OTHER] },
      ],
    });
    expect(page.items.map((d) => d.pk).sort()).toEqual([Q, OTHER].sort());
  });
});

describe("partition isolation", () => {
  const A = "tenant:iso-a";
  const B = "tenant:iso-b";

  beforeAll(async () => {
    for (let i = 0; i < 3; i++) {
      await requests.create<Item>({ id: `iso-${i}`, pk: A, n: i, colour: "same" });
      await requests.create<Item>({ id: `iso-${i}`, pk: B, n: 100 + i, colour: "same" });
    }
    await requests.create<Item>({ id: "iso-b-only", pk: B, n: 200, colour: "same" });
  });

  it("the emulator ignores the SDK's partitionKey option: a bare query leaks the other partition", async () => {
    // Why the adapter adds the key to WHERE: this is the raw SDK, not the adapter.
    const { resources } = await client
      .database(databases.service)
      .container("requests")
      .items.query<Item>(
        { query: "SELECT * FROM c WHERE c.colour = @c", parameters: [{ name: "@c", value: "same" }] },
        { partitionKey: A },
      )
      .fetchAll();
    expect(resources.some((r) => r.pk === B)).toBe(true);
  });

  it("a query with partitionKey never returns another partition's items", async () => {
    const a = await requests.query<Item>({
      partitionKey: A,
      where: [{ field: "colour", op: "=", value: "same" }],
    });
    expect(a.items.map((d) => d.id).sort()).toEqual(["iso-0", "iso-1", "iso-2"]);
    expect(a.items.every((d) => d.pk === A)).toBe(true);
    // Even a condition that names the other partition's data finds nothing.
    const sneaky = await requests.query<Item>({
      partitionKey: A,
      where: [{ field: "pk", op: "=", value: B }],
    });
    expect(sneaky.items).toEqual([]);
    const byId = await requests.query<Item>({
      partitionKey: A,
      where: [{ field: "id", op: "=", value: "iso-b-only" }],
    });
    expect(byId.items).toEqual([]);
    const projected = await requests.query<Item>({ partitionKey: B, select: ["n"], limit: 100 });
    expect(projected.items.map((d) => d.n).sort((x, y) => x - y)).toEqual([100, 101, 102, 200]);
  });

  it("paging within a partition never crosses into another", async () => {
    const seen: Item[] = [];
    let token: string | undefined;
    do {
      const page = await requests.query<Item>({
        partitionKey: B,
        orderBy: { field: "n", direction: "asc" },
        limit: 1,
        ...(token ? { continuationToken: token } : {}),
      });
      seen.push(...page.items);
      token = page.continuationToken;
    } while (token && seen.length < 20);
    expect(seen.map((d) => d.n)).toEqual([100, 101, 102, 200]);
  });

  it("counts per partition", async () => {
    expect(
      await requests.count({ partitionKey: A, where: [{ field: "colour", op: "=", value: "same" }] }),
    ).toBe(3);
    expect(
      await requests.count({ partitionKey: B, where: [{ field: "colour", op: "=", value: "same" }] }),
    ).toBe(4);
    expect(await requests.count({ partitionKey: "tenant:iso-nobody" })).toBe(0);
  });
});

/**
 * Real Cosmos pages (DESIGN §9): page size 1, ORDER BY across partitions, the SDK options Azure needs,
 * and the adapter's handling of empty pages and SDK composite tokens. The emulator serves every query
 * itself (it has no query plans, so the SDK's pipelined path never runs against it); what only Azure
 * does is driven below through a scripted SDK iterator.
 */
describe("paging as real Cosmos pages", () => {
  const P = ["tenant:pages-a", "tenant:pages-b", "tenant:pages-c"];
  const values = [7, 3, 11, 0, 5, 9, 1, 12, 4, 8, 2, 10, 6];

  beforeAll(async () => {
    for (const [i, n] of values.entries()) {
      await jobs.create<Item>({ id: `pg-${String(n).padStart(2, "0")}`, pk: P[i % 3]!, n, colour: "pg" });
    }
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  async function drain(spec: QuerySpec, maxPages = 200) {
    const seen: Item[] = [];
    const sizes: number[] = [];
    let token: string | undefined;
    do {
      const page = await jobs.query<Item>({ ...spec, ...(token ? { continuationToken: token } : {}) });
      seen.push(...page.items);
      sizes.push(page.items.length);
      token = page.continuationToken;
      expect(sizes.length).toBeLessThan(maxPages);
    } while (token);
    return { seen, sizes };
  }

  it("page size 1 within a partition, ORDER BY ascending and descending: every item once, in order", async () => {
    const asc = await drain({
      partitionKey: P[0],
      orderBy: { field: "n", direction: "asc" },
      limit: 1,
    });
    const inA = values.filter((_, i) => i % 3 === 0).sort((a, b) => a - b);
    expect(asc.seen.map((d) => d.n)).toEqual(inA);
    expect(asc.sizes.every((s) => s <= 1)).toBe(true);
    const desc = await drain({ partitionKey: P[1], orderBy: { field: "n", direction: "desc" }, limit: 1 });
    expect(desc.seen.map((d) => d.n)).toEqual(values.filter((_, i) => i % 3 === 1).sort((a, b) => b - a));
  });

  it("page size 1 across partitions with ORDER BY (no partition key): every item once, in order", async () => {
    for (const direction of ["asc", "desc"] as const) {
      const { seen, sizes } = await drain({
        where: [
          { field: "colour", op: "=", value: "pg" },
          { field: "pk", op: "in", value: P },
        ],
        orderBy: { field: "n", direction },
        limit: 1,
      });
      const sorted = [...values].sort((a, b) => (direction === "asc" ? a - b : b - a));
      expect(seen.map((d) => d.n)).toEqual(sorted);
      expect(new Set(seen.map((d) => `${d.pk}/${d.id}`)).size).toBe(values.length);
      expect(sizes.every((s) => s <= 1)).toBe(true);
      expect(new Set(seen.map((d) => d.pk))).toEqual(new Set(P));
    }
  });

  it("asks the SDK for query control on every page, and for the query plan only to resume its own token", async () => {
    const spy = vi.spyOn(Items.prototype, "query");
    const spec: QuerySpec = {
      where: [{ field: "colour", op: "=", value: "pg" }],
      orderBy: { field: "n", direction: "asc" },
      limit: 2,
    };
    const first = await jobs.query<Item>(spec);
    expect(first.continuationToken).toBeDefined();
    await jobs.query<Item>({ ...spec, continuationToken: first.continuationToken! });
    const options = spy.mock.calls.map((c) => c[1] as FeedOptions);
    expect(options).toHaveLength(2);
    for (const o of options) {
      expect(o.enableQueryControl).toBe(true);
      expect(o.maxItemCount).toBe(2);
      // The emulator's (gateway) tokens resume as they are: no query plan.
      expect(o.forceQueryPlan).toBeUndefined();
    }
  });

  it("a malformed continuation token is InvalidContinuationTokenError (a 400 at the edge), never a 500", async () => {
    const spec: QuerySpec = { partitionKey: P[0], orderBy: { field: "n", direction: "asc" }, limit: 1 };
    const page = await jobs.query<Item>(spec);
    const other = await jobs.query<Item>({ ...spec, partitionKey: P[1] });
    for (const token of [
      "garbage",
      "c1.AAAAAAAAAAAAAAAA.e30",
      other.continuationToken!, // another query's
      `${page.continuationToken!}x`, // not the canonical encoding
      // (A well-wrapped token whose inner part Cosmos cannot parse is Cosmos' 400, which the adapter maps
      // too; the emulator instead restarts from the beginning, so that case is driven below.)
    ]) {
      await expect(jobs.query({ ...spec, continuationToken: token }), token).rejects.toBeInstanceOf(
        InvalidContinuationTokenError,
      );
    }
  });

  describe("what only Azure does, through a scripted SDK iterator", () => {
    type Step = { resources: Record<string, unknown>[]; token?: string; more: boolean } | { error: unknown };

    /** A store whose one container answers `items.query` with `steps`, recording the options it got. */
    function scripted(steps: Step[]) {
      const calls: FeedOptions[] = [];
      let i = 0;
      let more = true;
      const container = {
        items: {
          query: (_sql: unknown, options: FeedOptions) => {
            calls.push(options);
            return {
              hasMoreResults: () => more,
              fetchNext: async () => {
                const step = steps[i++];
                if (!step) throw new Error("the adapter read past the script");
                if ("error" in step) throw step.error;
                more = step.more;
                return { resources: step.resources, continuationToken: step.token };
              },
            };
          },
        },
      };
      const fakeClient = { database: () => ({ container: () => container }) } as unknown as CosmosClient;
      const coll = new CosmosDocumentStore(
        fakeClient,
        { service: "s", platform: "p" },
        { service: { jobs: "/pk" }, platform: {} },
      ).collection("service", "jobs");
      return { coll, calls, read: () => i };
    }

    const doc = (id: string) => ({ id, pk: "x", _rid: "r", _ts: 1 });
    const composite = JSON.stringify({ rid: "coll", rangeMappings: [{ itemCount: 0 }], orderByItems: [] });

    it("reads past empty pages on the same iterator and returns the first page that holds items", async () => {
      const { coll, read } = scripted([
        { resources: [], token: "t1", more: true },
        { resources: [], token: "t2", more: true },
        { resources: [doc("a")], token: "t3", more: true },
      ]);
      const page = await coll.query({ limit: 5 });
      expect(page.items).toEqual([{ id: "a", pk: "x" }]);
      expect(page.continuationToken).toMatch(/^c1\./);
      expect(read()).toBe(3);
    });

    it("after a bounded number of empty pages, hands back an empty page WITH its token (not the end)", async () => {
      const steps: Step[] = Array.from({ length: 50 }, (_, k) => ({
        resources: [],
        token: `e${k}`,
        more: true,
      }));
      const { coll, read } = scripted(steps);
      const page = await coll.query({ limit: 5 });
      expect(page.items).toEqual([]);
      expect(page.continuationToken).toBeDefined();
      expect(read()).toBeLessThan(50);
    });

    it("gives no token only when the SDK has nothing more", async () => {
      const done = scripted([
        { resources: [], token: "t1", more: true },
        { resources: [], more: false },
      ]);
      expect(await done.coll.query({ limit: 5 })).toEqual({ items: [] });
      // Items without a token while the SDK says more remain: read on, never cut the result short.
      const tokenless = scripted([
        { resources: [doc("a")], more: true },
        { resources: [], more: true },
        { resources: [doc("b")], token: "t", more: true },
      ]);
      const page = await tokenless.coll.query({ limit: 1 });
      expect(page.items.map((d) => d.id)).toEqual(["a", "b"]);
      expect(page.continuationToken).toBeDefined();
    });

    it("resumes the SDK's composite token (cross-partition ORDER BY in Azure) through the query plan", async () => {
      const first = scripted([{ resources: [doc("a")], token: composite, more: true }]);
      const spec: QuerySpec = { orderBy: { field: "n", direction: "asc" }, limit: 1 };
      const page = await first.coll.query(spec);
      expect(first.calls[0]).toMatchObject({ enableQueryControl: true, maxItemCount: 1 });
      expect(first.calls[0]!.forceQueryPlan).toBeUndefined();
      const next = scripted([{ resources: [doc("b")], more: false }]);
      const second = await next.coll.query({ ...spec, continuationToken: page.continuationToken! });
      expect(second).toEqual({ items: [{ id: "b", pk: "x" }] });
      expect(next.calls[0]).toMatchObject({
        enableQueryControl: true,
        forceQueryPlan: true,
        continuationToken: composite,
      });
    });

    it("the SDK refusing a token it parses itself is InvalidContinuationTokenError; throttling stays itself", async () => {
      const spec: QuerySpec = { orderBy: { field: "n", direction: "asc" }, limit: 1 };
      const first = scripted([{ resources: [doc("a")], token: composite, more: true }]);
      const token = (await first.coll.query(spec)).continuationToken!;
      for (const error of [
        // The SDK's own parse of a composite token (no HTTP status).
        new ErrorResponse("Invalid continuation token format. Expected token with rangeMappings property."),
        // The gateway's MalformedContinuationToken (400, substatus 20007).
        Object.assign(new ErrorResponse("The continuation token specified in the request is malformed."), {
          code: 400,
          substatus: 20007,
        }),
      ]) {
        const refused = scripted([{ error }]);
        await expect(refused.coll.query({ ...spec, continuationToken: token })).rejects.toBeInstanceOf(
          InvalidContinuationTokenError,
        );
      }
      const throttled = Object.assign(new ErrorResponse("Request rate is large"), { code: 429 });
      const busy = scripted([{ error: throttled }]);
      await expect(busy.coll.query({ ...spec, continuationToken: token })).rejects.toBe(throttled);
    });
  });
});
