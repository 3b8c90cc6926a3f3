import type { InventoryEntry } from "../../domain/inventory/schema";
import type { AppContext } from "../context";
import { platformRecords } from "../stores";

export type CosmosEntry = InventoryEntry & { store: { kind: "cosmos" } };
export type BlobEntry = InventoryEntry & { store: { kind: "blob" } };

export const isCosmos = (e: InventoryEntry): e is CosmosEntry => e.store.kind === "cosmos";
export const isBlob = (e: InventoryEntry): e is BlobEntry => e.store.kind === "blob";

/** The platform's container of a Cosmos entry: partitioned by tenant, so a tenant's records are one partition. */
export const platformCollection = (app: AppContext, entry: CosmosEntry) => platformRecords(app, entry);

export { tenantBlobPrefix } from "../../domain/storage/tenant-blob-name";
