import {
  addRefused,
  type RefusedReference,
  tenantReferences,
} from "../../../domain/storage/record-references";
import type { Doc } from "../../../ports/document-store";
import { firstNonEmptyPage } from "../../util/paging";
import { forEachLimit } from "../../util/pool";
import { deletePath, erasurePlan, getPath, setPath } from "../../whatsapp-erasure/plan";
import type { Handler } from "./types";

const BATCH = 100;

/**
 * A WhatsApp-number erasure applied again to the restored tenant's records, as the erasure does it (the
 * inventory's plan): delete, or anonymise (the configured fields and the hash go, linked blob lists are
 * emptied); linked blobs of the tenant deleted. A blob name that is not the tenant's (another tenant's
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
    const coll = app.ports.documents.collection("platform", target.container);
    for (;;) {
      // From the start each time (handled records drop out); done when nothing matches, past empty pages.
      const page = await firstNonEmptyPage<Doc & Record<string, unknown>>(coll, {
        partitionKey: tenantId,
        where: [{ field: target.hashField, op: "=", value: numberHash }],
        limit: BATCH,
      });
      if (page.items.length === 0) break;
      await forEachLimit(page.items, 16, async (doc) => {
        for (const b of target.blobs) {
          // The partition read is the tenant's: its records' links are followed into its storage only.
          const { own, refused: foreign } = tenantReferences(tenantId, getPath(doc, b.field));
          for (const name of own) await app.ports.blobs.delete(b.container, name);
          refused = addRefused(refused, b.category, b.field, foreign);
        }
        if (action.type === "delete") {
          await coll.delete(doc.id, tenantId);
        } else {
          const next = structuredClone(doc);
          for (const field of action.fields) deletePath(next, field);
          deletePath(next, target.hashField);
          // The record no longer points at its deleted blobs, nor at a refused one of another tenant.
          for (const b of target.blobs) setPath(next, b.field, []);
          next.anonymisedAt = app.ports.clock.now().toISOString();
          next.anonymisedFor = "whatsapp_number_erasure";
          await coll.upsert(next);
        }
        records++;
      });
    }
  }
  return { records, ...(refused.length ? { refused } : {}) };
};
