import type { Doc, DocumentCollection, QuerySpec } from "../../ports/document-store";

/**
 * Loops over a query's pages, the only way the store's contract allows (src/ports/document-store.ts,
 * `Page`): follow the continuation token until a page comes without one. An empty page or a short page is
 * never the end; Cosmos gives both in Azure while the local emulator never does.
 */

type Spec = Omit<QuerySpec, "continuationToken">;
/** All a loop needs: an append-only store (`app.stores.audit`) qualifies as well as a full one. */
type Queryable = Pick<DocumentCollection, "query">;

/** The items of every page, a page at a time; empty pages are skipped, never taken for the end. */
export async function* queryPages<T extends Doc>(collection: Queryable, spec: Spec): AsyncGenerator<T[]> {
  let continuationToken: string | undefined;
  do {
    const page = await collection.query<T>({
      limit: 200,
      ...spec,
      ...(continuationToken ? { continuationToken } : {}),
    });
    if (page.items.length > 0) yield page.items;
    continuationToken = page.continuationToken;
  } while (continuationToken);
}

/** Every item a query matches, page by page (for timers, sweeps and jobs; HTTP answers page). */
export async function queryAll<T extends Doc>(collection: Queryable, spec: Spec): Promise<T[]> {
  const out: T[] = [];
  for await (const items of queryPages<T>(collection, spec)) out.push(...items);
  return out;
}

/**
 * The first page that holds anything, following tokens past empty pages: `items` is empty only when the
 * query matches nothing. `more` says whether a token followed it (the query may have more).
 *
 * For "drain" loops that handle a batch and ask again from the start (handled records drop out of the
 * query, so the old token is not reused): their stop condition is an empty result here, never one empty
 * page.
 */
export async function firstNonEmptyPage<T extends Doc>(
  collection: Queryable,
  spec: Spec,
): Promise<{ items: T[]; more: boolean }> {
  let continuationToken: string | undefined;
  do {
    const page = await collection.query<T>({
      limit: 200,
      ...spec,
      ...(continuationToken ? { continuationToken } : {}),
    });
    if (page.items.length > 0) return { items: page.items, more: page.continuationToken !== undefined };
    continuationToken = page.continuationToken;
  } while (continuationToken);
  return { items: [], more: false };
}

/** The first item a query gives (its order's first with `orderBy`), or undefined when it matches nothing. */
export async function queryFirst<T extends Doc>(collection: Queryable, spec: Spec): Promise<T | undefined> {
  return (await firstNonEmptyPage<T>(collection, { limit: 1, ...spec })).items[0];
}
