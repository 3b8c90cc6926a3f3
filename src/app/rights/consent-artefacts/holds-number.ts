import { platformRecords } from "../../stores";
import type { AppContext } from "../../context";

/**
 * Whether a business holds any record of a number (it messaged it): one partition query per category
 * the inventory links to numbers. A business records or reads a number's consent only then, so it
 * cannot learn anything about numbers it never dealt with.
 */
export async function businessHoldsNumber(app: AppContext, tenantId: string, numberHash: string) {
  for (const entry of app.inventory) {
    if (entry.store.kind !== "cosmos" || !entry.store.whatsappHashField) continue;
    const n = await platformRecords(app, entry).count({
      partitionKey: tenantId,
      where: [{ field: entry.store.whatsappHashField, op: "=", value: numberHash }],
    });
    if (n > 0) return true;
  }
  return false;
}
