import type { Inventory, InventoryEntry } from "../../domain/inventory/schema";

/** What the certificate and the checkpoint say was done to one category. */
export type ErasureOutcome = "deleted" | "anonymised" | "routed";

type CosmosStore = Extract<InventoryEntry["store"], { kind: "cosmos" }>;
type BlobStoreLocation = Extract<InventoryEntry["store"], { kind: "blob" }>;

/** Blobs named on a record of the target (e.g. a conversation's `audioBlobs`), erased with it. */
export interface LinkedBlobs {
  category: string;
  label: string;
  container: string;
  /** The field of the source record that lists the blob names. */
  field: string;
}

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
  blobs: LinkedBlobs[];
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
      blobs: [],
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
    source.blobs.push({
      category: entry.category,
      label: entry.label,
      container: store.container,
      field: store.linkedFrom.field,
    });
  }
  const categories: ErasurePlan["categories"] = [];
  for (const t of targets) {
    categories.push({ category: t.category, label: t.label, outcome: outcomeOf(t.action) });
    for (const b of t.blobs) categories.push({ category: b.category, label: b.label, outcome: "deleted" });
  }
  return { targets, categories };
}

/** A field of a record by its dotted path (`tenantId`, `owner.tenant`). */
export function getPath(doc: Record<string, unknown>, path: string): unknown {
  let at: unknown = doc;
  for (const key of path.split(".")) {
    if (at === null || typeof at !== "object") return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

/** Removes a field by its dotted path; missing parents are fine. */
export function deletePath(doc: Record<string, unknown>, path: string): void {
  const keys = path.split(".");
  const last = keys.pop()!;
  let at: unknown = doc;
  for (const key of keys) {
    if (at === null || typeof at !== "object") return;
    at = (at as Record<string, unknown>)[key];
  }
  if (at !== null && typeof at === "object") delete (at as Record<string, unknown>)[last];
}

/** Sets a field by its dotted path, creating the parents it needs. */
export function setPath(doc: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split(".");
  const last = keys.pop()!;
  let at: Record<string, unknown> = doc;
  for (const key of keys) {
    const next = at[key];
    if (next === null || typeof next !== "object") at[key] = {};
    at = at[key] as Record<string, unknown>;
  }
  at[last] = value;
}
