import type { Doc } from "../../../ports/document-store";
import { readSnapshot } from "../../account";
import { isCosmos, platformCollection } from "../../account";
import { queryAll } from "../../util";
import type { Handler } from "./types";

/**
 * A reactivation made after the set: a set taken in the 30-day window holds the account deactivated (its
 * status, its bots stopped, its members' access removed). Each record the restore wrote back that still
 * holds the deactivation's value gets the value it had before deactivation again, from the deactivation
 * snapshot, as reactivation does (Account Deletion §6); API keys stay revoked.
 */
export const reapplyReactivation: Handler = async ({ app, tenantId, restored }, decision) => {
  const snapshot = await readSnapshot(app, decision.requestId, tenantId);
  if (!snapshot) return { records: 0 };
  let records = 0;
  for (const entry of app.inventory.filter(isCosmos)) {
    const action = entry.onDeactivation;
    const ids = restored.ids.get(entry.category);
    if (!action?.restoreOnReactivation || !ids?.size) continue;
    const previous = new Map(
      snapshot.doc.records
        .filter((r) => r.category === entry.category && r.restore)
        .map((r) => [r.id, r.previous] as const),
    );
    const coll = platformCollection(app, entry);
    const deactivated = await queryAll<Doc>(coll, {
      partitionKey: tenantId,
      where: [{ field: action.field, op: "=", value: action.value }],
      select: [action.field],
    });
    for (const doc of deactivated) {
      if (!ids.has(doc.id) || !previous.has(doc.id)) continue;
      const ok = await coll.patch(doc.id, tenantId, [
        { op: "set", path: action.field, value: previous.get(doc.id) },
      ]);
      if (ok) records++;
    }
  }
  return { records };
};
