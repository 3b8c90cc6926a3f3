import type { Readable } from "node:stream";
import {
  BlobSASPermissions,
  type BlobServiceClient,
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

const UPLOAD_BUFFER = 4 * 1024 * 1024;

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
      // Streams stay streams: memory is bounded by buffer size × concurrency, not by the data.
      await blob.uploadStream(body, UPLOAD_BUFFER, 2, headers);
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
    for await (const item of this.container(container).listBlobsFlat({ prefix, includeMetadata: true })) {
      yield { name: item.name, size: item.properties.contentLength ?? 0, metadata: item.metadata ?? {} };
    }
  }

  async count(container: string, prefix: string): Promise<number> {
    let n = 0;
    for await (const page of this.container(container)
      .listBlobsFlat({ prefix })
      .byPage({ maxPageSize: 5000 })) {
      n += page.segment.blobItems.length;
    }
    return n;
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
