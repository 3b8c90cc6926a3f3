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
  /** Page size; the adapter caps it. */
  limit?: number;
  /**
   * Opaque, from a previous page of the same query (the page size may change); anything else fails
   * with {@link InvalidContinuationTokenError}.
   */
  continuationToken?: string;
  /** Only these fields (plus id); for wide scans that need little. */
  select?: string[];
}

export interface Page<T> {
  items: T[];
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
  query<T extends Doc>(spec: QuerySpec): Promise<Page<T>>;
  count(spec: Omit<QuerySpec, "limit" | "continuationToken" | "orderBy" | "select">): Promise<number>;
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
