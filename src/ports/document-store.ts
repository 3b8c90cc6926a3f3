/**
 * A document database as the use cases see it (Cosmos DB in every profile). Queries are structured,
 * never SQL strings, so the app layer cannot inject and the adapter owns the dialect.
 */
export type Doc = { id: string };
export type Versioned<T> = { doc: T; etag: string };

export type Scalar = string | number | boolean | null;
export type Condition =
  | { field: string; op: "=" | "!=" | "<" | "<=" | ">" | ">="; value: Scalar }
  | { field: string; op: "in"; value: Scalar[] }
  | { field: string; op: "defined" | "undefined" };

export interface QuerySpec {
  /** Restricts the query to one partition: cheap, and the tenant-isolation boundary. */
  partitionKey?: string;
  where?: Condition[];
  orderBy?: { field: string; direction: "asc" | "desc" };
  /** Most items on one page; the adapter caps it. Not a promise of full pages: see {@link Page}. */
  limit?: number;
  /**
   * Opaque, from a previous page of the same query (the page size may change); anything else fails
   * with {@link InvalidContinuationTokenError}.
   */
  continuationToken?: string;
  /** Only these fields (plus id); for wide scans that need little. */
  select?: string[];
}

/**
 * One page of a query. The contract is Cosmos' own (DESIGN §9, "Real Cosmos pages"):
 *
 * - The query is done when, and only when, a page comes back **without** `continuationToken`.
 * - A page may be **empty and still carry a token**, with matching items on later pages (Cosmos returns
 *   what one partition, or one slice of work, produced: often nothing). An empty page is never the end.
 * - A page may hold **fewer items than `limit`** and still carry a token. A short page is never the end.
 * - The last page may carry a token too; following it gives an empty page without one.
 *
 * So every loop follows the token: `queryAll`, `queryPages`, `queryFirst` and `firstNonEmptyPage`
 * (src/app/util/paging.ts) do it for the common shapes. Reading one page and taking `items[0]`, stopping on
 * an empty page, or stopping when `items.length < limit`, all miss results in Azure while passing on the
 * local emulator (which returns everything in full pages); test/support/cosmos-like-paging.ts models Azure.
 */
export interface Page<T> {
  items: T[];
  /** Present while the query may have more; opaque, to hand back in {@link QuerySpec.continuationToken}. */
  continuationToken?: string;
}

export type PatchOp = { op: "set"; path: string; value: unknown } | { op: "remove"; path: string };

export interface DocumentCollection {
  readonly name: string;
  read<T extends Doc>(id: string, partitionKey: string): Promise<Versioned<T> | undefined>;
  /** Fails with {@link AlreadyExistsError} when the id is taken in that partition. */
  create<T extends Doc>(doc: T): Promise<Versioned<T>>;
  /** Fails with {@link PreconditionFailedError} when the document changed since `etag` was read. */
  replace<T extends Doc>(doc: T, etag: string): Promise<Versioned<T>>;
  upsert<T extends Doc>(doc: T): Promise<Versioned<T>>;
  patch(id: string, partitionKey: string, ops: PatchOp[]): Promise<boolean>;
  /** False when there was nothing to delete: deleting twice is not an error. */
  delete(id: string, partitionKey: string, etag?: string): Promise<boolean>;
  /** One page: see {@link Page} for when the query is done (not when a page is empty or short). */
  query<T extends Doc>(spec: QuerySpec): Promise<Page<T>>;
  count(spec: Omit<QuerySpec, "limit" | "continuationToken" | "orderBy" | "select">): Promise<number>;
  /**
   * Only where the store and its account allow it (absent on the emulator, and unless configured): every
   * document of one logical partition deleted in one call (Cosmos delete-by-partition-key, which needs the
   * account capability `DeleteAllItemsByPartitionKey`). Cosmos deletes them in the background, with at most
   * 10 % of the container's throughput, and until it has finished a `count` of the partition may still
   * include them: a caller that must know they are gone counts until it reads 0. Deleting an empty or
   * missing partition is not an error. Every document of the partition goes, whatever its kind: only for a
   * container whose partition holds nothing that must stay.
   */
  deletePartition?(partitionKey: string): Promise<void>;
}

export type Database = "service" | "platform";

export interface DocumentStore {
  collection(database: Database, name: string): DocumentCollection;
  /** Round-trip to the store, for health checks. */
  ping(): Promise<void>;
}

export class PreconditionFailedError extends Error {
  constructor(what: string) {
    super(`${what} changed since it was read`);
    this.name = "PreconditionFailedError";
  }
}

export class AlreadyExistsError extends Error {
  constructor(what: string) {
    super(`${what} already exists`);
    this.name = "AlreadyExistsError";
  }
}

/**
 * A continuation token the store cannot continue from: not one it gave out, altered, or from another
 * query. Tokens come back from callers, so this is their error (a 400 at the HTTP edge), never ours.
 */
export class InvalidContinuationTokenError extends Error {
  constructor() {
    super("the continuation token is not one this query gave out");
    this.name = "InvalidContinuationTokenError";
  }
}
