/**
 * A field of a platform record by the inventory's dotted path (`tenantId`, `gst.gstin`): every engine
 * that reads or changes a record by an inventory field goes through these, so they all agree on one
 * rule. A path steps through plain objects only: an array is a value, never a container (a path into
 * one finds nothing, as a Cosmos patch of `/list/0` would shift the rest of the list), and a step
 * through a missing key, `null` or any other non-object finds nothing too.
 */
export type RecordData = Record<string, unknown>;

const isContainer = (v: unknown): v is RecordData => v !== null && typeof v === "object" && !Array.isArray(v);

const has = (o: RecordData, key: string) => Object.prototype.hasOwnProperty.call(o, key);

/** The object holding the last step of `path`, if every step before it is one; and that last key. */
function parentOf(doc: unknown, path: string): { parent: RecordData; key: string } | undefined {
  const keys = path.split(".");
  const key = keys.pop()!;
  let at: unknown = doc;
  for (const k of keys) {
    if (!isContainer(at) || !has(at, k)) return undefined;
    at = at[k];
  }
  return isContainer(at) ? { parent: at, key } : undefined;
}

/** The value at `path`, or undefined when the record does not hold it. */
export function getPath(doc: unknown, path: string): unknown {
  const at = parentOf(doc, path);
  return at && has(at.parent, at.key) ? at.parent[at.key] : undefined;
}

/**
 * Whether the record holds `path`, with any value, `null` included: a Cosmos patch `remove` of a path
 * that is not there fails instead of doing nothing, so only held paths are ever removed.
 */
export function holdsPath(doc: unknown, path: string): boolean {
  const at = parentOf(doc, path);
  return at !== undefined && has(at.parent, at.key);
}

/** Removes `path` where the record holds it; anything else is left as it is. */
export function deletePath(doc: RecordData, path: string): void {
  const at = parentOf(doc, path);
  if (at) delete at.parent[at.key];
}

/** Sets `path`, making each step before it an object (a missing or non-object step is replaced). */
export function setPath(doc: RecordData, path: string, value: unknown): void {
  const keys = path.split(".");
  const last = keys.pop()!;
  let at = doc;
  for (const k of keys) {
    const next = at[k];
    if (!isContainer(next)) at[k] = {};
    at = at[k] as RecordData;
  }
  at[last] = value;
}

/** The top-level fields a query must select to bring every one of `paths` a record holds. */
export const topLevelFields = (paths: readonly string[]): string[] => [
  ...new Set(paths.map((p) => p.split(".")[0]!)),
];

/** Whether `path` is `outer` or inside it (`gst.gstin` is inside `gst`). */
export const isWithin = (path: string, outer: string) => path === outer || path.startsWith(`${outer}.`);
