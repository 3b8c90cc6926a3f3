import { type Container, type CosmosClient, ErrorResponse, type FeedOptions } from "@azure/cosmos";
import {
  AlreadyExistsError,
  type Database,
  InvalidContinuationTokenError,
  type Doc,
  type DocumentCollection,
  type DocumentStore,
  type Page,
  type PatchOp,
  PreconditionFailedError,
  type QuerySpec,
  type Versioned,
} from "../../ports/document-store";
import { queryKey, unwrapToken, wrapToken } from "./continuation";
import { toSql } from "./query";

/**
 * The most items one page may ask for. Cosmos itself still ends a page at 4 MB (or its time budget), so
 * this bounds memory only for small items: the purge lists 10 000 ids at a time (PURGE_TUNING), a few
 * hundred KB, in one query where 1 000 at a time took ten.
 */
const MAX_PAGE = 10_000;

/**
 * How many empty pages one `query` call reads past, on the same SDK iterator, before it hands an empty
 * page and its continuation token to the caller: a bound on one call's latency, not on the query.
 */
const MAX_EMPTY_FETCHES = 8;

/** A bound on reading a page that has no token while the SDK says more results remain (never seen). */
const MAX_TOKENLESS_FETCHES = 1000;

const statusOf = (e: unknown): number | undefined =>
  e instanceof ErrorResponse || (typeof e === "object" && e !== null && "code" in e)
    ? Number((e as { code?: unknown }).code)
    : undefined;

/**
 * How a continuation token that passed our envelope can still be refused: the service answers 400, or
 * the SDK fails parsing it (it reads cross-partition tokens itself: a JSON or type error, or its own
 * "Invalid continuation token format" ErrorResponse without a status, parallelQueryExecutionContextBase.js
 * `_parseContinuationToken`). Throttling, timeouts and outages are not the token's fault and stay what
 * they are.
 */
const refusesToken = (e: unknown): boolean => {
  const status = statusOf(e);
  if (status === 400 || e instanceof SyntaxError || e instanceof TypeError) return true;
  return (
    (status === undefined || !Number.isFinite(status)) &&
    e instanceof Error &&
    /continuation token/i.test(e.message)
  );
};

/**
 * Whether Cosmos' token is the SDK's own composite token (`{ rid, rangeMappings, … }`, built by the SDK's
 * pipelined query context with query control: @azure/cosmos 4.9.3
 * dist/commonjs/documents/ContinuationToken/CompositeQueryContinuationToken.js and
 * OrderByQueryContinuationToken.js) rather than a gateway token. Only the SDK can resume from it.
 */
function isCompositeToken(token: string): boolean {
  try {
    const parsed: unknown = JSON.parse(token);
    return (
      typeof parsed === "object" &&
      parsed !== null &&
      Array.isArray((parsed as { rangeMappings?: unknown }).rangeMappings)
    );
  } catch {
    return false;
  }
}

/**
 * The SDK's feed options for one page, as Azure needs them (@azure/cosmos 4.9.3, dist/commonjs):
 *
 * - `enableQueryControl`. A query the gateway cannot serve alone (cross-partition ORDER BY, in Azure)
 *   runs in the SDK's pipelined context (queryIterator.js:238-244 switches to it on the gateway's 400,
 *   queryIterator.js:389-395). Without query control that context uses LegacyFetchImplementation
 *   (pipelinedQueryExecutionContext.js:87-99), whose merged headers never carry a continuation
 *   (LegacyFetchImplementation.js:31-60, headerUtils.js `mergeHeaders`): a page of `maxItemCount` items
 *   with no token, which reads as the end of the result, and a token given back throws
 *   (parallelQueryExecutionContextBase.js:94-99, "Continuation tokens are supported when
 *   enableQueryControl is set true"). With it, QueryControlFetchImplementation.js:67-104 returns the
 *   SDK's composite token on every page, including empty ones: it "returns what is available"
 *   (request/FeedOptions.d.ts:116-121), so a page may be empty while later pages hold results.
 * - `forceQueryPlan` when resuming from a composite token. A fresh iterator first sends the query to the
 *   gateway directly (queryIterator.js:225-256; only `forceQueryPlan` goes to the query plan first,
 *   queryIterator.js:409-414), with the composite token as `x-ms-continuation`, which the gateway
 *   cannot parse: a wasted 400 on the standard gateway, a hard 400 `MalformedContinuationToken`
 *   (substatus 20007) on the compute gateway (Azure/azure-sdk-for-js issue #39115, fixed upstream by
 *   PR #39116 the same way: resume through the query plan). Gateway tokens (single-partition queries,
 *   and everything the local emulator serves: it has no query plans) resume as they are.
 */
function feedOptions(spec: QuerySpec, continuationToken: string | undefined): FeedOptions {
  return {
    partitionKey: spec.partitionKey,
    maxItemCount: Math.min(spec.limit ?? 100, MAX_PAGE),
    continuationToken,
    enableQueryControl: true,
    ...(continuationToken !== undefined && isCompositeToken(continuationToken)
      ? { forceQueryPlan: true }
      : {}),
  };
}

/** Cosmos system properties (_rid, _ts, …) stay in the adapter. */
function strip<T extends Doc>(resource: Record<string, unknown>): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(resource)) if (!k.startsWith("_")) out[k] = v;
  return out as T;
}

class CosmosCollection implements DocumentCollection {
  /** Set only when the account allows delete-by-partition-key (see {@link CosmosStoreOptions}). */
  readonly deletePartition?: (partitionKey: string) => Promise<void>;

  constructor(
    readonly name: string,
    private readonly container: Container,
    private readonly partitionKeyPath: string,
    partitionDelete = false,
  ) {
    if (partitionDelete) {
      // @azure/cosmos 4.9.3 Container.deleteAllItemsForPartitionKey: POST …/operations/partitionkeydelete,
      // accepted at once and carried out in the background by the service.
      this.deletePartition = async (partitionKey) => {
        try {
          await this.container.deleteAllItemsForPartitionKey(partitionKey);
        } catch (e) {
          if (statusOf(e) !== 404) throw e;
        }
      };
    }
  }

  async read<T extends Doc>(id: string, partitionKey: string): Promise<Versioned<T> | undefined> {
    try {
      const { resource, etag } = await this.container.item(id, partitionKey).read<Record<string, unknown>>();
      return resource ? { doc: strip<T>(resource), etag } : undefined;
    } catch (e) {
      if (statusOf(e) === 404) return undefined;
      throw e;
    }
  }

  async create<T extends Doc>(doc: T): Promise<Versioned<T>> {
    try {
      const { resource, etag } = await this.container.items.create<T>(doc);
      return { doc: strip<T>(resource ?? doc), etag };
    } catch (e) {
      if (statusOf(e) === 409) throw new AlreadyExistsError(`${this.name}/${doc.id}`);
      throw e;
    }
  }

  async replace<T extends Doc>(doc: T, etag: string): Promise<Versioned<T>> {
    const pk = this.pkOf(doc);
    try {
      const res = await this.container
        .item(doc.id, pk)
        .replace<T>(doc, { accessCondition: { type: "IfMatch", condition: etag } });
      return { doc: strip<T>(res.resource ?? doc), etag: res.etag };
    } catch (e) {
      const status = statusOf(e);
      if (status === 412 || status === 404) throw new PreconditionFailedError(`${this.name}/${doc.id}`);
      throw e;
    }
  }

  async upsert<T extends Doc>(doc: T): Promise<Versioned<T>> {
    const { resource, etag } = await this.container.items.upsert<T>(doc);
    return { doc: strip<T>(resource ?? doc), etag };
  }

  async patch(id: string, partitionKey: string, ops: PatchOp[]): Promise<boolean> {
    try {
      await this.container
        .item(id, partitionKey)
        .patch(
          ops.map((o) =>
            o.op === "set"
              ? { op: "set" as const, path: `/${o.path.replace(/\./g, "/")}`, value: o.value }
              : { op: "remove" as const, path: `/${o.path.replace(/\./g, "/")}` },
          ),
        );
      return true;
    } catch (e) {
      if (statusOf(e) === 404) return false;
      throw e;
    }
  }

  async delete(id: string, partitionKey: string, etag?: string): Promise<boolean> {
    try {
      await this.container
        .item(id, partitionKey)
        .delete(etag ? { accessCondition: { type: "IfMatch", condition: etag } } : undefined);
      return true;
    } catch (e) {
      const status = statusOf(e);
      if (status === 404) return false;
      if (status === 412) throw new PreconditionFailedError(`${this.name}/${id}`);
      throw e;
    }
  }

  /**
   * The partition key also goes into the WHERE clause: Cosmos routes by the option, and the local
   * emulator (which ignores the option) still filters, so tenant isolation never rests on routing.
   */
  private scoped(spec: QuerySpec): QuerySpec {
    if (spec.partitionKey === undefined) return spec;
    const field = this.partitionKeyPath.split("/").filter(Boolean).join(".");
    return { ...spec, where: [{ field, op: "=", value: spec.partitionKey }, ...(spec.where ?? [])] };
  }

  /**
   * One page, never "the end" too early: empty pages are read past on the same iterator (up to
   * {@link MAX_EMPTY_FETCHES}, then an empty page goes back with its token), and a page without a token
   * is returned only when the SDK has nothing more. Should the SDK ever give items without a token while
   * it has more (the legacy path above), the rest is read into this page rather than lost.
   */
  async query<T extends Doc>(spec: QuerySpec): Promise<Page<T>> {
    const sql = toSql(this.scoped(spec));
    const key = queryKey(sql.query, spec.partitionKey);
    const continuationToken =
      spec.continuationToken === undefined ? undefined : unwrapToken(spec.continuationToken, key);
    const iterator = this.container.items.query<Record<string, unknown>>(
      sql,
      feedOptions(spec, continuationToken),
    );
    const resources: Record<string, unknown>[] = [];
    let token: string | undefined;
    try {
      for (let fetches = 1; ; fetches++) {
        const page = await iterator.fetchNext();
        resources.push(...page.resources);
        token = page.continuationToken || undefined;
        if (!iterator.hasMoreResults()) break;
        if (token === undefined) {
          // More results and no way to resume: keep reading, but never spin forever on an SDK fault.
          if (fetches >= MAX_TOKENLESS_FETCHES)
            throw new Error("Cosmos gave no continuation token for a query with more results");
          continue;
        }
        if (resources.length > 0 || fetches >= MAX_EMPTY_FETCHES) break;
      }
    } catch (e) {
      if (continuationToken !== undefined && refusesToken(e)) throw new InvalidContinuationTokenError();
      throw e;
    }
    return {
      items: resources.map((r) => strip<T>(r)),
      ...(token ? { continuationToken: wrapToken(token, key) } : {}),
    };
  }

  async count(spec: QuerySpec): Promise<number> {
    const { resources } = await this.container.items
      .query<number>(toSql(this.scoped(spec), true), { partitionKey: spec.partitionKey })
      .fetchAll();
    return resources.reduce((a, b) => a + b, 0);
  }

  /** Every container here is partitioned on one top-level or nested field, named in the layout. */
  private pkOf(doc: Doc): string {
    const value = this.partitionKeyPath
      .split("/")
      .filter(Boolean)
      .reduce<unknown>(
        (o, k) => (o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined),
        doc,
      );
    if (typeof value !== "string") throw new Error(`${this.name}/${doc.id} has no partition key`);
    return value;
  }
}

export interface CosmosStoreOptions {
  /**
   * The databases whose collections offer `deletePartition`: only where the account holding them has the
   * `DeleteAllItemsByPartitionKey` capability (PLATFORM_COSMOS_PARTITION_DELETE), which the emulator lacks.
   */
  partitionDelete?: readonly Database[];
}

export class CosmosDocumentStore implements DocumentStore {
  private readonly cache = new Map<string, CosmosCollection>();

  constructor(
    private readonly client: CosmosClient,
    private readonly databases: Record<Database, string>,
    private readonly partitionKeyPaths: Record<Database, Record<string, string>>,
    private readonly options: CosmosStoreOptions = {},
  ) {}

  collection(database: Database, name: string): DocumentCollection {
    const key = `${database}/${name}`;
    let c = this.cache.get(key);
    if (!c) {
      const pkPath = this.partitionKeyPaths[database][name];
      if (!pkPath) throw new Error(`unknown container ${key}: add it to the layout`);
      c = new CosmosCollection(
        name,
        this.client.database(this.databases[database]).container(name),
        pkPath,
        this.options.partitionDelete?.includes(database) ?? false,
      );
      this.cache.set(key, c);
    }
    return c;
  }

  async ping(): Promise<void> {
    await this.client.database(this.databases.service).read();
  }
}
