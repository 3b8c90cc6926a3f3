import { deletePath, holdsPath, isWithin, type RecordData, setPath } from "./record-path";

/** Cosmos DB takes at most 10 operations in one patch. */
export const MAX_PATCH_OPS = 10;

/**
 * One operation of a partial update, with the inventory's dotted path: the shape of the document port's
 * `PatchOp` (the adapter turns `a.b` into Cosmos' `/a/b`), declared here so the domain imports no port.
 */
export type RecordPatchOp = { op: "set"; path: string; value: unknown } | { op: "remove"; path: string };

/**
 * What anonymising a record does, whichever action asks for it. A field is removed, never set to null
 * (a null still says the field was there); a path the record does not hold is left alone.
 */
export interface Anonymisation {
  /** Paths removed where the record holds them: the entry's fields, then its keyed hash. */
  remove: readonly string[];
  /**
   * Lists of blob names emptied where the record holds them and keeps them: the blobs they name go with
   * the same action, and the record must not point at them (nor at a refused one of another tenant).
   */
  empty: readonly string[];
  /** Top-level fields set last, saying what was done and when: a record carrying them is done. */
  mark: Readonly<Record<string, string>>;
}

/** The paths the record holds that go, each once, none inside another that goes (it goes with it). */
function removals(doc: unknown, a: Anonymisation): string[] {
  const held = [...new Set(a.remove)].filter((p) => holdsPath(doc, p));
  return held.filter((p) => !held.some((outer) => outer !== p && isWithin(p, outer)));
}

/** The lists the record holds that survive the removals, none inside another that is emptied. */
function emptied(doc: unknown, a: Anonymisation, removed: readonly string[]): string[] {
  const held = [...new Set(a.empty)].filter(
    (p) => holdsPath(doc, p) && !removed.some((outer) => isWithin(p, outer)),
  );
  return held.filter((p) => !held.some((outer) => outer !== p && isWithin(p, outer)));
}

/** The record anonymised, as a new record (the one given is not changed). */
export function anonymised<T extends RecordData>(doc: T, a: Anonymisation): T {
  const next = structuredClone(doc);
  const removed = removals(doc, a);
  for (const p of removed) deletePath(next, p);
  for (const p of emptied(doc, a, removed)) setPath(next, p, []);
  for (const [p, value] of Object.entries(a.mark)) setPath(next, p, value);
  return next;
}

/**
 * The patches that anonymise a stored record without rewriting it, as {@link anonymised} does in memory:
 * several when there are more operations than Cosmos takes in one. The mark always goes in the last, so
 * a record is taken as done only once everything else is gone, and a crash in between leaves it to be
 * found, and patched for what it still holds, again.
 */
export function anonymisePatches(doc: unknown, a: Anonymisation): RecordPatchOp[][] {
  const marks: RecordPatchOp[] = Object.entries(a.mark).map(([path, value]) => ({ op: "set", path, value }));
  if (marks.length > MAX_PATCH_OPS) throw new Error("an anonymisation mark must fit in one patch");
  const removed = removals(doc, a);
  const changes: RecordPatchOp[] = [
    ...removed.map((path): RecordPatchOp => ({ op: "remove", path })),
    ...emptied(doc, a, removed).map((path): RecordPatchOp => ({ op: "set", path, value: [] })),
  ];
  const patches: RecordPatchOp[][] = [];
  let rest = changes;
  while (rest.length + marks.length > MAX_PATCH_OPS) {
    patches.push(rest.slice(0, MAX_PATCH_OPS));
    rest = rest.slice(MAX_PATCH_OPS);
  }
  patches.push([...rest, ...marks]);
  return patches;
}

/** The paths an anonymisation reads: what a listing selects so {@link anonymisePatches} sees them all. */
export const anonymisationPaths = (a: Anonymisation): string[] => [...a.remove, ...a.empty];
