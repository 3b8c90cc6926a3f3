import type { Anonymisation } from "../../domain/inventory/anonymisation";
import { decide, type LinkedBlobs, linkedBlobs } from "../../domain/inventory/record-actions";
import type { Inventory, InventoryEntry } from "../../domain/inventory/schema";

/** What the certificate and the checkpoint say was done to one category. */
export type ErasureOutcome = "deleted" | "anonymised" | "routed";

type CosmosStore = Extract<InventoryEntry["store"], { kind: "cosmos" }>;
type BlobStoreLocation = Extract<InventoryEntry["store"], { kind: "blob" }>;

export type { LinkedBlobs };

/**
 * One inventory entry the erasure of a WhatsApp number acts on, found through its keyed-hash field
 * (`store.whatsappHashField`): delete the records, anonymise them, or leave them to the account flow.
 */
export interface ErasureTarget {
  category: string;
  label: string;
  container: string;
  tenantField: string;
  hashField: string;
  action:
    | { type: "delete" }
    | { type: "anonymise"; fields: string[]; reason: string }
    | { type: "route_to_account_flow" };
  /** Blobs named on a record of the target (e.g. a conversation's `audioBlobs`), erased with it. */
  blobs: LinkedBlobs[];
  entry: InventoryEntry;
}

export interface ErasurePlan {
  targets: ErasureTarget[];
  /** Every category the certificate lists, in the order the erasure runs: targets, then their blobs. */
  categories: { category: string; label: string; outcome: ErasureOutcome }[];
}

const outcomeOf = (action: ErasureTarget["action"]): ErasureOutcome =>
  action.type === "delete" ? "deleted" : action.type === "anonymise" ? "anonymised" : "routed";

/**
 * The erasure of a WhatsApp number as the inventory describes it (DESIGN §3): nothing here names a
 * container. Entries without `onWhatsAppErasure` hold nothing linked to a contact's number and are not
 * touched. A blob entry is erased through the records that name it, before those records change, so
 * the names are never lost; its source must therefore be deleted or anonymised itself.
 */
export function erasurePlan(inventory: Inventory): ErasurePlan {
  const targets: ErasureTarget[] = [];
  for (const entry of inventory) {
    const action = entry.onWhatsAppErasure;
    if (!action || entry.store.kind !== "cosmos") continue;
    const store: CosmosStore = entry.store;
    if (!store.whatsappHashField) {
      throw new Error(`inventory ${entry.category}: a WhatsApp erasure action needs store.whatsappHashField`);
    }
    targets.push({
      category: entry.category,
      label: entry.label,
      container: store.container,
      tenantField: store.tenantField,
      hashField: store.whatsappHashField,
      action,
      blobs: linkedBlobs(inventory, entry, "whatsapp_erasure"),
      entry,
    });
  }
  for (const entry of inventory) {
    const action = entry.onWhatsAppErasure;
    if (!action || entry.store.kind !== "blob") continue;
    const store: BlobStoreLocation = entry.store;
    if (action.type !== "delete" || !store.linkedFrom) {
      throw new Error(
        `inventory ${entry.category}: blobs of a WhatsApp number can only be deleted, through store.linkedFrom`,
      );
    }
    const source = targets.find((t) => t.category === store.linkedFrom!.category);
    if (!source || source.action.type === "route_to_account_flow") {
      throw new Error(
        `inventory ${entry.category}: linked from ${store.linkedFrom.category}, which the erasure does not delete or anonymise`,
      );
    }
  }
  const categories: ErasurePlan["categories"] = [];
  for (const t of targets) {
    categories.push({ category: t.category, label: t.label, outcome: outcomeOf(t.action) });
    for (const b of t.blobs) categories.push({ category: b.category, label: b.label, outcome: "deleted" });
  }
  return { targets, categories };
}

/**
 * What anonymising a target's record takes away and marks, at `now`: the inventory's own decision, so the
 * erasure and a restore that re-applies it change a record the same way.
 */
export function targetAnonymisation(inventory: Inventory, target: ErasureTarget, now: Date): Anonymisation {
  const decision = decide(inventory, target.entry, "whatsapp_erasure", now);
  if (decision.type !== "anonymise")
    throw new Error(`inventory ${target.category}: not anonymised by the erasure`);
  return decision.anonymisation;
}
