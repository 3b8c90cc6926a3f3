import { createCipheriv, createDecipheriv, createHash, type Hash, randomBytes } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";
import { GCM_TAG_BYTES } from "../../domain/crypto";

/**
 * The encrypted form of one tenant's backup blob: AES-256-GCM in segments (the STREAM construction),
 * so a blob of any size is written and read with flat memory and every 64 KiB is authenticated before
 * anything in it is used. A whole-blob GCM tag would only be checked at the end, after a restore had
 * already written what came before a tampered byte.
 *
 *   header  = MAGIC (8 bytes) ‖ nonce prefix (8 random bytes)
 *   segment = flag (1: 0 more, 1 final) ‖ length (4, big-endian) ‖ ciphertext (length) ‖ tag (16)
 *   IV      = nonce prefix ‖ segment number (4, big-endian)
 *   AAD     = header ‖ context ("<setId>/<tenantId>") ‖ flag ‖ segment number
 *
 * The context binds a blob to its set and tenant (a blob copied over another tenant's fails), the
 * segment number catches reordering, and the final flag catches truncation.
 */
export const FORMAT = "dpdp-backup/1 (ndjson, gzip, aes-256-gcm segments)";
const MAGIC = Buffer.from("DPDPBK01", "ascii");
const HEADER_BYTES = 16;
const TAG_BYTES = GCM_TAG_BYTES;
const FRAME_BYTES = 5;
export const SEGMENT_BYTES = 64 * 1024;

/** A blob that fails authentication, is truncated or malformed: tampered, damaged or the wrong key. */
export class BackupIntegrityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BackupIntegrityError";
  }
}

function aad(header: Buffer, context: Buffer, final: boolean, counter: number): Buffer {
  const tail = Buffer.alloc(5);
  tail.writeUInt8(final ? 1 : 0, 0);
  tail.writeUInt32BE(counter, 1);
  return Buffer.concat([header, context, tail]);
}

function iv(prefix: Buffer, counter: number): Buffer {
  const out = Buffer.alloc(12);
  prefix.copy(out, 0, 0, 8);
  out.writeUInt32BE(counter, 8);
  return out;
}

/** Plaintext in, the encrypted blob out; counts and hashes what it emits (the manifest's SHA-256). */
export class SegmentEncryptor extends Transform {
  private readonly header: Buffer;
  private readonly context: Buffer;
  private readonly hash: Hash = createHash("sha256");
  private pending: Buffer = Buffer.alloc(0);
  private counter = 0;
  /** Bytes emitted so far (the blob's size once the stream ends). */
  bytes = 0;

  constructor(
    private readonly key: Buffer,
    context: string,
  ) {
    super();
    if (key.length !== 32) throw new Error("a backup data key is 32 bytes");
    this.header = Buffer.concat([MAGIC, randomBytes(8)]);
    this.context = Buffer.from(context, "utf8");
    this.send(this.header);
  }

  /** SHA-256 (hex) of the whole blob; valid once the stream has ended. */
  sha256(): string {
    return this.hash.digest("hex");
  }

  private send(chunk: Buffer): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    this.push(chunk);
  }

  private seal(plain: Buffer, final: boolean): void {
    if (this.counter === 0xffffffff) throw new Error("backup blob too large for one data key stream");
    const cipher = createCipheriv("aes-256-gcm", this.key, iv(this.header.subarray(8), this.counter), {
      authTagLength: TAG_BYTES,
    });
    cipher.setAAD(aad(this.header, this.context, final, this.counter));
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    const frame = Buffer.alloc(FRAME_BYTES);
    frame.writeUInt8(final ? 1 : 0, 0);
    frame.writeUInt32BE(body.length, 1);
    this.send(Buffer.concat([frame, body, cipher.getAuthTag()]));
    this.counter += 1;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    try {
      const all = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
      let at = 0;
      // Strictly more than a segment: what is left over always makes the final segment.
      while (all.length - at > SEGMENT_BYTES) {
        this.seal(all.subarray(at, at + SEGMENT_BYTES), false);
        at += SEGMENT_BYTES;
      }
      // A copy, so a large input chunk is not kept alive by the few bytes left of it.
      this.pending = Buffer.from(all.subarray(at));
      done();
    } catch (e) {
      done(e as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      this.seal(this.pending, true);
      this.pending = Buffer.alloc(0);
      done();
    } catch (e) {
      done(e as Error);
    }
  }
}

/**
 * The encrypted blob in, plaintext out, one authenticated segment at a time; fails with
 * BackupIntegrityError on any altered, reordered, missing or extra byte. Hashes what it reads.
 */
export class SegmentDecryptor extends Transform {
  private readonly context: Buffer;
  private readonly hash: Hash = createHash("sha256");
  private buffer: Buffer = Buffer.alloc(0);
  private header?: Buffer;
  private counter = 0;
  private finished = false;
  bytes = 0;

  constructor(
    private readonly key: Buffer,
    context: string,
  ) {
    super();
    this.context = Buffer.from(context, "utf8");
  }

  sha256(): string {
    return this.hash.digest("hex");
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    try {
      this.drain();
      // What is left is less than a segment: a copy, so the chunk it came from can be freed.
      this.buffer = Buffer.from(this.buffer);
      done();
    } catch (e) {
      done(e as Error);
    }
  }

  private drain(): void {
    for (;;) {
      if (!this.header) {
        if (this.buffer.length < HEADER_BYTES) return;
        const header = this.buffer.subarray(0, HEADER_BYTES);
        if (!header.subarray(0, 8).equals(MAGIC)) {
          throw new BackupIntegrityError("not a backup blob of this service (bad header)");
        }
        this.header = Buffer.from(header);
        this.buffer = this.buffer.subarray(HEADER_BYTES);
        continue;
      }
      if (this.buffer.length === 0) return;
      if (this.finished) throw new BackupIntegrityError("data after the final segment");
      if (this.buffer.length < FRAME_BYTES) return;
      const flag = this.buffer.readUInt8(0);
      const length = this.buffer.readUInt32BE(1);
      if (flag > 1 || length > SEGMENT_BYTES) throw new BackupIntegrityError("malformed segment");
      const total = FRAME_BYTES + length + TAG_BYTES;
      if (this.buffer.length < total) return;
      const body = this.buffer.subarray(FRAME_BYTES, FRAME_BYTES + length);
      const tag = this.buffer.subarray(FRAME_BYTES + length, total);
      const final = flag === 1;
      let plain: Buffer;
      try {
        // The frame fixes the tag at 16 bytes; stated here too, so a shorter tag could never be taken.
        if (tag.length !== TAG_BYTES) throw new Error("short tag");
        const decipher = createDecipheriv(
          "aes-256-gcm",
          this.key,
          iv(this.header.subarray(8), this.counter),
          {
            authTagLength: TAG_BYTES,
          },
        );
        decipher.setAAD(aad(this.header, this.context, final, this.counter));
        decipher.setAuthTag(tag);
        plain = Buffer.concat([decipher.update(body), decipher.final()]);
      } catch {
        throw new BackupIntegrityError(`segment ${this.counter} failed authentication`);
      }
      this.counter += 1;
      this.finished = final;
      this.buffer = this.buffer.subarray(total);
      if (plain.length) this.push(plain);
    }
  }

  override _flush(done: TransformCallback): void {
    if (!this.header || !this.finished || this.buffer.length > 0) {
      done(new BackupIntegrityError("the blob is truncated"));
      return;
    }
    done();
  }
}
