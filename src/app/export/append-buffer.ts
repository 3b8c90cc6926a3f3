/**
 * Bytes appended as they come, kept in chunks of CHUNK bytes: what an export must remember of every
 * file until its end (the ZIP's central directory, the manifest's list) at the cost of the bytes
 * themselves, where an object per file would cost several times that.
 */
const CHUNK = 64 * 1024;

export class AppendBuffer {
  private readonly chunks: Buffer[] = [];
  private used = 0;
  bytes = 0;

  append(data: Buffer): void {
    const last = this.chunks.length - 1;
    if (this.used + data.length > (this.chunks[last]?.length ?? 0)) {
      // The chunk ends where its last piece does; the next piece starts a new one.
      if (last >= 0) this.chunks[last] = this.chunks[last]!.subarray(0, this.used);
      this.chunks.push(Buffer.allocUnsafe(Math.max(CHUNK, data.length)));
      this.used = 0;
    }
    data.copy(this.chunks.at(-1)!, this.used);
    this.used += data.length;
    this.bytes += data.length;
  }

  /** What was appended, in order. */
  *contents(): Iterable<Buffer> {
    for (const [i, chunk] of this.chunks.entries()) {
      yield i === this.chunks.length - 1 ? chunk.subarray(0, this.used) : chunk;
    }
  }
}
