import { createHash } from "node:crypto";
import { Readable, Transform, type TransformCallback } from "node:stream";
import { ZipFile } from "yazl";

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
 * Copies what passes into chunks of its own of `size` bytes. The archive emits many small slices of
 * larger buffers (a deflated file of 100 bytes is a slice of zlib's 16 KB output buffer); an upload
 * that holds chunks until it has a block would keep every whole buffer alive, hundreds of times the
 * data. Copied, it holds exactly the bytes it waits for.
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

/**
 * The stream for yazl, handed over once. yazl keeps this callback on its entry until the archive ends,
 * so it is made here, in a scope that holds nothing else: a closure made inside `addStream` would keep
 * that call's whole context (the source stream, the download behind it) alive for every entry.
 */
function handOnce(stream: Readable) {
  let pending: Readable | undefined = stream;
  return (cb: (err: null, readStream: Readable) => void) => {
    const s = pending!;
    pending = undefined;
    cb(null, s);
  };
}

/**
 * A ZIP written as a stream into `sink` (the blob upload): one entry at a time, each entry's source
 * read only when the archive reaches it, so memory holds a chunk or two, not the data. Every file is
 * hashed on the way in (for the manifest) and the archive on the way out (for the job and the audit).
 * A failure on either side (a source, or the upload) ends both, never a hang.
 */
export class PackageWriter {
  private readonly zip = new ZipFile();
  private readonly output: Readable;
  private readonly out = new HashTap();
  private readonly upload: Promise<void>;
  private failure?: Error;
  /** Whoever waits on the archive now: told at once if anything fails. */
  private readonly waiters = new Set<(e: Error) => void>();
  private readonly mtime: Date;

  constructor(sink: Sink, mtime: Date) {
    this.mtime = mtime;
    this.output = this.zip.outputStream as Readable;
    this.zip.on("error", (e: Error) => this.abort(e));
    this.output.on("error", (e: Error) => this.abort(e));
    this.output.pipe(this.out);
    const body = new Coalesce(COALESCE_BYTES);
    this.out.pipe(body);
    this.out.on("error", (e: Error) => body.destroy(e));
    this.upload = sink(body).catch((e: unknown) => {
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
    this.out.destroy(e);
    this.output.destroy();
  }

  /** Adds one entry from a stream of chunks and resolves once the archive has read all of it. */
  async addStream(
    path: string,
    source: AsyncIterable<Buffer> | Readable,
    options: { compress: boolean },
  ): Promise<WrittenFile> {
    this.throwIfFailed();
    const readable = source instanceof Readable ? source : Readable.from(source, { objectMode: false });
    const tap = new HashTap();
    const finished = new Promise<void>((resolve, reject) => {
      tap.on("end", resolve);
      tap.on("error", reject);
      readable.on("error", reject);
    });
    finished.catch(() => {});
    readable.pipe(tap);
    this.zip.addReadStreamLazy(path, { compress: options.compress, mtime: this.mtime }, handOnce(tap));
    try {
      await this.unlessFailed(finished);
    } catch (e) {
      const error = e instanceof Error ? e : new Error("an export source failed");
      readable.destroy();
      tap.destroy();
      this.abort(error);
      throw this.failure ?? error;
    }
    return { path, bytes: tap.bytes, sha256: tap.digest! };
  }

  addBuffer(path: string, data: Buffer, options: { compress: boolean } = { compress: true }): WrittenFile {
    this.throwIfFailed();
    this.zip.addBuffer(data, path, { compress: options.compress, mtime: this.mtime });
    return { path, bytes: data.length, sha256: createHash("sha256").update(data).digest("hex") };
  }

  /** Ends the archive and waits for the upload to commit it; the archive's size and SHA-256. */
  async finish(): Promise<{ bytes: number; sha256: string }> {
    this.throwIfFailed();
    this.zip.end();
    await this.unlessFailed(this.upload);
    if (this.failure) throw this.failure;
    return { bytes: this.out.bytes, sha256: this.out.digest! };
  }

  /** After a failure: wait until the upload has given up, so nothing is left writing. */
  async settle(): Promise<void> {
    await this.upload.catch(() => {});
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
