import { type BlobServiceClient, type ContainerClient, RestError } from "@azure/storage-blob";
import { AnchorExistsError, type AnchorStore } from "../../ports/anchor-store";

/** The container of anchors in Azure: its own, under a time-based retention policy (data-storage.bicep). */
export const ANCHOR_CONTAINER = "audit-anchors";

/**
 * Anchors as block blobs, each written once with `If-None-Match: *` (a second write of a name gets 409
 * BlobAlreadyExists, or 412 with conditions). In Azure the container's immutability policy also refuses an
 * overwrite or delete from anyone, the service's identity included, for its retention period.
 */
export class BlobAnchorStore implements AnchorStore {
  constructor(
    private readonly service: BlobServiceClient,
    private readonly containerName: string = ANCHOR_CONTAINER,
  ) {}

  // Resolved per call, as AzureBlobStore does: building the runtime touches no container.
  private get container(): ContainerClient {
    return this.service.getContainerClient(this.containerName);
  }

  async create(name: string, content: string): Promise<void> {
    const data = Buffer.from(content, "utf8");
    try {
      await this.container.getBlockBlobClient(name).upload(data, data.length, {
        conditions: { ifNoneMatch: "*" },
        blobHTTPHeaders: { blobContentType: "application/json" },
      });
    } catch (e) {
      if (e instanceof RestError && (e.statusCode === 409 || e.statusCode === 412))
        throw new AnchorExistsError(name);
      throw e;
    }
  }

  async read(name: string): Promise<string | undefined> {
    try {
      return (await this.container.getBlobClient(name).downloadToBuffer()).toString("utf8");
    } catch (e) {
      if (e instanceof RestError && e.statusCode === 404) return undefined;
      throw e;
    }
  }

  async *list(prefix: string): AsyncIterable<string> {
    // Flat listing comes back in name order, page by page (the SDK follows the continuation marker).
    for await (const item of this.container.listBlobsFlat({ prefix })) yield item.name;
  }
}
