import { describe, expect, it } from "vitest";
import { meteredDocuments } from "../../src/adapters/metering/metered-documents";
import { OperationMeter } from "../../src/adapters/metering/operation-meter";
import { estimatedRequestUnits } from "../../src/adapters/metering/request-units";
import type { DocumentCollection, DocumentStore } from "../../src/ports/document-store";

/** A collection that answers every call with nothing, optionally able to delete a partition. */
function fakeCollection(withPartitionDelete: boolean, deleted: string[]): DocumentCollection {
  return {
    name: "messages",
    read: async () => ({ doc: { id: "a", text: "x".repeat(1500) } as never, etag: "e" }),
    create: async (doc) => ({ doc, etag: "e" }),
    replace: async (doc) => ({ doc, etag: "e" }),
    upsert: async (doc) => ({ doc, etag: "e" }),
    patch: async () => true,
    delete: async () => true,
    query: async () => ({ items: [{ id: "a" }, { id: "b" }] as never[] }),
    count: async () => 0,
    ...(withPartitionDelete
      ? {
          deletePartition: async (pk: string) => {
            deleted.push(pk);
          },
        }
      : {}),
  };
}

const store = (c: DocumentCollection): DocumentStore => ({ collection: () => c, ping: async () => {} });

describe("metered ports", () => {
  it("count each call by type, query pages by whether they cross partitions, and sizes per started KB", async () => {
    const meter = new OperationMeter();
    const c = meteredDocuments(store(fakeCollection(false, [])), meter).collection("platform", "messages");
    const { counts } = await meter.measure(async () => {
      await c.read("a", "t");
      await c.upsert({ id: "b", tenantId: "t" });
      await c.patch("b", "t", [{ op: "remove", path: "name" }]);
      await c.delete("b", "t");
      await c.query({ partitionKey: "t" });
      await c.query({});
      await c.count({});
    });
    expect(counts.ops["cosmos.pointRead"]).toBe(1);
    expect(counts.ops["cosmos.write"]).toBe(1);
    expect(counts.ops["cosmos.patch"]).toBe(1);
    expect(counts.ops["cosmos.delete"]).toBe(1);
    expect(counts.ops["cosmos.queryPage"]).toBe(1);
    expect(counts.ops["cosmos.crossPartitionQueryPage"]).toBe(2);
    expect(counts.itemsRead).toBe(4);
    expect(counts.kbRead).toBe(2 + 4); // the 1.5 KB point read is 2 KB; four small query results 1 KB each
    expect(counts.kbWritten).toBe(1);
    expect(estimatedRequestUnits(counts)).toBeGreaterThan(0);
  });

  it("keep a partition delete exactly where the store has one, and count it", async () => {
    const deleted: string[] = [];
    const meter = new OperationMeter();
    const able = meteredDocuments(store(fakeCollection(true, deleted)), meter).collection("platform", "m");
    const unable = meteredDocuments(store(fakeCollection(false, deleted)), meter).collection("platform", "m");
    expect(unable.deletePartition).toBeUndefined();
    expect(able.deletePartition).toBeDefined();
    await able.deletePartition!("t-1");
    expect(deleted).toEqual(["t-1"]);
    expect(meter.snapshot().ops["cosmos.partitionDelete"]).toBe(1);
  });
});
