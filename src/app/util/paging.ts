import type { Doc, DocumentCollection, QuerySpec } from "../../ports/document-store";

/** Every item a query matches, page by page (for timers, sweeps and jobs; HTTP answers page). */
export async function queryAll<T extends Doc>(
  collection: DocumentCollection,
  spec: Omit<QuerySpec, "continuationToken">,
): Promise<T[]> {
  const out: T[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await collection.query<T>({
      limit: 200,
      ...spec,
      ...(continuationToken ? { continuationToken } : {}),
    });
    out.push(...page.items);
    continuationToken = page.continuationToken;
  } while (continuationToken);
  return out;
}
