import type {
  Condition,
  Doc,
  DocumentCollection,
  Page,
  PatchOp,
  QuerySpec,
  Versioned,
} from "../../ports/document-store";

/**
 * One kind of document in one container of the service's database. A container shared by several kinds
 * (`jobs`, `requests`) gets one store per `docType`: a read of a document of another type answers
 * undefined, every query and count is narrowed to the store's type, and a write of another type is a
 * programming error. Otherwise it is the collection itself: the same ETags, pages (src/ports/document-store.ts,
 * `Page`) and errors, one store operation per call, so the operation budgets see no difference.
 *
 * `T` is what the store holds; a call may name a narrower shape (`read<PurgeJob>`), as the collection allows.
 * The collection is looked up at each call, as the use cases did before there were stores: a document store
 * swapped into the ports (a test's fault, a metered store) is the one the next call uses.
 */
export class TypedStore<T extends Doc = Doc> implements DocumentCollection {
  constructor(
    private readonly container: () => DocumentCollection,
    /** Undefined when the container holds one kind only (`audit`, `ratelimits`, `backups`). */
    readonly docType?: string,
    /**
     * Reads a document without any `docType` as this store's too: for a kind first written before it had
     * one (the anchor hint), so documents already in Azure stay visible until they are next written.
     */
    private readonly options: { readsUntyped?: true } = {},
  ) {}

  private get collection(): DocumentCollection {
    return this.container();
  }

  get name(): string {
    return this.collection.name;
  }

  async read<U extends Doc = T>(id: string, partitionKey: string): Promise<Versioned<U> | undefined> {
    const found = await this.collection.read<U>(id, partitionKey);
    return found && this.holds(found.doc) ? found : undefined;
  }

  create<U extends Doc = T>(doc: U): Promise<Versioned<U>> {
    return this.collection.create(this.checked(doc));
  }

  replace<U extends Doc = T>(doc: U, etag: string): Promise<Versioned<U>> {
    return this.collection.replace(this.checked(doc), etag);
  }

  upsert<U extends Doc = T>(doc: U): Promise<Versioned<U>> {
    return this.collection.upsert(this.checked(doc));
  }

  patch(id: string, partitionKey: string, ops: PatchOp[]): Promise<boolean> {
    return this.collection.patch(id, partitionKey, ops);
  }

  delete(id: string, partitionKey: string, etag?: string): Promise<boolean> {
    return this.collection.delete(id, partitionKey, etag);
  }

  query<U extends Doc = T>(spec: QuerySpec): Promise<Page<U>> {
    return this.collection.query<U>(this.narrowed(spec));
  }

  count(spec: Omit<QuerySpec, "limit" | "continuationToken" | "orderBy" | "select">): Promise<number> {
    return this.collection.count(this.narrowed(spec));
  }

  private holds(doc: Doc): boolean {
    const docType = (doc as { docType?: unknown }).docType;
    return (
      this.docType === undefined ||
      docType === this.docType ||
      (this.options.readsUntyped === true && docType === undefined)
    );
  }

  private checked<U extends Doc>(doc: U): U {
    if (!this.holds(doc))
      throw new Error(`a ${this.docType ?? "?"} store was given another kind of document`);
    return doc;
  }

  /** The type's condition first; a caller's own copy of it is dropped, so a query never says it twice. */
  private narrowed<S extends { where?: Condition[] }>(spec: S): S {
    if (this.docType === undefined) return spec;
    const own: Condition = { field: "docType", op: "=", value: this.docType };
    const rest = (spec.where ?? []).filter(
      (c) => !(c.field === "docType" && c.op === "=" && c.value === own.value),
    );
    return { ...spec, where: [own, ...rest] };
  }
}
