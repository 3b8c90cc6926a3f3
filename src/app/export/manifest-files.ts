import { AppendBuffer } from "./append-buffer";
import type { WrittenFile } from "./zip-writer";

export interface ManifestFile extends WrittenFile {
  category?: string;
  records?: number;
}

/**
 * The manifest's list of files, kept as the JSON it is written as (about 150 bytes a file): with the
 * ZIP's central directory, the one part of an export's memory that grows with its files, since the
 * manifest names every one. Written out as a stream, never as one string.
 */
export class ManifestFiles {
  private readonly text = new AppendBuffer();
  count = 0;

  add(file: ManifestFile): void {
    this.text.append(Buffer.from(`${this.count === 0 ? "" : ","}\n    ${JSON.stringify(file)}`));
    this.count += 1;
  }

  /** `head` (every field but `files`) as indented JSON, then `files`: the list, last. */
  async *json(head: Record<string, unknown>): AsyncGenerator<Buffer> {
    const text = JSON.stringify({ ...head, files: [] }, null, 2);
    const open = text.lastIndexOf("[]");
    yield Buffer.from(`${text.slice(0, open)}[`);
    yield* this.text.contents();
    yield Buffer.from(`${this.count === 0 ? "" : "\n  "}]${text.slice(open + 2)}\n`);
  }
}
