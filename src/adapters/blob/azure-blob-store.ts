import { type Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  BlobSASPermissions,
  type BlobServiceClient,
  type BlockBlobClient,
  type ContainerClient,
  generateBlobSASQueryParameters,
  RestError,
  SASProtocol,
  StorageSharedKeyCredential,
  type UserDelegationKey,
} from "@azure/storage-blob";
import type { BlobInfo, BlobStore } from "../../ports/blob-store";

/**
 * How a read link is signed: a user delegation key from managed identity in Azure (HTTPS only), the
 * account key of Azurite locally (Azurite needs OAuth mode for delegation keys).
 */
export type SasSigning =
  { kind: "user-delegation" } | { kind: "shared-key"; credential: StorageSharedKeyCredential };

/**
 * A streamed upload goes up in blocks through one buffer, filled, staged, then filled again: memory
 * holds one block whatever is uploaded, and the upload still overlaps the work upstream, which fills
 * its own buffers (the export's 1 MiB chunks, a stream's high-water mark) while a block is staged.
 * Blocks of 1 MiB: the block is allocated whole for every streamed upload (a backup writes one per
 * tenant), and 4 MiB made a backup set measurably slower with the collector's work; past
 * SMALL_BLOCKS blocks (about 1 GiB) they are 4 MiB, so a blob can still reach about 190 GiB within
 * Azure's 50 000 blocks. (The SDK's uploadStream keeps the caller's chunks until it has a block, so
 * below one block it holds all the data, and copies them again into buffers of its own.)
 */
const SMALL_BLOCK_BYTES = 1024 * 1024;
const SMALL_BLOCKS = 1000;
const LARGE_BLOCK_BYTES = 4 * 1024 * 1024;

/** Names per listing page: Azure's largest page (a listing is billed per page). */
const LIST_PAGE = 5000;

/** Base64 ids of one length within a blob, as Azure requires: the block's index, zero-padded. */
const blockId = (index: number) => Buffer.from(String(index).padStart(6, "0")).toString("base64");

/**
 * The blocks of one streamed upload, as a Writable the body is piped into. Each chunk is copied into
 * the block and acknowledged at once, so it is let go (a chunk held until the block is staged would be
 * a second block's worth); a full block is staged in the background, and the next write waits for it
 * before it copies into the block again.
 */
class BlockWriter extends Writable {
  readonly ids: string[] = [];
  private block = Buffer.allocUnsafe(SMALL_BLOCK_BYTES);
  private used = 0;
  /** The block being staged; the buffer is free again once it settles. */
  private staging?: Promise<void>;

  constructor(private readonly blob: BlockBlobClient) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (e?: Error | null) => void): void {
    this.take(chunk).then(() => done(), done);
  }

  override _final(done: (e?: Error | null) => void): void {
    (async () => {
      await this.staging;
      if (this.used > 0) {
        this.stage(this.used);
        await this.staging;
      }
    })().then(() => done(), done);
  }

  /** The block being staged, if any, whatever became of it (after a failure). */
  async settled(): Promise<void> {
    await this.staging?.catch(() => {});
  }

  private async take(chunk: Buffer): Promise<void> {
    let offset = 0;
    while (offset < chunk.length) {
      await this.staging;
      const n = chunk.copy(this.block, this.used, offset);
      this.used += n;
      offset += n;
      if (this.used === this.block.length) this.stage(this.used);
    }
  }

  private stage(bytes: number): void {
    const id = blockId(this.ids.length);
    this.ids.push(id);
    this.staging = this.blob.stageBlock(id, this.block.subarray(0, bytes), bytes).then(() => {
      // Staged: the SDK is done with the bytes, and the buffer is filled again.
      this.staging = undefined;
      this.used = 0;
      if (this.ids.length === SMALL_BLOCKS) this.block = Buffer.allocUnsafe(LARGE_BLOCK_BYTES);
    });
    this.staging.catch(() => {}); // observed by the next write, or at the end
  }
}

async function uploadBlocks(
  blob: BlockBlobClient,
  body: Readable,
  headers: { blobHTTPHeaders: { blobContentType?: string }; metadata?: Record<string, string> },
): Promise<void> {
  const blocks = new BlockWriter(blob);
  try {
    await pipeline(body, blocks);
  } catch (e) {
    // Nothing is committed (Azure discards uncommitted blocks), and nothing is left writing.
    await blocks.settled();
    throw e;
  }
  await blob.commitBlockList(blocks.ids, headers);
}

export class AzureBlobStore implements BlobStore {
  private delegationKey?: { key: UserDelegationKey; validUntil: number };

  /** `pingContainer`: a container of this account the identity may read (its roles are per container). */
  constructor(
    private readonly service: BlobServiceClient,
    private readonly signing: SasSigning,
    private readonly pingContainer = "exports",
  ) {}

  private container(name: string): ContainerClient {
    return this.service.getContainerClient(name);
  }

  async put(
    container: string,
    name: string,
    body: Buffer | string | Readable,
    options: { contentType?: string; metadata?: Record<string, string> } = {},
  ): Promise<void> {
    const blob = this.container(container).getBlockBlobClient(name);
    const headers = { blobHTTPHeaders: { blobContentType: options.contentType }, metadata: options.metadata };
    if (typeof body === "string" || Buffer.isBuffer(body)) {
      const data = typeof body === "string" ? Buffer.from(body, "utf8") : body;
      await blob.upload(data, data.length, headers);
    } else {
      // Streams stay streams: two blocks at most in memory, whatever the size of the data.
      await uploadBlocks(blob, body, headers);
    }
  }

  async read(container: string, name: string): Promise<Buffer | undefined> {
    try {
      return await this.container(container).getBlobClient(name).downloadToBuffer();
    } catch (e) {
      if (e instanceof RestError && e.statusCode === 404) return undefined;
      throw e;
    }
  }

  async openRead(container: string, name: string): Promise<Readable | undefined> {
    try {
      const res = await this.container(container).getBlobClient(name).download();
      return res.readableStreamBody as Readable | undefined;
    } catch (e) {
      if (e instanceof RestError && e.statusCode === 404) return undefined;
      throw e;
    }
  }

  async delete(container: string, name: string): Promise<boolean> {
    const res = await this.container(container)
      .getBlobClient(name)
      .deleteIfExists({ deleteSnapshots: "include" });
    return res.succeeded;
  }

  async *list(container: string, prefix: string): AsyncIterable<BlobInfo> {
    for await (const page of this.pages(container, prefix, true)) yield* page;
  }

  async count(container: string, prefix: string): Promise<number> {
    let n = 0;
    for await (const page of this.pages(container, prefix, false)) n += page.length;
    return n;
  }

  /**
   * A listing a page at a time (Azure's largest, LIST_PAGE names: one operation each), each page asked
   * for with the last one's marker on an iterator of its own and kept only as names, sizes and
   * metadata: the SDK's own iterator keeps its last parsed response (every property of every blob on
   * it, a few KB per name) while its items are consumed and until the next page has arrived.
   */
  private async *pages(container: string, prefix: string, includeMetadata: boolean) {
    const fetchPage = async (marker: string | undefined) => {
      const next = await this.container(container)
        .listBlobsFlat({ prefix, includeMetadata })
        .byPage({ maxPageSize: LIST_PAGE, ...(marker ? { continuationToken: marker } : {}) })
        .next();
      if (next.done) return { items: [] };
      return {
        marker: next.value.continuationToken || undefined,
        items: next.value.segment.blobItems.map((item): BlobInfo => ({
          name: item.name,
          size: item.properties.contentLength ?? 0,
          metadata: item.metadata ?? {},
        })),
      };
    };
    let marker: string | undefined;
    do {
      const page = await fetchPage(marker);
      marker = page.marker;
      yield page.items;
    } while (marker);
  }

  async readUrl(container: string, name: string, expiresOn: Date): Promise<string> {
    const blob = this.container(container).getBlobClient(name);
    const startsOn = new Date(Date.now() - 5 * 60_000); // clock skew between us and Storage
    const base = {
      containerName: container,
      blobName: name,
      permissions: BlobSASPermissions.parse("r"),
      startsOn,
      expiresOn,
    };
    if (this.signing.kind === "shared-key") {
      const sas = generateBlobSASQueryParameters(
        { ...base, protocol: SASProtocol.HttpsAndHttp },
        this.signing.credential,
      ).toString();
      return `${blob.url}?${sas}`;
    }
    const key = await this.userDelegationKey(startsOn, expiresOn);
    const sas = generateBlobSASQueryParameters(
      { ...base, protocol: SASProtocol.Https },
      key,
      this.service.accountName,
    ).toString();
    return `${blob.url}?${sas}`;
  }

  private async userDelegationKey(startsOn: Date, expiresOn: Date): Promise<UserDelegationKey> {
    if (this.delegationKey && this.delegationKey.validUntil > expiresOn.getTime())
      return this.delegationKey.key;
    const until = new Date(Math.max(expiresOn.getTime(), Date.now() + 60 * 60_000));
    const key = await this.service.getUserDelegationKey(startsOn, until);
    this.delegationKey = { key, validUntil: until.getTime() };
    return key;
  }

  /**
   * A container-level call: the Function App's identity holds Blob Data roles per container, not on
   * the account, so an account-level call (getProperties on the service) would be refused in Azure.
   */
  async ping(): Promise<void> {
    await this.service.getContainerClient(this.pingContainer).getProperties();
  }
}
