import type { InventoryEntry } from "../../../domain/inventory/schema";
import type { Doc } from "../../../ports/document-store";
import { isCosmos, platformCollection } from "../../account";
import { queryAll } from "../../util";
import type { Handler, ReapplyContext } from "./types";

/**
 * Sets each entry's `onDeactivation` value again on the records the restore wrote back that no longer
 * hold it. Only records the restore wrote: one made since (a key generated after reactivation) is left
 * alone. Returns the records changed.
 */
export async function reapplyDeactivationEffects(
  { app, tenantId, restored }: ReapplyContext,
  entries: readonly InventoryEntry[],
): Promise<number> {
  let records = 0;
  for (const entry of entries.filter(isCosmos)) {
    const action = entry.onDeactivation;
    const ids = restored.ids.get(entry.category);
    if (!action || !ids?.size) continue;
    const coll = platformCollection(app, entry);
    const live = await queryAll<Doc>(coll, {
      partitionKey: tenantId,
      where: [{ field: action.field, op: "!=", value: action.value }],
      select: [action.field],
    });
    for (const doc of live.filter((d) => ids.has(d.id))) {
      if (await coll.patch(doc.id, tenantId, [{ op: "set", path: action.field, value: action.value }]))
        records++;
    }
  }
  return records;
}

/**
 * An account erasure whose deactivation began while the restore ran (Account Deletion §3): the
 * write-back may have put records the deactivation had disabled back as they were in the set (the
 * account active, API keys usable, bots running, members with access). Every deactivation effect of
 * the inventory is applied again to them. The deactivation snapshot is not touched: it holds the values
 * from before the deactivation, which a reactivation gives back; records it does not name (ones the set
 * brought back that were gone when it was taken) stay deactivated after a reactivation, the safe side.
 */
export const reapplyDeactivation: Handler = async (ctx) => ({
  records: await reapplyDeactivationEffects(ctx, ctx.app.inventory),
});
