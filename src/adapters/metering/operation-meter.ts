/**
 * What the service asked of its stores, counted by operation type (issue 17). Timings on the emulators
 * are noisy; the number of store operations an action makes is not, and it is what Azure bills: Cosmos
 * by request units, Blob Storage per 10 000 operations, Service Bus per operation. The metered ports
 * (./metered-ports.ts) count every call; `npm run bench` and the operation-budget test read the counts.
 */
export const OPERATIONS = [
  "cosmos.pointRead",
  "cosmos.write",
  "cosmos.patch",
  "cosmos.delete",
  /** A whole logical partition deleted in one call (Cosmos delete-by-partition-key). */
  "cosmos.partitionDelete",
  /** One page of a query inside one partition (the partition key given). */
  "cosmos.queryPage",
  /** One page of a query with no partition key: Cosmos fans it out to every physical partition. */
  "cosmos.crossPartitionQueryPage",
  "blob.read",
  "blob.write",
  /** One listing page (Azure returns up to 5 000 names per page). */
  "blob.list",
  "blob.delete",
  "bus.scheduled",
  "bus.cancelled",
  "bus.sent",
  /** Dead-lettered messages received and completed (dropped). */
  "bus.received",
  "keyvault.wrap",
  "keyvault.unwrap",
] as const;
export type Operation = (typeof OPERATIONS)[number];

export interface OperationCounts {
  ops: Record<Operation, number>;
  /** Documents returned by queries: a query that reads more than it needs shows here. */
  itemsRead: number;
  /** Σ ⌈size/1 KB⌉ of documents read (point reads and query results). */
  kbRead: number;
  /** Σ ⌈size/1 KB⌉ of documents written (create, replace, upsert). */
  kbWritten: number;
}

export const emptyCounts = (): OperationCounts => ({
  ops: Object.fromEntries(OPERATIONS.map((o) => [o, 0])) as Record<Operation, number>,
  itemsRead: 0,
  kbRead: 0,
  kbWritten: 0,
});

/** ⌈bytes/1 KB⌉ of a document as JSON, at least 1: Cosmos charges per started KB. */
export const kilobytes = (doc: unknown): number =>
  Math.max(1, Math.ceil(Buffer.byteLength(JSON.stringify(doc) ?? "") / 1024));

export class OperationMeter {
  private counts = emptyCounts();

  /**
   * `measureSizes`: serialise each document once more to know its size (the local profile, the bench
   * and tests). Off in Azure, where every document then counts as 1 KB: the count stays exact.
   */
  constructor(readonly measureSizes = true) {}

  count(op: Operation, n = 1): void {
    this.counts.ops[op] += n;
  }

  read(docs: readonly unknown[]): void {
    this.counts.kbRead += this.measureSizes
      ? docs.reduce<number>((a, d) => a + kilobytes(d), 0)
      : docs.length;
  }

  queried(docs: readonly unknown[]): void {
    this.counts.itemsRead += docs.length;
    this.read(docs);
  }

  wrote(doc: unknown): void {
    this.counts.kbWritten += this.measureSizes ? kilobytes(doc) : 1;
  }

  snapshot(): OperationCounts {
    return structuredClone(this.counts);
  }

  /** What was counted since `before` (a snapshot). */
  since(before: OperationCounts): OperationCounts {
    const now = this.counts;
    return {
      ops: Object.fromEntries(OPERATIONS.map((o) => [o, now.ops[o] - before.ops[o]])) as Record<
        Operation,
        number
      >,
      itemsRead: now.itemsRead - before.itemsRead,
      kbRead: now.kbRead - before.kbRead,
      kbWritten: now.kbWritten - before.kbWritten,
    };
  }

  /** Runs `work` and returns what it cost (everything counted meanwhile, so run one action at a time). */
  async measure<T>(work: () => Promise<T>): Promise<{ result: T; counts: OperationCounts }> {
    const before = this.snapshot();
    const result = await work();
    return { result, counts: this.since(before) };
  }
}
