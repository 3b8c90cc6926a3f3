import type { Inventory } from "../../domain/inventory/schema";
import { blobEntries } from "../../domain/inventory/schema";

/** The service's own blob containers: access-export packages and encrypted backups. */
export const serviceBlobContainers = ["exports", "backups"] as const;

export function platformBlobContainers(inventory: Inventory): string[] {
  return [...new Set(blobEntries(inventory).map((e) => e.store.container))];
}
