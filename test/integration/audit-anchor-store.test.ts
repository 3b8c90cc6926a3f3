import { randomBytes } from "node:crypto";
import { BlobServiceClient } from "@azure/storage-blob";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { BlobAnchorStore } from "../../src/adapters/blob/anchor-store";
import {
  CreateOnlyAnchorStandIn,
  localAnchorContainer,
} from "../../src/adapters/embedded/create-only-anchor-stand-in";
import { AnchorExistsError, type AnchorStore } from "../../src/ports/anchor-store";

/** The anchor store's contract on Azurite: create-only, readable, listable; no delete, no overwrite. */
let service: BlobServiceClient;
const database = `anchors-${randomBytes(4).toString("hex")}`;

beforeAll(() => {
  service = BlobServiceClient.fromConnectionString(inject("blobConnectionString"));
});

async function collect(it: AsyncIterable<string>) {
  const out: string[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe.each([
  ["the local stand-in", async () => CreateOnlyAnchorStandIn.open(service, database)],
  [
    "the Blob adapter (If-None-Match: *)",
    async () => {
      const name = localAnchorContainer(`${database}-blob`);
      await service.getContainerClient(name).createIfNotExists();
      return new BlobAnchorStore(service, name);
    },
  ],
] as [string, () => Promise<AnchorStore>][])("%s", (_name, open) => {
  it("writes a name once and refuses to overwrite it, keeping the first content", async () => {
    const store = await open();
    await store.create("anchors/000000000001.json", '{"n":1}');
    await expect(store.create("anchors/000000000001.json", '{"n":"forged"}')).rejects.toBeInstanceOf(
      AnchorExistsError,
    );
    expect(await store.read("anchors/000000000001.json")).toBe('{"n":1}');
    expect(await store.read("anchors/000000000099.json")).toBeUndefined();
  });

  it("lists by prefix in name order", async () => {
    const store = await open();
    for (const n of [3, 2]) await store.create(`chains/r-x/00000000000${n}.json`, "{}");
    expect(await collect(store.list("chains/r-x/"))).toEqual([
      "chains/r-x/000000000002.json",
      "chains/r-x/000000000003.json",
    ]);
  });

  it("offers no way to delete or overwrite", async () => {
    const store = await open();
    const methods = new Set<string>();
    for (
      let p: object | null = store;
      p && p !== Object.prototype;
      p = Object.getPrototypeOf(p) as object | null
    )
      for (const k of Object.getOwnPropertyNames(p)) methods.add(k);
    for (const forbidden of ["delete", "deleteIfExists", "put", "upsert", "replace", "overwrite", "upload"])
      expect(methods.has(forbidden), forbidden).toBe(false);
  });
});

describe("the two writers of one name at once", () => {
  it("exactly one create succeeds", async () => {
    const store = await CreateOnlyAnchorStandIn.open(service, `${database}-race`);
    const results = await Promise.allSettled(
      [1, 2, 3, 4].map((i) => store.create("anchors/000000000001.json", `{"writer":${i}}`)),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results.filter((r) => r.status === "rejected"))
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(AnchorExistsError);
  });
});

it("local anchor containers are valid Blob container names", () => {
  for (const db of ["dpdp", "dpdp-0a1b2c3d", "DPDP_Test..x", "x".repeat(80)]) {
    expect(localAnchorContainer(db)).toMatch(/^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$/);
  }
});
