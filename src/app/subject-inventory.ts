import type { Inventory, InventoryEntry } from "../domain/inventory/schema";
import { storeName } from "../domain/inventory/schema";
import { recordReferences } from "../domain/storage/record-references";
import { tenantBlobPrefix } from "../domain/storage/tenant-blob-name";
import type { Subject } from "../domain/subject";
import type { Ports } from "../ports";
import { platformRecords } from "./stores";

export interface CategoryCount {
  category: string;
  label: string;
  store: string;
  records: number;
}

/**
 * How many blobs a WhatsApp subject has in a blob entry: the names are listed on the linked records.
 * Only names in the record's own tenant's storage count; a reference into another tenant's is not the
 * subject's blob here (the export and the erasure refuse it too).
 */
async function linkedBlobCount(
  ports: Ports,
  inventory: Inventory,
  entry: InventoryEntry,
  numberHash: string,
) {
  if (entry.store.kind !== "blob" || !entry.store.linkedFrom) return 0;
  const { category, field } = entry.store.linkedFrom;
  const source = inventory.find((e) => e.category === category);
  if (!source || source.store.kind !== "cosmos" || !source.store.whatsappHashField) return 0;
  const collection = platformRecords({ ports }, source);
  const tenantField = source.store.tenantField;
  let total = 0;
  let continuationToken: string | undefined;
  do {
    const page = await collection.query<{ id: string } & Record<string, unknown>>({
      where: [{ field: source.store.whatsappHashField, op: "=", value: numberHash }],
      select: [...new Set([tenantField.split(".")[0]!, field.split(".")[0]!])],
      limit: 500,
      continuationToken,
    });
    for (const item of page.items) {
      total += recordReferences(item, tenantField, field).own.length;
    }
    continuationToken = page.continuationToken;
  } while (continuationToken);
  return total;
}

/**
 * What the platform holds for a subject right now, per inventory category and store: the view that
 * shows a purge or an erasure worked. Counts only; no record content leaves this use case.
 */
export async function subjectInventory(ports: Ports, inventory: Inventory, subject: Subject) {
  const categories: CategoryCount[] = await Promise.all(
    inventory.map(async (entry) => {
      let records = 0;
      if (subject.type === "tenant") {
        records =
          entry.store.kind === "cosmos"
            ? await platformRecords({ ports }, entry).count({ partitionKey: subject.tenantId })
            : await ports.blobs.count(entry.store.container, tenantBlobPrefix(subject.tenantId));
      } else if (entry.store.kind === "cosmos" && entry.store.whatsappHashField) {
        records = await platformRecords({ ports }, entry).count({
          where: [{ field: entry.store.whatsappHashField, op: "=", value: subject.numberHash }],
        });
      } else if (entry.store.kind === "blob") {
        records = await linkedBlobCount(ports, inventory, entry, subject.numberHash);
      }
      return { category: entry.category, label: entry.label, store: storeName(entry), records };
    }),
  );
  return { categories, total: categories.reduce((n, c) => n + c.records, 0) };
}
