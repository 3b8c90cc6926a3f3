import { anonymised } from "../../../domain/inventory/anonymisation";
import { recordBlobs } from "../../../domain/inventory/record-actions";
import { addRefused, type RefusedReference } from "../../../domain/storage/record-references";
import type { Doc } from "../../../ports/document-store";
import { firstNonEmptyPage } from "../../util";
import { forEachLimit } from "../../util";
import { erasurePlan, targetAnonymisation } from "../../whatsapp-erasure";
import type { Handler } from "./types";
import { platformRecords } from "../../stores";

const BATCH = 100;

/**
 * A WhatsApp-number erasure applied again to the restored tenant's records by the erasure's own code
 * (the inventory's plan and src/domain/inventory/record-actions.ts): delete, or anonymise (the configured
 * fields and the hash go, linked blob lists are emptied); linked blobs of the tenant deleted. A blob name that is not the tenant's (another tenant's
 * storage, a path that climbs out) is refused: never deleted, counted by category and field. Entries
 * routed to the account flow are left alone. Handled records drop out of the query, so a re-run finds
 * nothing and changes nothing.
 */
export const reapplyNumberErasure: Handler = async ({ app, tenantId }, decision) => {
  const numberHash = decision.numberHash;
  if (!numberHash) return { records: 0 };
  let records = 0;
  let refused: RefusedReference[] = [];
  for (const target of erasurePlan(app.inventory).targets) {
    const action = target.action;
    if (action.type === "route_to_account_flow") continue;
    const coll = platformRecords(app, target.container);
    for (;;) {
      // From the start each time (handled records drop out); done when nothing matches, past empty pages.
      const page = await firstNonEmptyPage<Doc & Record<string, unknown>>(coll, {
        partitionKey: tenantId,
        where: [{ field: target.hashField, op: "=", value: numberHash }],
        limit: BATCH,
      });
      if (page.items.length === 0) break;
      await forEachLimit(page.items, 16, async (doc) => {
        // The partition read is the tenant's: its records' links are followed into its storage only.
        for (const { link: b, own, refused: foreign } of recordBlobs(tenantId, target.blobs, doc)) {
          for (const name of own) await app.ports.blobs.delete(b.container, name);
          refused = addRefused(refused, b.category, b.field, foreign);
        }
        if (action.type === "delete") {
          await coll.delete(doc.id, tenantId);
        } else {
          await coll.upsert(
            anonymised(doc, targetAnonymisation(app.inventory, target, app.ports.clock.now())),
          );
        }
        records++;
      });
    }
  }
  return { records, ...(refused.length ? { refused } : {}) };
};
