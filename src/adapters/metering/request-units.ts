import type { OperationCounts } from "./operation-meter";

/**
 * Request units estimated from counted operations, for the bench and docs/capacity.md. Cosmos reports
 * the real charge per response; the embedded emulator does not, so these are Cosmos's published costs
 * applied to what was counted (read 2026-11-30):
 *
 * - point read: 1 RU per KB read ("a point read for a 1-KB item is 1 RU",
 *   https://learn.microsoft.com/azure/cosmos-db/request-units);
 * - create, replace, upsert: 5.7 RU per KB written (a 1 KB item with default indexing; the figure,
 *   and the order of the "about 5 RU" of https://learn.microsoft.com/azure/cosmos-db/optimize-cost-reads-writes);
 * - patch and delete: as a write of a 1 KB item (the adapter does not see the item's size);
 * - a query page: 2.8 RU (the charge of a query served by the index that returns nothing) plus 1 RU per
 *   KB it returns; a page with no partition key pays the 2.8 RU once per physical partition it fans out to;
 * - a partition delete: runs in the background from the container's throughput (at most 10 % of it,
 *   https://learn.microsoft.com/azure/cosmos-db/nosql/how-to-delete-by-partition-key); its records are
 *   charged as deletes, which the purge counts as it goes, so here it costs its call only.
 *
 * Session consistency is assumed (bounded staleness or strong doubles read charges).
 */
export const RU = {
  readPerKb: 1,
  writePerKb: 5.7,
  patchOrDelete: 5.7,
  queryPage: 2.8,
  returnedPerKb: 1,
} as const;

export function estimatedRequestUnits(counts: OperationCounts, physicalPartitions = 1): number {
  const o = counts.ops;
  return (
    RU.readPerKb * counts.kbRead +
    RU.writePerKb * counts.kbWritten +
    RU.patchOrDelete * (o["cosmos.patch"] + o["cosmos.delete"]) +
    RU.queryPage * (o["cosmos.queryPage"] + physicalPartitions * o["cosmos.crossPartitionQueryPage"]) +
    RU.patchOrDelete * o["cosmos.partitionDelete"]
  );
}
