import type { BlobServiceClient } from "@azure/storage-blob";
import { AnchorExistsError, type AnchorStore } from "../../ports/anchor-store";
import { BlobAnchorStore } from "../blob/anchor-store";

/**
 * LOCAL STAND-IN for the immutable anchor container. Azurite has no immutability policies: a blob there can
 * be overwritten or deleted by anyone holding the account key. This stand-in is the same Blob adapter
 * (create-only with If-None-Match: *), plus a read-before-write check so create-only holds even if an
 * emulator ignored the condition, and nothing more: it does NOT protect anchors from a hand with Azurite's key.
 * What makes anchors unalterable by the service's own identity is Azure's time-based retention policy on
 * `audit-anchors` (infra/modules/data-storage.bicep, locked by an operator: infra/README.md).
 *
 * One container per service database, so several local services on one Azurite keep separate records.
 */
export class CreateOnlyAnchorStandIn implements AnchorStore {
  private constructor(private readonly inner: BlobAnchorStore) {}

  static async open(service: BlobServiceClient, database: string): Promise<CreateOnlyAnchorStandIn> {
    const name = localAnchorContainer(database);
    await service.getContainerClient(name).createIfNotExists();
    return new CreateOnlyAnchorStandIn(new BlobAnchorStore(service, name));
  }

  async create(name: string, content: string): Promise<void> {
    if ((await this.inner.read(name)) !== undefined) throw new AnchorExistsError(name);
    await this.inner.create(name, content);
  }

  read(name: string): Promise<string | undefined> {
    return this.inner.read(name);
  }

  list(prefix: string): AsyncIterable<string> {
    return this.inner.list(prefix);
  }
}

/** `audit-anchors-<database>`, within Blob's container-name rules (3–63 of a-z, 0-9, single hyphens). */
export function localAnchorContainer(database: string): string {
  const slug = database
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return `audit-anchors-${slug}`.slice(0, 63).replace(/-+$/, "");
}
