import { createHash } from "node:crypto";
import { once } from "node:events";
import { Readable, Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import { promisify } from "node:util";
import { crc32, createDeflateRaw, deflateRaw, deflateRawSync } from "node:zlib";
import { AppendBuffer } from "./append-buffer";
import {
  centralRecord,
  DEFLATE,
  dataDescriptor,
  type EntryFacts,
  endOfArchive,
  entryName,
  localHeader,
  STORE,
  type ZipTime,
  zipTime,
} from "./zip-format";

/** What the manifest says of one file: its size and SHA-256 as the reader unpacks it. */
export interface WrittenFile {
  path: string;
  bytes: number;
  sha256: string;
}

/** Counts and hashes what passes through, unchanged. */
export class HashTap extends Transform {
  private readonly hash = createHash("sha256");
  bytes = 0;
  digest?: string;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    this.digest = this.hash.digest("hex");
    done();
  }
}

/** The size of the chunks the upload receives. */
export const COALESCE_BYTES = 1024 * 1024;

/**
 * Copies what passes into chunks of its own of `size` bytes. The archive is written in many small
 * pieces (30-byte headers, slices of zlib's 16 KB output buffers): the upload gets a block's worth at
 * a time, and an upload that holds chunks until it has a block holds exactly those bytes, not every
 * larger buffer a slice would keep alive.
 */
export class Coalesce extends Transform {
  private buffer: Buffer;
  private used = 0;

  constructor(private readonly size: number) {
    super();
    this.buffer = Buffer.allocUnsafe(size);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    let offset = 0;
    while (offset < chunk.length) {
      const n = Math.min(chunk.length - offset, this.size - this.used);
      chunk.copy(this.buffer, this.used, offset, offset + n);
      this.used += n;
      offset += n;
      if (this.used === this.size) {
        this.push(this.buffer);
        this.buffer = Buffer.allocUnsafe(this.size);
        this.used = 0;
      }
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.used > 0) this.push(Buffer.from(this.buffer.subarray(0, this.used)));
    done();
  }
}

export type Sink = (stream: Readable) => Promise<void>;

const deflateRawAsync = promisify(deflateRaw);

/**
 * An entry up to this size is read whole and deflated in one call, its sizes in its local header: most
 * files of an export are small (transcripts, knowledge-base pages), and a deflate stream per file costs
 * more than the file. Larger entries stream through a deflate stream and a data descriptor.
 */
export const SMALL_ENTRY_BYTES = 64 * 1024;

/** What a file's bytes come to as they pass: size, CRC-32 (for the archive), SHA-256 (for the manifest). */
class Tally {
  private readonly hash = createHash("sha256");
  crc = 0;
  size = 0;

  add(chunk: Buffer): void {
    this.hash.update(chunk);
    this.crc = crc32(chunk, this.crc);
    this.size += chunk.length;
  }

  digest(): string {
    return this.hash.digest("hex");
  }
}

/**
 * A ZIP written as a stream into `sink` (the blob upload): one entry at a time, in the order added,
 * each entry's source read only when the archive reaches it, with backpressure from the upload, so
 * memory holds a chunk or two and the central directory (a hundred bytes per file), not the data.
 * Every file is hashed on the way in (for the manifest) and the archive on the way out (for the job
 * and the audit). A failure on either side (a source, or the upload) ends both, never a hang.
 */
export class PackageWriter {
  /** What the sink reads: the archive in chunks of COALESCE_BYTES. */
  private readonly body = new Coalesce(COALESCE_BYTES);
  private readonly hash = createHash("sha256");
  /** The central directory as it grows: about a hundred bytes per file. */
  private readonly directory = new AppendBuffer();
  private entries = 0;
  private readonly time: ZipTime;
  private readonly upload: Promise<void>;
  /** Bytes of the archive written so far: the offset of the next entry. */
  private offset = 0;
  /** Entries are written one after the other, in the order they were added. */
  private queue: Promise<unknown> = Promise.resolve();
  private failure?: Error;
  /** Whoever waits on the archive now: told at once if anything fails. */
  private readonly waiters = new Set<(e: Error) => void>();

  constructor(sink: Sink, mtime: Date) {
    this.time = zipTime(mtime);
    this.body.on("error", (e: Error) => this.abort(e));
    this.upload = sink(this.body).catch((e: unknown) => {
      const error = e instanceof Error ? e : new Error("the upload failed");
      this.abort(error);
      throw error;
    });
    this.upload.catch(() => {});
  }

  /** Stops everything with `e`: the upload sees a failed body and does not commit it. */
  abort(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    for (const wake of this.waiters) wake(e);
    this.waiters.clear();
    this.body.destroy(e);
  }

  /** Adds one entry from a stream of chunks and resolves once the archive has read all of it. */
  async addStream(
    path: string,
    source: AsyncIterable<Buffer> | Readable,
    options: { compress: boolean },
  ): Promise<WrittenFile> {
    this.throwIfFailed();
    const name = entryName(path);
    const written = this.enqueue(() => this.writeStream(name, source, options.compress));
    try {
      return { path, ...(await this.unlessFailed(written)) };
    } catch (e) {
      const error = e instanceof Error ? e : new Error("an export source failed");
      if (source instanceof Readable) source.destroy();
      this.abort(error);
      throw this.failure ?? error;
    }
  }

  /** Adds one entry held whole (the summary, the manifest); written after those added before it. */
  addBuffer(path: string, data: Buffer, options: { compress: boolean } = { compress: true }): WrittenFile {
    this.throwIfFailed();
    const name = entryName(path);
    const tally = new Tally();
    tally.add(data);
    const sha256 = tally.digest();
    const written = this.enqueue(async () => {
      const deflated = options.compress ? await deflateRawAsync(data) : undefined;
      await this.writeWhole(name, data, tally.crc, deflated);
    });
    written.catch((e: unknown) => this.abort(e instanceof Error ? e : new Error("the archive failed")));
    return { path, bytes: data.length, sha256 };
  }

  /** Ends the archive and waits for the upload to commit it; the archive's size and SHA-256. */
  async finish(): Promise<{ bytes: number; sha256: string }> {
    this.throwIfFailed();
    const ended = this.enqueue(async () => {
      const start = this.offset;
      for (const records of this.directory.contents()) await this.write(records);
      await this.write(endOfArchive(this.entries, start, this.directory.bytes));
      this.body.end();
    });
    await this.unlessFailed(ended);
    await this.unlessFailed(this.upload);
    if (this.failure) throw this.failure;
    return { bytes: this.offset, sha256: this.hash.digest("hex") };
  }

  /** After a failure: wait until the upload has given up, so nothing is left writing. */
  async settle(): Promise<void> {
    await this.upload.catch(() => {});
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      this.throwIfFailed();
      return work();
    });
    this.queue = run.catch(() => {});
    return run;
  }

  /** Appends to the archive, waiting while the upload is behind. */
  private async write(chunk: Buffer): Promise<void> {
    this.throwIfFailed();
    this.hash.update(chunk);
    this.offset += chunk.length;
    if (!this.body.write(chunk)) await this.unlessFailed(once(this.body, "drain"));
  }

  /** An entry whose bytes are all known: sizes in the local header, no data descriptor. */
  private async writeWhole(name: Buffer, data: Buffer, crc: number, deflated?: Buffer): Promise<void> {
    // Deflate only where it makes the entry smaller (a few bytes of text grow when deflated).
    const packed = deflated && deflated.length < data.length ? deflated : undefined;
    const method = packed ? DEFLATE : STORE;
    const facts: EntryFacts = {
      name,
      method,
      sizesFollow: false,
      crc,
      compressed: (packed ?? data).length,
      size: data.length,
      offset: this.offset,
    };
    await this.write(localHeader(name, method, this.time, facts));
    if (facts.compressed > 0) await this.write(packed ?? data);
    this.directory.append(centralRecord(facts, this.time));
    this.entries += 1;
  }

  private async writeStream(
    name: Buffer,
    source: AsyncIterable<Buffer> | Readable,
    compress: boolean,
  ): Promise<{ bytes: number; sha256: string }> {
    const iterator = (source as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    const tally = new Tally();
    // Read up to SMALL_ENTRY_BYTES: a file that ends within is written whole.
    const head: Buffer[] = [];
    let ended = false;
    while (tally.size <= SMALL_ENTRY_BYTES) {
      const next = await iterator.next();
      if (next.done) {
        ended = true;
        break;
      }
      const chunk = typeof next.value === "string" ? Buffer.from(next.value, "utf8") : next.value;
      tally.add(chunk);
      head.push(chunk);
    }
    if (ended) {
      const data = head.length === 1 ? head[0]! : Buffer.concat(head);
      await this.writeWhole(name, data, tally.crc, compress ? deflateRawSync(data) : undefined);
      return { bytes: tally.size, sha256: tally.digest() };
    }
    const offset = this.offset;
    const method = compress ? DEFLATE : STORE;
    await this.write(localHeader(name, method, this.time));
    let compressed = 0;
    async function* rest(): AsyncGenerator<Buffer> {
      yield* head.splice(0);
      try {
        for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
          const chunk = typeof next.value === "string" ? Buffer.from(next.value, "utf8") : next.value;
          tally.add(chunk);
          yield chunk;
        }
      } finally {
        await iterator.return?.();
      }
    }
    const out = async (chunks: AsyncIterable<Buffer>) => {
      for await (const chunk of chunks) {
        compressed += chunk.length;
        await this.write(chunk);
      }
    };
    if (compress) await pipeline(rest(), createDeflateRaw(), out);
    else await out(rest());
    const facts: EntryFacts = {
      name,
      method,
      sizesFollow: true,
      crc: tally.crc,
      compressed,
      size: tally.size,
      offset,
    };
    await this.write(dataDescriptor(facts));
    this.directory.append(centralRecord(facts, this.time));
    this.entries += 1;
    return { bytes: tally.size, sha256: tally.digest() };
  }

  /** `work`, or the writer's failure as soon as there is one (then `work` is left to settle alone). */
  private unlessFailed<T>(work: Promise<T>): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<T>((resolve, reject) => {
      this.waiters.add(reject);
      work.then(
        (value) => {
          this.waiters.delete(reject);
          resolve(value);
        },
        (e: unknown) => {
          this.waiters.delete(reject);
          reject(e instanceof Error ? e : new Error("the export failed"));
        },
      );
    });
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }
}
