import { createHash } from "node:crypto";
import {
  type Doc,
  type DocumentCollection,
  type DocumentStore,
  InvalidContinuationTokenError,
  type Page,
  type QuerySpec,
} from "../../src/ports/document-store";

/**
 * A model of how Cosmos DB pages in Azure, where the local emulator is kinder (DESIGN §9, "Real Cosmos
 * pages"): the emulator returns every match in full pages, so a loop that reads one page, stops on an
 * empty page, or stops on a short page passes locally and misses results in Azure.
 *
 * Wrapped, every query answers one item per page with an empty page before each item and after the last
 * (`[] → [a] → [] → [b] → [] → end`), every page but the last with a continuation token, whatever `limit`
 * asks. That is what Azure can do: a cross-partition query with query control returns what one partition
 * produced, often nothing (@azure/cosmos FeedOptions `enableQueryControl`), and a page may hold fewer
 * items than asked while more follow. Only a page without a token is the end.
 *
 * Tokens resume after the last item handed out (as Cosmos' do: they carry a position in the index, not an
 * offset), so a drain loop that deletes what it handled and a loop that follows tokens both behave as in
 * Azure. Order: the query's ORDER BY, then id, then the document's JSON (ties across partitions). A token
 * not given out by this wrapper for the same query fails with InvalidContinuationTokenError, as the
 * adapter's do. `count`, reads and writes go straight through.
 */

interface Cursor {
  /** The query's key: fields, operators, order and projection (not values, which may be the clock). */
  k: string;
  /** Sort key of the last item handed out; null before the first. */
  after: [unknown, string, string] | null;
  /** What the next page is: an empty one, or the next item. */
  next: "empty" | "item";
}

const PREFIX = "cl1.";

function keyOf(spec: QuerySpec): string {
  const shape = {
    pk: spec.partitionKey ?? null,
    where: (spec.where ?? []).map((c) => [c.field, c.op]),
    orderBy: spec.orderBy ?? null,
    select: spec.select ?? null,
  };
  return createHash("sha256").update(JSON.stringify(shape)).digest("base64url").slice(0, 16);
}

function encode(cursor: Cursor): string {
  return PREFIX + Buffer.from(JSON.stringify(cursor), "utf8").toString("base64url");
}

function decode(token: string, key: string): Cursor {
  if (!token.startsWith(PREFIX)) throw new InvalidContinuationTokenError();
  let cursor: Cursor;
  try {
    cursor = JSON.parse(Buffer.from(token.slice(PREFIX.length), "base64url").toString("utf8")) as Cursor;
  } catch {
    throw new InvalidContinuationTokenError();
  }
  if (cursor?.k !== key || (cursor.next !== "empty" && cursor.next !== "item"))
    throw new InvalidContinuationTokenError();
  return cursor;
}

const get = (doc: unknown, field: string): unknown =>
  field
    .split(".")
    .reduce<unknown>(
      (o, k) => (o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined),
      doc,
    );

/** Cosmos' order of types: undefined, null, booleans, numbers, strings (anything else last, as JSON). */
function compareValues(a: unknown, b: unknown): number {
  const rank = (v: unknown) =>
    v === undefined
      ? 0
      : v === null
        ? 1
        : typeof v === "boolean"
          ? 2
          : typeof v === "number"
            ? 3
            : typeof v === "string"
              ? 4
              : 5;
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 2 || ra === 3 || ra === 4) return a! < b! ? -1 : a! > b! ? 1 : 0;
  const ja = JSON.stringify(a) ?? "";
  const jb = JSON.stringify(b) ?? "";
  return ja < jb ? -1 : ja > jb ? 1 : 0;
}

function sortKey(doc: Doc, spec: QuerySpec): [unknown, string, string] {
  return [spec.orderBy ? get(doc, spec.orderBy.field) : null, doc.id, JSON.stringify(doc)];
}

function compareKeys(a: [unknown, string, string], b: [unknown, string, string], spec: QuerySpec): number {
  const byOrder = compareValues(a[0], b[0]) * (spec.orderBy?.direction === "desc" ? -1 : 1);
  if (byOrder !== 0) return byOrder;
  if (a[1] !== b[1]) return a[1] < b[1] ? -1 : 1;
  return a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0;
}

/** Counts what the wrapper served, for tests that want to show the empty pages were really there. */
export interface PagingStats {
  queries: number;
  emptyPagesWithToken: number;
}

/** `base`, with every query paged as Azure may page it (see above). */
export function cosmosLikePaging(base: DocumentCollection, stats?: PagingStats): DocumentCollection {
  async function everything<T extends Doc>(spec: Omit<QuerySpec, "continuationToken">): Promise<T[]> {
    const out: T[] = [];
    let continuationToken: string | undefined;
    do {
      const page = await base.query<T>({
        ...spec,
        limit: 1000,
        ...(continuationToken ? { continuationToken } : {}),
      });
      out.push(...page.items);
      continuationToken = page.continuationToken;
    } while (continuationToken);
    return out;
  }

  async function query<T extends Doc>(spec: QuerySpec): Promise<Page<T>> {
    const key = keyOf(spec);
    const cursor: Cursor =
      spec.continuationToken === undefined
        ? { k: key, after: null, next: "empty" }
        : decode(spec.continuationToken, key);
    if (stats) stats.queries++;
    if (cursor.next === "empty") {
      if (stats) stats.emptyPagesWithToken++;
      return { items: [], continuationToken: encode({ ...cursor, next: "item" }) };
    }
    const { continuationToken: _token, ...rest } = spec;
    const sorted = (await everything<T>(rest))
      .map((doc) => ({ doc, key: sortKey(doc, spec) }))
      .sort((a, b) => compareKeys(a.key, b.key, spec));
    const next = cursor.after ? sorted.find((x) => compareKeys(x.key, cursor.after!, spec) > 0) : sorted[0];
    if (!next) return { items: [] };
    return { items: [next.doc], continuationToken: encode({ k: key, after: next.key, next: "empty" }) };
  }

  return new Proxy(base, {
    get(target, prop, receiver) {
      if (prop === "query") return query;
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/**
 * `base` with the collections `which` picks (all by default) paged as Azure may page them; for
 * `patchPort(host, "documents", cosmosLikeStore(host.runtime.app.ports.documents))`.
 */
export function cosmosLikeStore(
  base: DocumentStore,
  options: { which?: (database: string, name: string) => boolean; stats?: PagingStats } = {},
): DocumentStore {
  const cache = new Map<string, DocumentCollection>();
  return {
    ping: () => base.ping(),
    collection(database, name) {
      const c = base.collection(database, name);
      if (options.which && !options.which(database, name)) return c;
      const key = `${database}/${name}`;
      let wrapped = cache.get(key);
      if (!wrapped) {
        wrapped = cosmosLikePaging(c, options.stats);
        cache.set(key, wrapped);
      }
      return wrapped;
    },
  };
}
