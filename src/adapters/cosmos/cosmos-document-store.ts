import { type Container, type CosmosClient, ErrorResponse } from "@azure/cosmos";
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

const MAX_PAGE = 1000;

const statusOf = (e: unknown): number | undefined =>
  e instanceof ErrorResponse || (typeof e === "object" && e !== null && "code" in e)
    ? Number((e as { code?: unknown }).code)
    : undefined;

/**
 * How a continuation token that passed our envelope can still be refused: the service answers 400, or
 * the SDK fails parsing it (it reads cross-partition ORDER BY tokens itself). Throttling, timeouts and
 * outages are not the token's fault and stay what they are.
 */
const refusesToken = (e: unknown): boolean =>
  statusOf(e) === 400 || e instanceof SyntaxError || e instanceof TypeError;

/** Cosmos system properties (_rid, _ts, …) stay in the adapter. */
function strip<T extends Doc>(resource: Record<string, unknown>): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(resource)) if (!k.startsWith("_")) out[k] = v;
  return out as T;
}

class CosmosCollection implements DocumentCollection {
  constructor(
    readonly name: string,
    private readonly container: Container,
    private readonly partitionKeyPath: string,
  ) {}

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

  async query<T extends Doc>(spec: QuerySpec): Promise<Page<T>> {
    const sql = toSql(this.scoped(spec));
    const key = queryKey(sql.query, spec.partitionKey);
    const continuationToken =
      spec.continuationToken === undefined ? undefined : unwrapToken(spec.continuationToken, key);
    const iterator = this.container.items.query<Record<string, unknown>>(sql, {
      partitionKey: spec.partitionKey,
      maxItemCount: Math.min(spec.limit ?? 100, MAX_PAGE),
      continuationToken,
    });
    let page: Awaited<ReturnType<typeof iterator.fetchNext>>;
    try {
      page = await iterator.fetchNext();
    } catch (e) {
      if (continuationToken !== undefined && refusesToken(e)) throw new InvalidContinuationTokenError();
      throw e;
    }
    const token = page.continuationToken ?? undefined;
    return {
      items: page.resources.map((r) => strip<T>(r)),
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

export class CosmosDocumentStore implements DocumentStore {
  private readonly cache = new Map<string, CosmosCollection>();

  constructor(
    private readonly client: CosmosClient,
    private readonly databases: Record<Database, string>,
    private readonly partitionKeyPaths: Record<Database, Record<string, string>>,
  ) {}

  collection(database: Database, name: string): DocumentCollection {
    const key = `${database}/${name}`;
    let c = this.cache.get(key);
    if (!c) {
      const pkPath = this.partitionKeyPaths[database][name];
      if (!pkPath) throw new Error(`unknown container ${key}: add it to the layout`);
      c = new CosmosCollection(name, this.client.database(this.databases[database]).container(name), pkPath);
      this.cache.set(key, c);
    }
    return c;
  }

  async ping(): Promise<void> {
    await this.client.database(this.databases.service).read();
  }
}
