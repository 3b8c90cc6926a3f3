import { z } from "zod";
import { getPath } from "../inventory/record-path";
import { isTenantBlob } from "./tenant-blob-name";

/**
 * The blob references one platform record holds in a field (e.g. a conversation's `audioBlobs`), split
 * into the names of the record's own tenant, which may be followed, and a count of the rest, which are
 * refused: never read, deleted or counted as the subject's (issue 14). Pure: no I/O.
 */
export function tenantReferences(tenantId: unknown, value: unknown): { own: string[]; refused: number } {
  // Not a list: the field holds no references (nothing is followed, nothing is refused).
  if (!Array.isArray(value)) return { own: [], refused: 0 };
  const owner = typeof tenantId === "string" ? tenantId : "";
  const own = value.filter((name): name is string => isTenantBlob(owner, name));
  return { own, refused: value.length - own.length };
}

/** `tenantReferences` of a record read with the inventory's `tenantField` and the link's `field`. */
export const recordReferences = (record: Record<string, unknown>, tenantField: string, field: string) =>
  tenantReferences(getPath(record, tenantField), getPath(record, field));

/**
 * What a job reports of the references it refused: per inventory category and the record field that
 * held them, a count. No blob names, tenant ids or record ids: the names point at another tenant.
 */
export const RefusedReference = z
  .object({ category: z.string(), field: z.string(), count: z.number().int().min(1) })
  .strict();
export type RefusedReference = z.infer<typeof RefusedReference>;

/** `list` with `count` more refusals of `category`/`field` (a new list; entries in first-seen order). */
export function addRefused(
  list: readonly RefusedReference[],
  category: string,
  field: string,
  count: number,
): RefusedReference[] {
  if (count <= 0) return [...list];
  const at = list.findIndex((r) => r.category === category && r.field === field);
  if (at < 0) return [...list, { category, field, count }];
  return list.map((r, i) => (i === at ? { ...r, count: r.count + count } : r));
}
