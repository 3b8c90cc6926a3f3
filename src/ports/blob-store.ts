import type { Readable } from "node:stream";

export interface BlobInfo {
  name: string;
  size: number;
  metadata: Record<string, string>;
}

export interface BlobStore {
  put(
    container: string,
    name: string,
    body: Buffer | string | Readable,
    options?: { contentType?: string; metadata?: Record<string, string> },
  ): Promise<void>;
  read(container: string, name: string): Promise<Buffer | undefined>;
  openRead(container: string, name: string): Promise<Readable | undefined>;
  /** False when the blob was already gone. */
  delete(container: string, name: string): Promise<boolean>;
  list(container: string, prefix: string): AsyncIterable<BlobInfo>;
  count(container: string, prefix: string): Promise<number>;
  /** A read-only link to one blob that stops working at `expiresOn`. */
  readUrl(container: string, name: string, expiresOn: Date): Promise<string>;
  ping(): Promise<void>;
}
