import type {
  Database,
  Doc,
  DocumentCollection,
  DocumentStore,
  Page,
  PatchOp,
  QuerySpec,
  Versioned,
} from "../../ports/document-store";
import type { OperationMeter } from "./operation-meter";

/** A collection that counts each call on the meter, then does exactly what the one it wraps does. */
class MeteredCollection implements DocumentCollection {
  /** Present exactly when the wrapped collection has it: the purge looks for it to choose its path. */
  readonly deletePartition?: (partitionKey: string) => Promise<void>;

  constructor(
    private readonly inner: DocumentCollection,
    private readonly meter: OperationMeter,
  ) {
    const deletePartition = inner.deletePartition?.bind(inner);
    if (deletePartition)
      this.deletePartition = (partitionKey) => {
        meter.count("cosmos.partitionDelete");
        return deletePartition(partitionKey);
      };
  }

  get name() {
    return this.inner.name;
  }

  async read<T extends Doc>(id: string, partitionKey: string): Promise<Versioned<T> | undefined> {
    this.meter.count("cosmos.pointRead");
    const found = await this.inner.read<T>(id, partitionKey);
    if (found) this.meter.read([found.doc]);
    return found;
  }

  create<T extends Doc>(doc: T): Promise<Versioned<T>> {
    this.wrote(doc);
    return this.inner.create(doc);
  }

  replace<T extends Doc>(doc: T, etag: string): Promise<Versioned<T>> {
    this.wrote(doc);
    return this.inner.replace(doc, etag);
  }

  upsert<T extends Doc>(doc: T): Promise<Versioned<T>> {
    this.wrote(doc);
    return this.inner.upsert(doc);
  }

  patch(id: string, partitionKey: string, ops: PatchOp[]): Promise<boolean> {
    this.meter.count("cosmos.patch");
    return this.inner.patch(id, partitionKey, ops);
  }

  delete(id: string, partitionKey: string, etag?: string): Promise<boolean> {
    this.meter.count("cosmos.delete");
    return this.inner.delete(id, partitionKey, etag);
  }

  async query<T extends Doc>(spec: QuerySpec): Promise<Page<T>> {
    this.meter.count(spec.partitionKey === undefined ? "cosmos.crossPartitionQueryPage" : "cosmos.queryPage");
    const page = await this.inner.query<T>(spec);
    this.meter.queried(page.items);
    return page;
  }

  count(spec: Omit<QuerySpec, "limit" | "continuationToken" | "orderBy" | "select">): Promise<number> {
    this.meter.count(spec.partitionKey === undefined ? "cosmos.crossPartitionQueryPage" : "cosmos.queryPage");
    return this.inner.count(spec);
  }

  private wrote(doc: Doc) {
    this.meter.count("cosmos.write");
    this.meter.wrote(doc);
  }
}

export function meteredDocuments(inner: DocumentStore, meter: OperationMeter): DocumentStore {
  const cache = new Map<string, DocumentCollection>();
  return {
    collection(database: Database, name: string) {
      const key = `${database}/${name}`;
      let c = cache.get(key);
      if (!c) {
        c = new MeteredCollection(inner.collection(database, name), meter);
        cache.set(key, c);
      }
      return c;
    },
    ping: () => inner.ping(),
  };
}
