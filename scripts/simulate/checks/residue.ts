import { hashWhatsAppNumber } from "../../../src/domain/subject";
import type { Inspector } from "../inspector";
import type { Promises } from "./promises";

const HOUR = 3_600_000;
type Doc = { id: string } & Record<string, unknown>;

/** The value at a dotted path of a document. */
function at(doc: Doc, path: string): unknown {
  return path
    .split(".")
    .reduce<unknown>(
      (v, k) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined),
      doc,
    );
}

/** Records of an erased tenant left where the inventory says the purge deletes or anonymises. */
export async function tenantLeftovers(inspector: Inspector, tenantId: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of inspector.inventory) {
    const action = entry.onAccountPurge;
    if (action.type === "retain") continue;
    if (entry.store.kind === "blob") {
      const n = await inspector.blobCount(entry.store.container, `${tenantId}/`);
      if (n > 0) out.push(`${entry.category}: ${n} blob(s)`);
      continue;
    }
    const docs = await inspector.tenantDocs(entry.store.container, entry.store.tenantField, tenantId);
    if (action.type === "anonymise") {
      const named = docs.filter((d) =>
        action.fields.some((f) => at(d, f) !== undefined && at(d, f) !== null),
      );
      if (named.length) out.push(`${entry.category}: ${named.length} record(s) not anonymised`);
    } else if (docs.length) out.push(`${entry.category}: ${docs.length} record(s)`);
  }
  return out;
}

/** Records of an erased number left where the inventory says its erasure deletes or anonymises. */
export async function numberLeftovers(
  inspector: Inspector,
  hashKey: Buffer,
  e164: string,
  blobs: string[],
): Promise<string[]> {
  const hash = hashWhatsAppNumber(hashKey, e164);
  const out: string[] = [];
  for (const entry of inspector.inventory) {
    const action = entry.onWhatsAppErasure;
    if (!action || action.type === "route_to_account_flow") continue;
    if (entry.store.kind !== "cosmos" || !entry.store.whatsappHashField) continue;
    const docs = await inspector.numberDocs(entry.store.container, entry.store.whatsappHashField, hash);
    if (action.type === "anonymise") {
      const named = docs.filter((d) =>
        action.fields.some((f) => at(d, f) !== undefined && at(d, f) !== null),
      );
      if (named.length) out.push(`${entry.category}: ${named.length} record(s) not anonymised`);
    } else if (docs.length) out.push(`${entry.category}: ${docs.length} record(s)`);
  }
  // The number's audio and transcripts, named on its conversations before the erasure: gone too.
  for (const ref of blobs) {
    const [container, ...rest] = ref.split("/");
    if ((await inspector.blobText(container!, rest.join("/"))) !== undefined)
      out.push(`blob ${container}/… still there`);
  }
  return out;
}

/** The blobs (container/name) a number's conversations reference, read before its erasure. */
export async function numberBlobs(inspector: Inspector, hashKey: Buffer, e164: string): Promise<string[]> {
  const hash = hashWhatsAppNumber(hashKey, e164);
  const out: string[] = [];
  for (const entry of inspector.inventory) {
    const store = entry.store;
    if (store.kind !== "blob" || !store.linkedFrom) continue;
    const link = store.linkedFrom;
    const source = inspector.inventory.find((e) => e.category === link.category);
    if (!source || source.store.kind !== "cosmos" || !source.store.whatsappHashField) continue;
    for (const d of await inspector.numberDocs(
      source.store.container,
      source.store.whatsappHashField,
      hash,
    )) {
      const names = at(d, link.field);
      if (Array.isArray(names))
        for (const n of names) if (typeof n === "string") out.push(`${store.container}/${n}`);
    }
  }
  return out;
}

/** Every backup set past its expiry (with a day's grace for the daily pass) rotated, its blobs gone. */
export async function checkBackups(
  inspector: Inspector,
  now: number,
  erasedTenants: string[],
  promises: Promises,
): Promise<number> {
  const sets = await inspector.serviceDocs("backups", "backup-set");
  for (const set of sets) {
    const expired = Date.parse(set.expiresAt as string) + 24 * HOUR < now;
    if (!expired) continue;
    const left = await inspector.blobCount("backups", `${set.id}/`);
    promises.check(
      "backups_rotated",
      set.status === "rotated" && left === 0,
      () => `${set.id}: expired ${set.expiresAt as string}, ${set.status as string}, ${left} blob(s) left`,
    );
    for (const tenantId of erasedTenants) {
      const held = await inspector.blobCount("backups", `${set.id}/${tenantId}.`);
      promises.check("backups_rotated", held === 0, () => `${set.id}: still holds erased tenant ${tenantId}`);
    }
  }
  return sets.length;
}
