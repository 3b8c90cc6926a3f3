import type { InventoryEntry } from "../../domain/inventory/schema";
import type { AppContext } from "../context";
import { tenantBlobPrefix } from "../../domain/storage/tenant-blob-name";

/** One record of a tenant in a Cosmos inventory entry: enough to read, patch or delete it. */
export interface RecordRef {
  id: string;
  pk: string;
}

export type CosmosEntry = InventoryEntry & { store: { kind: "cosmos" } };
export type BlobEntry = InventoryEntry & { store: { kind: "blob" } };

export const isCosmos = (e: InventoryEntry): e is CosmosEntry => e.store.kind === "cosmos";
export const isBlob = (e: InventoryEntry): e is BlobEntry => e.store.kind === "blob";

export const platformCollection = (app: AppContext, entry: CosmosEntry) =>
  app.ports.documents.collection("platform", entry.store.container);

export { tenantBlobPrefix } from "../../domain/storage/tenant-blob-name";

export async function countTenantRecords(app: AppContext, entry: InventoryEntry, tenantId: string) {
  if (isCosmos(entry)) return platformCollection(app, entry).count({ partitionKey: tenantId });
  return app.ports.blobs.count(entry.store.container, tenantBlobPrefix(tenantId));
}
