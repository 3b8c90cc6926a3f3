import type { PatchOp } from "../../ports/document-store";

/** Cosmos DB takes at most 10 operations in one patch. */
export const MAX_PATCH_OPS = 10;

/** What an anonymised record carries instead of the fields it lost: when, and how long it is kept and why. */
export interface AnonymisedMark {
  anonymisedAt: string;
  retainUntil: string;
  retentionBasis: string;
}

/**
 * Whether the record holds `path` (dotted, e.g. `gst.gstin`), with any value, `null` included: a patch
 * `remove` of a path that is not there fails in Cosmos (and on the emulator) instead of doing nothing.
 */
export function holdsPath(doc: unknown, path: string): boolean {
  let node = doc;
  for (const key of path.split(".")) {
    if (node === null || typeof node !== "object" || !Object.prototype.hasOwnProperty.call(node, key))
      return false;
    node = (node as Record<string, unknown>)[key];
  }
  return true;
}

/** The top-level fields a listing must select to tell which of `fields` a record holds. */
export const topLevelFields = (fields: readonly string[]) => [
  ...new Set(fields.map((f) => f.split(".")[0]!)),
];

/**
 * The patches that anonymise one record: a `remove` of every field it holds (a field is removed, never set
 * to null: a null still says the field existed), then the mark. Several patches when there are more than
 * Cosmos allows in one; the mark always goes in the last, so a record is taken as done (it drops out of
 * `anonymisedAt` undefined) only once every field is gone, and a crash in between leaves it to be listed,
 * and patched for what it still holds, again.
 */
export function anonymisePatches(doc: unknown, fields: readonly string[], mark: AnonymisedMark): PatchOp[][] {
  const held = [...new Set(fields)].filter((f) => holdsPath(doc, f));
  // A field inside another one that goes goes with it; removing it after would fail.
  const removes: PatchOp[] = held
    .filter((f) => !held.some((outer) => f.startsWith(`${outer}.`)))
    .map((path) => ({ op: "remove", path }));
  const sets: PatchOp[] = Object.entries(mark).map(([path, value]) => ({ op: "set", path, value }));
  const patches: PatchOp[][] = [];
  let rest = removes;
  while (rest.length + sets.length > MAX_PATCH_OPS) {
    patches.push(rest.slice(0, MAX_PATCH_OPS));
    rest = rest.slice(MAX_PATCH_OPS);
  }
  patches.push([...rest, ...sets]);
  return patches;
}
