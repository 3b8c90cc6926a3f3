import { createHash, randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { BlobServiceClient, StorageSharedKeyCredential, type UserDelegationKey } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { AzureBlobStore } from "../../src/adapters/blob/azure-blob-store";
import { serviceBlobContainers } from "../../src/adapters/blob/layout";
import type { BlobInfo } from "../../src/ports/blob-store";

/**
 * The real @azure/storage-blob SDK, through the adapter, against Azurite (started by the global setup
 * with --disableTelemetry). The read link is fetched over loopback like a browser would.
 */

const suffix = randomBytes(4).toString("hex");
const container = `blob-it-${suffix}`;
let service: BlobServiceClient;
let store: AzureBlobStore;

beforeAll(async () => {
  // Built exactly as the local composition root builds it.
  service = BlobServiceClient.fromConnectionString(inject("blobConnectionString"));
  const credential = service.credential;
  if (!(credential instanceof StorageSharedKeyCredential)) throw new Error("Azurite needs an account key");
  store = new AzureBlobStore(service, { kind: "shared-key", credential });
  await service.getContainerClient(container).create();
});

afterAll(async () => {
  await service?.getContainerClient(container).deleteIfExists();
});

async function collect(iterable: AsyncIterable<BlobInfo>): Promise<BlobInfo[]> {
  const out: BlobInfo[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

async function drain(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

const exportName = "t-1/export/package.json";
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

describe("put, read, openRead", () => {
  it("stores a string as UTF-8 and a Buffer byte for byte, with content type and metadata", async () => {
    await store.put(container, "t-1/notes/hello.txt", "namaste — नमस्ते", {
      contentType: "text/plain; charset=utf-8",
      metadata: { kind: "note", tenant: "t1" },
    });
    expect((await store.read(container, "t-1/notes/hello.txt"))?.toString("utf8")).toBe("namaste — नमस्ते");
    const bytes = randomBytes(2048);
    await store.put(container, "t-1/bin/data.bin", bytes);
    expect((await store.read(container, "t-1/bin/data.bin"))?.equals(bytes)).toBe(true);
    const props = await service
      .getContainerClient(container)
      .getBlobClient("t-1/notes/hello.txt")
      .getProperties();
    expect(props.contentType).toBe("text/plain; charset=utf-8");
    expect(props.metadata).toEqual({ kind: "note", tenant: "t1" });
    expect(props.contentLength).toBe(Buffer.byteLength("namaste — नमस्ते"));
  });

  it("overwrites an existing blob", async () => {
    await store.put(container, "t-1/over.txt", "first");
    await store.put(container, "t-1/over.txt", "second");
    expect((await store.read(container, "t-1/over.txt"))?.toString()).toBe("second");
  });

  it("stores an empty body", async () => {
    await store.put(container, "t-1/empty.txt", "");
    expect((await store.read(container, "t-1/empty.txt"))?.length).toBe(0);
  });

  it("reads undefined for a missing blob and for a missing container", async () => {
    expect(await store.read(container, "t-1/nope.txt")).toBeUndefined();
    expect(await store.openRead(container, "t-1/nope.txt")).toBeUndefined();
    expect(await store.read(`missing-${suffix}`, "x.txt")).toBeUndefined();
    expect(await store.openRead(`missing-${suffix}`, "x.txt")).toBeUndefined();
  });

  it("opens a blob as a stream", async () => {
    const bytes = randomBytes(100_000);
    await store.put(container, "t-1/stream-read.bin", bytes);
    const stream = await store.openRead(container, "t-1/stream-read.bin");
    expect(stream).toBeDefined();
    expect((await drain(stream!)).equals(bytes)).toBe(true);
  });

  it("uploads a stream larger than one upload block, in several blocks, intact", async () => {
    // 9 MiB in 64 KiB chunks, produced lazily: more than two 4 MiB blocks.
    const chunk = 64 * 1024;
    const total = 9 * 1024 * 1024;
    const hash = createHash("sha256");
    let produced = 0;
    const source = new Readable({
      read() {
        if (produced >= total) return this.push(null);
        const b = randomBytes(chunk);
        hash.update(b);
        produced += chunk;
        this.push(b);
      },
    });
    await store.put(container, "t-1/stream-upload.bin", source, {
      contentType: "application/octet-stream",
      metadata: { streamed: "yes" },
    });
    const expected = hash.digest("hex");
    const back = await store.read(container, "t-1/stream-upload.bin");
    expect(back?.length).toBe(total);
    expect(sha(back!)).toBe(expected);
    const [info] = await collect(store.list(container, "t-1/stream-upload"));
    expect(info).toEqual({ name: "t-1/stream-upload.bin", size: total, metadata: { streamed: "yes" } });
    const blocks = await service
      .getContainerClient(container)
      .getBlockBlobClient("t-1/stream-upload.bin")
      .getBlockList("committed");
    expect(blocks.committedBlocks?.length).toBeGreaterThan(1);
  });

  it("a streamed upload stages 1 MiB blocks one at a time, through one buffer", async () => {
    const proto = Object.getPrototypeOf(service.getContainerClient(container).getBlockBlobClient("x")) as {
      stageBlock: (...args: unknown[]) => Promise<unknown>;
    };
    const stageBlock = proto.stageBlock;
    let inFlight = 0;
    let most = 0;
    const spy = vi.spyOn(proto, "stageBlock").mockImplementation(async function (this: unknown, ...args) {
      most = Math.max(most, ++inFlight);
      try {
        return await stageBlock.apply(this, args);
      } finally {
        inFlight--;
      }
    });
    try {
      // 5.5 MiB in 512 KiB chunks, as fast as the upload takes them.
      const source = Readable.from(Array.from({ length: 11 }, () => randomBytes(512 * 1024)));
      await store.put(container, "t-1/blocks.bin", source);
    } finally {
      spy.mockRestore();
    }
    expect(most).toBe(1);
    const blocks = await service
      .getContainerClient(container)
      .getBlockBlobClient("t-1/blocks.bin")
      .getBlockList("committed");
    expect(blocks.committedBlocks?.map((b) => b.size)).toEqual(
      [1, 1, 1, 1, 1, 0.5].map((n) => n * 1024 * 1024),
    );
  });

  it("a failing source stream fails the put and leaves no blob", async () => {
    let sent = 0;
    const source = new Readable({
      read() {
        if (sent++ < 2) this.push(randomBytes(1024));
        else this.destroy(new Error("source broke"));
      },
    });
    await expect(store.put(container, "t-1/broken.bin", source)).rejects.toThrow();
    expect(await store.read(container, "t-1/broken.bin")).toBeUndefined();
  });
});

describe("list, count, delete", () => {
  const prefixContainer = `blob-it-list-${suffix}`;

  beforeAll(async () => {
    await service.getContainerClient(prefixContainer).create();
    const names = ["t-1/a.txt", "t-1/b/c.txt", "t-1/b/d.txt", "t-10/a.txt", "t-2/a.txt"];
    for (const name of names) await store.put(prefixContainer, name, name, { metadata: { name: "x" } });
  });

  afterAll(async () => {
    await service?.getContainerClient(prefixContainer).deleteIfExists();
  });

  it("lists by prefix, flat (nested names included), with sizes and metadata", async () => {
    const items = await collect(store.list(prefixContainer, "t-1/"));
    expect(items.map((i) => i.name)).toEqual(["t-1/a.txt", "t-1/b/c.txt", "t-1/b/d.txt"]);
    expect(items[0]).toEqual({ name: "t-1/a.txt", size: "t-1/a.txt".length, metadata: { name: "x" } });
    // The trailing slash matters: t-10 is not t-1.
    expect((await collect(store.list(prefixContainer, "t-1"))).map((i) => i.name)).toContain("t-10/a.txt");
    expect(await collect(store.list(prefixContainer, "t-3/"))).toEqual([]);
    expect(await collect(store.list(prefixContainer, ""))).toHaveLength(5);
  });

  it("counts by prefix", async () => {
    expect(await store.count(prefixContainer, "t-1/")).toBe(3);
    expect(await store.count(prefixContainer, "t-1/b/")).toBe(2);
    expect(await store.count(prefixContainer, "t-10/")).toBe(1);
    expect(await store.count(prefixContainer, "t-3/")).toBe(0);
  });

  it("deletes: true once, then false; the blob is gone from read, list and count", async () => {
    await store.put(prefixContainer, "t-9/gone.txt", "bye");
    expect(await store.count(prefixContainer, "t-9/")).toBe(1);
    expect(await store.delete(prefixContainer, "t-9/gone.txt")).toBe(true);
    expect(await store.read(prefixContainer, "t-9/gone.txt")).toBeUndefined();
    expect(await collect(store.list(prefixContainer, "t-9/"))).toEqual([]);
    expect(await store.count(prefixContainer, "t-9/")).toBe(0);
    expect(await store.delete(prefixContainer, "t-9/gone.txt")).toBe(false);
    expect(await store.delete(prefixContainer, "t-9/never.txt")).toBe(false);
  });

  it("deletes a blob together with its snapshots", async () => {
    await store.put(prefixContainer, "t-8/snap.txt", "v1");
    await service.getContainerClient(prefixContainer).getBlobClient("t-8/snap.txt").createSnapshot();
    expect(await store.delete(prefixContainer, "t-8/snap.txt")).toBe(true);
    const left: string[] = [];
    for await (const b of service
      .getContainerClient(prefixContainer)
      .listBlobsFlat({ prefix: "t-8/", includeSnapshots: true })) {
      left.push(b.name);
    }
    expect(left).toEqual([]);
  });

  it("pings Storage", async () => {
    // The ping may read a service container (as the local host creates them): make sure they exist,
    // never delete them (other test files share this Azurite).
    for (const name of serviceBlobContainers) await service.getContainerClient(name).createIfNotExists();
    await expect(store.ping()).resolves.toBeUndefined();
  });

  it("ping fails when Storage does not answer", async () => {
    const dead = new BlobServiceClient("http://127.0.0.1:9/devstoreaccount1", undefined, {
      retryOptions: { maxTries: 1 },
    });
    const credential = service.credential as StorageSharedKeyCredential;
    await expect(new AzureBlobStore(dead, { kind: "shared-key", credential }).ping()).rejects.toThrow();
  });
});

describe("read-only link (key-signed SAS, as locally)", () => {
  const name = exportName;
  const content = JSON.stringify({ export: "for the data principal", n: 42 });

  beforeAll(async () => {
    await store.put(container, name, content, { contentType: "application/json" });
  });

  it("downloads the blob over plain HTTP on loopback", async () => {
    const url = await store.readUrl(container, name, new Date(Date.now() + 10 * 60_000));
    expect(new URL(url).hostname).toBe("127.0.0.1");
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.text()).toBe(content);
  });

  it("carries read permission only, for that blob, until the given expiry", async () => {
    const expiresOn = new Date(Date.now() + 15 * 60_000);
    const url = new URL(await store.readUrl(container, name, expiresOn));
    expect(url.pathname.endsWith(`/${container}/${name}`)).toBe(true);
    expect(url.searchParams.get("sp")).toBe("r");
    expect(url.searchParams.get("sr")).toBe("b");
    expect(new Date(url.searchParams.get("se")!).getTime()).toBe(
      Math.floor(expiresOn.getTime() / 1000) * 1000,
    );
    expect(url.searchParams.get("sig")).toMatch(/\S/);
  });

  it("refuses writes, deletes and other blobs with the same link", async () => {
    const url = await store.readUrl(container, name, new Date(Date.now() + 10 * 60_000));
    const put = await fetch(url, {
      method: "PUT",
      headers: { "x-ms-blob-type": "BlockBlob", "content-type": "application/json" },
      body: "{}",
    });
    expect(put.status).toBe(403);
    const del = await fetch(url, { method: "DELETE" });
    expect(del.status).toBe(403);
    expect((await store.read(container, name))?.toString()).toBe(content);
    // The signature names the blob: the same query on another blob's path is refused.
    await store.put(container, "t-2/secret.txt", "another tenant's");
    const other = new URL(url);
    other.pathname = other.pathname.replace(name, "t-2/secret.txt");
    const stolen = await fetch(other);
    expect(stolen.status).toBe(403);
    expect(await stolen.text()).not.toContain("another tenant's");
    // Nor does it list the container.
    const listing = new URL(url);
    listing.pathname = listing.pathname.replace(`/${name}`, "");
    listing.searchParams.set("restype", "container");
    listing.searchParams.set("comp", "list");
    expect((await fetch(listing)).status).toBe(403);
  });

  it("is refused when its signature is tampered with", async () => {
    const url = new URL(await store.readUrl(container, name, new Date(Date.now() + 10 * 60_000)));
    url.searchParams.set("sp", "rw");
    expect((await fetch(url)).status).toBe(403);
  });

  it("stops working once it expires", async () => {
    // The expiry is signed to the second: a link for 3 s from now lasts between 2 and 3 s.
    const url = await store.readUrl(container, name, new Date(Date.now() + 3_000));
    expect((await fetch(url)).status).toBe(200);
    const expiry = new Date(new URL(url).searchParams.get("se")!).getTime();
    await new Promise((r) => setTimeout(r, expiry - Date.now() + 1_000));
    const late = await fetch(url);
    expect(late.status).toBe(403);
    expect(await late.text()).not.toContain("for the data principal");
  });

  it("an already-expired link never works", async () => {
    const url = await store.readUrl(container, name, new Date(Date.now() - 60_000));
    expect((await fetch(url)).status).toBe(403);
  });
});

describe("read-only link (user delegation, as in Azure)", () => {
  // Azurite issues delegation keys only in OAuth mode over HTTPS, so the key itself is stubbed here:
  // what is checked is the link the adapter signs with it and how often it asks for a key.
  const fakeKey = (expires: Date): UserDelegationKey => ({
    signedObjectId: "00000000-0000-0000-0000-000000000001",
    signedTenantId: "00000000-0000-0000-0000-000000000002",
    signedStartsOn: new Date(Date.now() - 5 * 60_000),
    signedExpiresOn: expires,
    signedService: "b",
    signedVersion: "2025-01-05",
    value: randomBytes(32).toString("base64"),
  });

  it("signs an HTTPS-only read link with a delegation key, fetched once and reused while valid", async () => {
    const azureLike = BlobServiceClient.fromConnectionString(inject("blobConnectionString"));
    const asked: Date[] = [];
    // The adapter calls the (startsOn, expiresOn) overload; the response is the key plus HTTP details.
    const getKey = vi.spyOn(azureLike, "getUserDelegationKey").mockImplementation((async (
      _start: Date,
      until: Date,
    ) => {
      asked.push(until);
      return fakeKey(until);
    }) as never);
    const delegated = new AzureBlobStore(azureLike, { kind: "user-delegation" });
    const in10min = new Date(Date.now() + 10 * 60_000);
    const url = new URL(await delegated.readUrl(container, exportName, in10min));
    expect(url.searchParams.get("spr")).toBe("https");
    expect(url.searchParams.get("sp")).toBe("r");
    expect(url.searchParams.get("skoid")).toBe("00000000-0000-0000-0000-000000000001");
    expect(url.searchParams.get("sktid")).toBe("00000000-0000-0000-0000-000000000002");
    expect(url.searchParams.get("sig")).toMatch(/\S/);
    // The key was asked for at least an hour, so a second link within it reuses the key.
    expect(asked[0]!.getTime()).toBeGreaterThanOrEqual(Date.now() + 59 * 60_000);
    await delegated.readUrl(container, exportName, new Date(Date.now() + 20 * 60_000));
    expect(getKey).toHaveBeenCalledTimes(1);
    // A link outliving the cached key gets a fresh key that covers it.
    const in3h = new Date(Date.now() + 3 * 3600_000);
    await delegated.readUrl(container, exportName, in3h);
    expect(getKey).toHaveBeenCalledTimes(2);
    expect(asked[1]!.getTime()).toBeGreaterThanOrEqual(in3h.getTime());
  });
});
