import { AlreadyExistsError, type Doc } from "../../ports/document-store";
import type { AppContext } from "../context";
import { queryAll } from "../util";
import { isCosmos, platformCollection } from "./tenant-records";
import { tenantPartition } from "../../domain/storage/partition-keys";

/**
 * What deactivation changed, kept so reactivation restores the account "as at deactivation"
 * (Account Deletion §6): per record, the field it set and the value it replaced. Taken once, before
 * the first change, so a retried deactivation never mistakes its own values for the originals.
 */
export interface DeactivationSnapshot {
  id: string;
  pk: string;
  docType: "deactivation-snapshot";
  requestId: string;
  tenantId: string;
  takenAt: string;
  records: {
    category: string;
    container: string;
    id: string;
    field: string;
    previous: unknown;
    restore: boolean;
  }[];
  restoredAt?: string;
}

const snapshotId = (requestId: string) => `deactivation:${requestId}`;
const jobs = (app: AppContext) => app.stores.deactivationSnapshots;

function valueAt(doc: Record<string, unknown>, path: string): unknown {
  return path
    .split(".")
    .reduce<unknown>(
      (o, k) => (o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined),
      doc,
    );
}

export async function takeSnapshot(
  app: AppContext,
  requestId: string,
  tenantId: string,
): Promise<DeactivationSnapshot> {
  const pk = tenantPartition(tenantId);
  const existing = await jobs(app).read<DeactivationSnapshot>(snapshotId(requestId), pk);
  if (existing) return existing.doc;
  const records: DeactivationSnapshot["records"] = [];
  for (const entry of app.inventory) {
    if (!entry.onDeactivation || !isCosmos(entry)) continue;
    const action = entry.onDeactivation;
    // Every record of the tenant, to the last page: a tenant may hold more keys, bots or members than
    // a page, and a Cosmos page may be short or empty while later pages hold more (DESIGN §9). The
    // query brings the field's current value, so no record is read twice.
    const docs = await queryAll<Doc & Record<string, unknown>>(platformCollection(app, entry), {
      partitionKey: tenantId,
      select: [action.field],
    });
    for (const doc of docs) {
      records.push({
        category: entry.category,
        container: entry.store.container,
        id: doc.id,
        field: action.field,
        previous: valueAt(doc, action.field) ?? null,
        restore: action.restoreOnReactivation,
      });
    }
  }
  const snapshot: DeactivationSnapshot = {
    id: snapshotId(requestId),
    pk,
    docType: "deactivation-snapshot",
    requestId,
    tenantId,
    takenAt: app.ports.clock.now().toISOString(),
    records,
  };
  try {
    await jobs(app).create(snapshot);
    return snapshot;
  } catch (e) {
    // A concurrent attempt took it first: theirs is the one taken before any change.
    if (!(e instanceof AlreadyExistsError)) throw e;
    return (await jobs(app).read<DeactivationSnapshot>(snapshotId(requestId), pk))!.doc;
  }
}

export async function readSnapshot(app: AppContext, requestId: string, tenantId: string) {
  return jobs(app).read<DeactivationSnapshot>(snapshotId(requestId), tenantPartition(tenantId));
}

export async function markRestored(app: AppContext, snapshot: DeactivationSnapshot): Promise<void> {
  await jobs(app).patch(snapshot.id, snapshot.pk, [
    { op: "set", path: "restoredAt", value: app.ports.clock.now().toISOString() },
  ]);
}
