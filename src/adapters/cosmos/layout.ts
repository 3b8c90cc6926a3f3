import { parseDuration } from "../../domain/duration";
import type { Inventory, InventoryEntry } from "../../domain/inventory/schema";
import { cosmosEntries } from "../../domain/inventory/schema";

export interface ContainerSpec {
  name: string;
  partitionKeyPath: string;
  /** -1: TTL on, per item; undefined: off. */
  defaultTtl?: number;
}

/**
 * The service's own containers (DESIGN §3). Infra creates exactly these; the local host creates them
 * at start. Partition key `/pk` holds the subject (`tenant:<id>` or `wa:<hash>`) or the job's owner.
 */
export const serviceContainers: ContainerSpec[] = [
  // TTL on, per item: Idempotency-Key records expire after IDEMPOTENCY_TTL_HOURS (and are read as absent
  // once past it, since TTL deletion is lazy); requests themselves carry no `ttl` and never expire.
  { name: "requests", partitionKeyPath: "/pk", defaultTtl: -1 },
  { name: "audit", partitionKeyPath: "/pk" },
  // TTL on, per item: run records (partition `runs`) expire after RUN_RECORD_DAYS; other jobs carry no `ttl`.
  { name: "jobs", partitionKeyPath: "/pk", defaultTtl: -1 },
  // TTL on, per item: the catalogue entries of a rotated set (keyed hashes of numbers) expire after it.
  { name: "backups", partitionKeyPath: "/pk", defaultTtl: -1 },
  { name: "ratelimits", partitionKeyPath: "/pk", defaultTtl: -1 },
];

/**
 * Cosmos TTL as a backstop of the retention sweep, where it fits: an entry whose sweep deletes, with a
 * retention of fixed length (days, weeks, hours: not calendar months or years). TTL counts from a
 * record's last write, which for append-only records such as usage logs is when they were made; the
 * sweep (which reads the record's own time and honours RETENTION_OVERRIDES) stays the rule.
 */
export function ttlSeconds(entry: InventoryEntry): number | undefined {
  if (entry.sweep?.action.type !== "delete" || !entry.retention) return undefined;
  const d = parseDuration(entry.retention.duration);
  if (!d || d.years || d.months) return undefined;
  return (((d.weeks * 7 + d.days) * 24 + d.hours) * 60 + d.minutes) * 60 + d.seconds;
}

/** Platform containers are partitioned by tenant: the tenant-isolation boundary. */
export function platformContainers(inventory: Inventory): ContainerSpec[] {
  return cosmosEntries(inventory).map((e) => {
    const ttl = ttlSeconds(e);
    return {
      name: e.store.container,
      partitionKeyPath: `/${e.store.tenantField.replace(/\./g, "/")}`,
      ...(ttl !== undefined ? { defaultTtl: ttl } : {}),
    };
  });
}
