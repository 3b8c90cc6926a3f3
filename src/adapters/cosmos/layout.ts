import type { Inventory } from "../../domain/inventory/schema";
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
  { name: "requests", partitionKeyPath: "/pk" },
  { name: "audit", partitionKeyPath: "/pk" },
  { name: "jobs", partitionKeyPath: "/pk" },
  { name: "backups", partitionKeyPath: "/pk" },
  { name: "ratelimits", partitionKeyPath: "/pk", defaultTtl: -1 },
];

/** Platform containers are partitioned by tenant: the tenant-isolation boundary. */
export function platformContainers(inventory: Inventory): ContainerSpec[] {
  return cosmosEntries(inventory).map((e) => ({
    name: e.store.container,
    partitionKeyPath: `/${e.store.tenantField.replace(/\./g, "/")}`,
  }));
}
