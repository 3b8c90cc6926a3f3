import { createDecipheriv, createHash, randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { describe, expect, it } from "vitest";
import {
  BackupIntegrityError,
  SEGMENT_BYTES,
  SegmentDecryptor,
  SegmentEncryptor,
} from "../../src/app/backups/crypto-stream";
import { GCM_TAG_BYTES, open, seal } from "../../src/domain/crypto";
import { ttlSeconds, platformContainers } from "../../src/adapters/cosmos/layout";
import { retentionCutoff } from "../../src/app/retention/sweep";
import { platformInventory } from "../../src/domain/inventory/platform-inventory";
import { createPolicy, periods } from "../../src/domain/policy/periods";

/**
 * The encrypted blob format of the backups (AES-256-GCM in authenticated segments): what goes in comes
 * out; any change, reordering, truncation, extension, wrong key or wrong tenant fails before the data
 * it concerns is handed on.
 */

async function collect(source: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of source) parts.push(c);
  return Buffer.concat(parts);
}

async function encrypt(plain: Buffer, key: Buffer, context = "bk-1/t-1", chunk = 10_000) {
  const enc = new SegmentEncryptor(key, context);
  const chunks = Array.from({ length: Math.ceil(plain.length / chunk) }, (_, i) =>
    plain.subarray(i * chunk, (i + 1) * chunk),
  );
  let out: Buffer = Buffer.alloc(0);
  await pipeline(Readable.from(chunks), enc, async (s: AsyncIterable<Buffer>) => {
    out = await collect(s);
  });
  return { blob: out, sha256: enc.sha256(), bytes: enc.bytes };
}

async function decrypt(blob: Buffer, key: Buffer, context = "bk-1/t-1", chunk = 7_777) {
  const dec = new SegmentDecryptor(key, context);
  const handed: Buffer[] = [];
  const chunks = Array.from({ length: Math.ceil(blob.length / chunk) || 1 }, (_, i) =>
    blob.subarray(i * chunk, (i + 1) * chunk),
  );
  await pipeline(Readable.from(chunks), dec, async (s: AsyncIterable<Buffer>) => {
    for await (const c of s) handed.push(c);
  });
  return { plain: Buffer.concat(handed), sha256: dec.sha256() };
}

/** What the decryptor handed on before it failed, and the failure. */
async function decryptUntilFailure(blob: Buffer, key: Buffer, context = "bk-1/t-1") {
  const dec = new SegmentDecryptor(key, context);
  const handed: Buffer[] = [];
  let error: unknown;
  try {
    await pipeline(Readable.from([blob]), dec, async (s: AsyncIterable<Buffer>) => {
      for await (const c of s) handed.push(c);
    });
  } catch (e) {
    error = e;
  }
  return { handed: Buffer.concat(handed), error };
}

describe("backup blob format", () => {
  const key = randomBytes(32);
  const plain = randomBytes(3 * SEGMENT_BYTES + 1234);

  it("round-trips any size (empty, one byte, exactly a segment, several), hashing what it writes", async () => {
    for (const size of [0, 1, SEGMENT_BYTES, SEGMENT_BYTES + 1, plain.length]) {
      const input = plain.subarray(0, size);
      const { blob, sha256, bytes } = await encrypt(input, key);
      expect(bytes).toBe(blob.length);
      expect(sha256).toBe(createHash("sha256").update(blob).digest("hex"));
      const out = await decrypt(blob, key);
      expect(out.plain.equals(input), `size ${size}`).toBe(true);
      expect(out.sha256).toBe(sha256);
    }
  });

  it("never shows the plaintext, and two encryptions of the same data differ", async () => {
    const text = Buffer.from('{"c":"conversations","d":{"contactPhone":"+919812345678"}}\n'.repeat(50));
    const a = await encrypt(text, key);
    const b = await encrypt(text, key);
    expect(a.blob.includes(Buffer.from("+919812345678"))).toBe(false);
    expect(a.blob.equals(b.blob)).toBe(false);
  });

  it("a flipped byte anywhere fails; segments before it are handed on, the tampered one never", async () => {
    const { blob } = await encrypt(plain, key);
    for (const at of [3, 20, 16 + 5 + 100, blob.length - 3, Math.floor(blob.length / 2)]) {
      const bad = Buffer.from(blob);
      bad[at] = (bad[at] ?? 0) ^ 0x01;
      const { handed, error } = await decryptUntilFailure(bad, key);
      expect(error, `byte ${at}`).toBeInstanceOf(BackupIntegrityError);
      // Whatever was handed on is a prefix of the original, in whole segments.
      expect(plain.subarray(0, handed.length).equals(handed)).toBe(true);
      expect(handed.length % SEGMENT_BYTES).toBe(0);
    }
  });

  it("a wrong key, another tenant's context, truncation, a dropped or extra segment all fail", async () => {
    const { blob } = await encrypt(plain, key);
    const segment = 5 + SEGMENT_BYTES + 16;
    const cases: [string, Buffer, Buffer, string][] = [
      ["wrong key", blob, randomBytes(32), "bk-1/t-1"],
      ["another tenant", blob, key, "bk-1/t-2"],
      ["truncated", blob.subarray(0, blob.length - 1), key, "bk-1/t-1"],
      ["final segment dropped", blob.subarray(0, 16 + 3 * segment), key, "bk-1/t-1"],
      [
        "a segment dropped",
        Buffer.concat([blob.subarray(0, 16), blob.subarray(16 + segment)]),
        key,
        "bk-1/t-1",
      ],
      ["data appended", Buffer.concat([blob, Buffer.from([0, 0, 0, 0, 1])]), key, "bk-1/t-1"],
      ["not a backup", Buffer.from("hello world, this is not a backup"), key, "bk-1/t-1"],
    ];
    for (const [name, data, k, context] of cases) {
      const { error } = await decryptUntilFailure(data, k, context);
      expect(error, name).toBeInstanceOf(BackupIntegrityError);
    }
  });

  it("streams: 64 MiB pass through with never more than a few MiB in flight", async () => {
    const enc = new SegmentEncryptor(key, "bk-1/t-big");
    const dec = new SegmentDecryptor(key, "bk-1/t-big");
    const block = randomBytes(64 * 1024);
    let produced = 0;
    let consumed = 0;
    let inFlight = 0;
    async function* source() {
      for (let i = 0; i < 1024; i++) {
        produced += block.length;
        yield block;
      }
    }
    await pipeline(Readable.from(source()), enc, dec, async (s: AsyncIterable<Buffer>) => {
      for await (const c of s) {
        consumed += c.length;
        inFlight = Math.max(inFlight, produced - consumed);
      }
    });
    expect(consumed).toBe(64 * 1024 * 1024);
    expect(inFlight).toBeLessThan(4 * 1024 * 1024);
  });
});

describe("AES-GCM takes only a whole 16-byte tag", () => {
  const key = randomBytes(32);
  /** A sealed value (iv.tag.ciphertext) with its tag cut to its first `bytes` bytes. */
  const cut = (sealed: string, bytes: number) => {
    const [iv = "", tag = "", body = ""] = sealed.split(".");
    return [iv, Buffer.from(tag, "base64url").subarray(0, bytes).toString("base64url"), body].join(".");
  };

  it("a sealed value opens with its 16-byte tag", () => {
    const sealed = seal(key, "where to send the notice");
    expect(Buffer.from(sealed.split(".")[1] ?? "", "base64url").length).toBe(GCM_TAG_BYTES);
    expect(open(key, sealed)).toBe("where to send the notice");
  });

  it.each([12, 4])("a sealed value with its tag cut to %i bytes is refused", (bytes) => {
    const sealed = seal(key, "where to send the notice");
    // The cut tag is a prefix of the real one: GCM without a stated length would accept it.
    const [iv = "", tag = "", body = ""] = cut(sealed, bytes).split(".");
    const lax = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
    lax.setAuthTag(Buffer.from(tag, "base64url"));
    const laxPlain = Buffer.concat([lax.update(Buffer.from(body, "base64url")), lax.final()]);
    expect(laxPlain.toString("utf8")).toBe("where to send the notice");
    expect(() => open(key, cut(sealed, bytes))).toThrow();
  });

  it.each([12, 4])("a backup blob whose final tag is cut to %i bytes is refused", async (bytes) => {
    const { blob } = await encrypt(randomBytes(1000), key);
    const { error } = await decryptUntilFailure(blob.subarray(0, blob.length - (16 - bytes)), key);
    expect(error).toBeInstanceOf(BackupIntegrityError);
  });
});

describe("retention helpers", () => {
  it("the cutoff of a period counts back on the calendar", () => {
    const now = new Date("2026-06-04T10:00:00Z");
    expect(retentionCutoff(now, "P90D").toISOString()).toBe("2026-03-06T10:00:00.000Z");
    expect(retentionCutoff(now, "P7Y").toISOString()).toBe("2019-06-04T10:00:00.000Z");
    expect(retentionCutoff(now, "PT1H").toISOString()).toBe("2026-06-04T09:00:00.000Z");
  });

  it("Cosmos TTL backs the usage sweep (90 days) and nothing else", () => {
    const withTtl = platformContainers(platformInventory).filter((c) => c.defaultTtl !== undefined);
    expect(withTtl).toEqual([{ name: "usage", partitionKeyPath: "/tenantId", defaultTtl: 90 * 86_400 }]);
    const payments = platformInventory.find((e) => e.category === "payments")!;
    expect(ttlSeconds(payments)).toBeUndefined();
  });

  it("backup sets live 35 days by default; an override past 90 days is refused at start", () => {
    expect(periods.backupRotation).toMatchObject({ duration: "P35D", max: "P90D" });
    expect(createPolicy({ backupRotation: "P60D" }).periods.backupRotation.duration).toBe("P60D");
    expect(() => createPolicy({ backupRotation: "P91D" })).toThrow(/backupRotation/);
  });
});
