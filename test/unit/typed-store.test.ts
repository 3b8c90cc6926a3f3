import { describe, expect, it } from "vitest";
import { TypedStore } from "../../src/app/stores/typed-store";
import type { Doc, DocumentCollection, QuerySpec } from "../../src/ports/document-store";

/** A collection that records the specs it is asked and answers reads from a fixed set of documents. */
function recording(docs: (Doc & { pk: string; docType?: string })[]) {
  const specs: QuerySpec[] = [];
  const collection = {
    name: "jobs",
    read: async (id: string, pk: string) => {
      const doc = docs.find((d) => d.id === id && d.pk === pk);
      return doc ? { doc, etag: `"${id}"` } : undefined;
    },
    query: async (spec: QuerySpec) => {
      specs.push(spec);
      return { items: [] };
    },
    count: async (spec: QuerySpec) => {
      specs.push(spec);
      return 0;
    },
    create: async (doc: Doc) => ({ doc, etag: '"new"' }),
  } as unknown as DocumentCollection;
  return { collection, specs };
}

const docs = [
  { id: "purge:r-1", pk: "tenant:t-1", docType: "purge-job" },
  { id: "export:r-1", pk: "tenant:t-1", docType: "export-job" },
];

describe("TypedStore", () => {
  it("answers a read of its own docType with the document and its etag", async () => {
    const { collection } = recording(docs);
    const store = new TypedStore(() => collection, "purge-job");
    expect(await store.read("purge:r-1", "tenant:t-1")).toEqual({ doc: docs[0], etag: '"purge:r-1"' });
  });

  it("reads a document written before its kind had a docType only where the store says so (the anchor hint)", async () => {
    const legacy = [{ id: "audit-anchor-latest", pk: "audit-anchors", number: 7 }];
    const { collection } = recording(legacy);
    const hints = new TypedStore(() => collection, "audit-anchor-hint", { readsUntyped: true });
    expect((await hints.read("audit-anchor-latest", "audit-anchors"))?.doc).toEqual(legacy[0]);
    const strict = new TypedStore(() => collection, "audit-anchor-hint");
    expect(await strict.read("audit-anchor-latest", "audit-anchors")).toBeUndefined();
    // Another docType is still not this store's, untyped reads or not.
    const { collection: typed } = recording(docs);
    const purges = new TypedStore(() => typed, "export-job", { readsUntyped: true });
    expect(await purges.read("purge:r-1", "tenant:t-1")).toBeUndefined();
  });

  it("answers a read of another docType in the same container with undefined", async () => {
    const { collection } = recording(docs);
    expect(
      await new TypedStore(() => collection, "purge-job").read("export:r-1", "tenant:t-1"),
    ).toBeUndefined();
  });

  it("narrows every query and count to its docType, once, first", async () => {
    const { collection, specs } = recording(docs);
    const store = new TypedStore(() => collection, "export-job");
    await store.query({ where: [{ field: "status", op: "=", value: "running" }], limit: 5 });
    await store.count({ where: [{ field: "docType", op: "=", value: "export-job" }] });
    expect(specs).toEqual([
      {
        where: [
          { field: "docType", op: "=", value: "export-job" },
          { field: "status", op: "=", value: "running" },
        ],
        limit: 5,
      },
      { where: [{ field: "docType", op: "=", value: "export-job" }] },
    ]);
  });

  it("passes a query through untouched when the container holds one kind", async () => {
    const { collection, specs } = recording(docs);
    const spec: QuerySpec = { partitionKey: "r-1", orderBy: { field: "seq", direction: "desc" }, limit: 1 };
    await new TypedStore(() => collection).query(spec);
    expect(specs).toEqual([spec]);
  });

  it("refuses to write a document of another docType", () => {
    const { collection } = recording(docs);
    const store = new TypedStore(() => collection, "purge-job");
    expect(() => store.create({ id: "x", pk: "p", docType: "export-job" } as Doc)).toThrow(/purge-job/);
  });

  it("asks for its container at each call, so a document store swapped in is the one used", async () => {
    const first = recording(docs);
    const second = recording([]);
    let current = first.collection;
    const store = new TypedStore(() => current, "purge-job");
    expect(await store.read("purge:r-1", "tenant:t-1")).toBeDefined();
    current = second.collection;
    expect(await store.read("purge:r-1", "tenant:t-1")).toBeUndefined();
  });
});
