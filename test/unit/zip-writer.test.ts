import { createHash, randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { crc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import { type Entry, fromBufferPromise } from "yauzl";
import {
  centralRecord,
  dataDescriptor,
  endOfArchive,
  localHeader,
  zipTime,
} from "../../src/app/export/zip-format";
import { PackageWriter, SMALL_ENTRY_BYTES } from "../../src/app/export/zip-writer";
import { FIXED_EPOCH } from "../support/generators";

/**
 * The export's own ZIP writer, read back by an independent reader (yauzl): every kind of entry the
 * export writes, byte for byte, with the sizes, CRC-32 and SHA-256 it reports; and the ZIP64 fields a
 * package past 4 GiB needs, checked on the records themselves (no test writes 4 GiB).
 */

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

async function archive(build: (w: PackageWriter) => Promise<unknown>) {
  const chunks: Buffer[] = [];
  const writer = new PackageWriter(async (body) => {
    for await (const c of body) chunks.push(c as Buffer);
  }, new Date("2026-03-04T05:06:08Z"));
  await build(writer);
  const done = await writer.finish();
  const zip = Buffer.concat(chunks);
  expect(zip.length).toBe(done.bytes);
  expect(sha256(zip)).toBe(done.sha256);
  return zip;
}

async function unpack(zip: Buffer): Promise<Map<string, { entry: Entry; data: Buffer }>> {
  const file = await fromBufferPromise(zip, {
    lazyEntries: true,
    validateEntrySizes: true,
    strictFileNames: true,
  });
  const out = new Map<string, { entry: Entry; data: Buffer }>();
  for await (const entry of file.eachEntry()) {
    const stream = await file.openReadStreamPromise(entry);
    const parts: Buffer[] = [];
    for await (const c of stream) parts.push(c as Buffer);
    out.set(entry.fileName, { entry, data: Buffer.concat(parts) });
  }
  return out;
}

describe("PackageWriter, read back", () => {
  it("holds every entry byte for byte, with the size, CRC-32 and SHA-256 it reported", async () => {
    const text = Buffer.from('{"message":"namaste"}\n'.repeat(20_000)); // streamed and deflated
    const media = randomBytes(3 * SMALL_ENTRY_BYTES); // streamed and stored
    const inputs: [string, Buffer[], boolean][] = [
      ["data/messages.ndjson", [text.subarray(0, 100_000), text.subarray(100_000)], true],
      ["files/audio/a.ogg", [media], false],
      ["data/small.ndjson", [Buffer.from('{"a":1}\n'.repeat(200))], true],
      ["files/tiny.txt", [Buffer.from("ok")], true],
      ["data/empty.ndjson", [], true],
      ["files/transcripts/नमस्ते ಕನ್ನಡ.txt", [Buffer.from("caller asked about opening hours")], true],
    ];
    const reported = new Map<string, { bytes: number; sha256: string }>();
    const zip = await archive(async (w) => {
      for (const [path, chunks, compress] of inputs) {
        const source = path.endsWith(".ogg")
          ? Readable.from(chunks)
          : (async function* () {
              yield* chunks;
            })();
        reported.set(path, await w.addStream(path, source, { compress }));
      }
      reported.set("manifest.json", w.addBuffer("manifest.json", Buffer.from('{"files":[]}\n')));
    });
    const files = await unpack(zip);
    expect([...files.keys()]).toEqual([...inputs.map(([p]) => p), "manifest.json"]);
    for (const [path, chunks] of [...inputs, ["manifest.json", [Buffer.from('{"files":[]}\n')]] as const]) {
      const expected = Buffer.concat(chunks);
      const { entry, data } = files.get(path)!;
      expect(data.equals(expected), path).toBe(true);
      expect(entry.crc32, path).toBe(crc32(expected));
      expect(reported.get(path), path).toEqual({ path, bytes: expected.length, sha256: sha256(expected) });
      expect(entry.getLastModDate().getTime()).toBe(new Date("2026-03-04T05:06:08Z").getTime());
    }
    // Compressible text is deflated; media stays stored; two bytes of text are not made larger.
    expect(files.get("data/messages.ndjson")!.entry.compressionMethod).toBe(8);
    expect(files.get("data/messages.ndjson")!.entry.compressedSize).toBeLessThan(text.length / 10);
    expect(files.get("files/audio/a.ogg")!.entry.compressionMethod).toBe(0);
    expect(files.get("files/tiny.txt")!.entry.compressionMethod).toBe(0);
  });

  it("thousands of files: a central directory of many chunks reads back whole", async () => {
    const names = Array.from(
      { length: 2500 },
      (_, i) => `files/transcripts/conversation-${i}/transcript-${"x".repeat(i % 37)}.txt`,
    );
    const zip = await archive(async (w) => {
      for (const [i, name] of names.entries()) {
        await w.addStream(name, Readable.from([Buffer.from(`transcript ${i}`)]), { compress: true });
      }
    });
    const files = await unpack(zip);
    expect([...files.keys()]).toEqual(names);
    for (const [i, name] of names.entries()) expect(files.get(name)!.data.toString()).toBe(`transcript ${i}`);
  });

  it("refuses entry names that would leave the folder it is unpacked in", async () => {
    const writer = new PackageWriter(async (body) => {
      for await (const _ of body) void _;
    }, FIXED_EPOCH);
    for (const bad of ["../x", "a/../../x", "/etc/passwd", "C:/x", ""]) {
      await expect(
        writer.addStream(bad, Readable.from([Buffer.from("x")]), { compress: true }),
      ).rejects.toThrow();
    }
  });
});

describe("ZIP64 records (past 4 GiB)", () => {
  const time = zipTime(new Date("2026-03-04T05:06:08Z"));
  const name = Buffer.from("files/audio/long.ogg");
  const big = { name, method: 0, sizesFollow: true, crc: 1, compressed: 5e9, size: 5e9, offset: 6e9 };

  it("the central record marks the 32-bit fields and carries the real values in its ZIP64 field", () => {
    const r = centralRecord(big, time);
    expect(r.readUInt16LE(6)).toBe(45);
    expect([r.readUInt32LE(20), r.readUInt32LE(24), r.readUInt32LE(42)]).toEqual([
      0xffffffff, 0xffffffff, 0xffffffff,
    ]);
    const extra = 46 + name.length + 9;
    expect(r.readUInt16LE(extra)).toBe(0x0001);
    expect(r.readUInt16LE(extra + 2)).toBe(24);
    expect(Number(r.readBigUInt64LE(extra + 4))).toBe(5e9);
    expect(Number(r.readBigUInt64LE(extra + 12))).toBe(5e9);
    expect(Number(r.readBigUInt64LE(extra + 20))).toBe(6e9);
    // Below 4 GiB: the classic fields, no ZIP64 field.
    const small = centralRecord({ ...big, compressed: 10, size: 20, offset: 30 }, time);
    expect(small.length).toBe(46 + name.length + 9);
    expect([small.readUInt32LE(20), small.readUInt32LE(24), small.readUInt32LE(42)]).toEqual([10, 20, 30]);
  });

  it("the data descriptor has 8-byte sizes, and the end has a ZIP64 record and locator", () => {
    const d = dataDescriptor(big);
    expect(d.length).toBe(24);
    expect(Number(d.readBigUInt64LE(8))).toBe(5e9);
    expect(dataDescriptor({ ...big, compressed: 10, size: 20, offset: 30 }).length).toBe(16);
    const end = endOfArchive(70_000, 6e9, 1e6);
    expect(end.readUInt32LE(0)).toBe(0x06064b50);
    expect(Number(end.readBigUInt64LE(32))).toBe(70_000);
    expect(Number(end.readBigUInt64LE(48))).toBe(6e9);
    expect(end.readUInt32LE(56)).toBe(0x07064b50);
    expect(Number(end.readBigUInt64LE(64))).toBe(6e9 + 1e6);
    expect(end.readUInt32LE(76)).toBe(0x06054b50);
    expect(end.readUInt16LE(76 + 10)).toBe(0xffff);
    expect(endOfArchive(3, 100, 50).length).toBe(22);
  });

  it("a local header of unknown size says the sizes follow (bit 3), and names are UTF-8 (bit 11)", () => {
    const h = localHeader(name, 8, time);
    expect(h.readUInt16LE(6)).toBe((1 << 11) | (1 << 3));
    expect(localHeader(name, 8, time, { crc: 1, compressed: 2, size: 3 }).readUInt16LE(6)).toBe(1 << 11);
  });
});
