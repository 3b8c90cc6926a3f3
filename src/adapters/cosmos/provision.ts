import type { CosmosClient } from "@azure/cosmos";
import type { ContainerSpec } from "./layout";

/**
 * Creates databases and containers. Local profile only: with managed identity, data-plane RBAC cannot
 * create them, so in Azure they come from Bicep (infra/) with the same specs.
 */
export async function provisionCosmos(
  client: CosmosClient,
  layout: { database: string; containers: ContainerSpec[] }[],
) {
  for (const { database, containers } of layout) {
    const { database: db } = await client.databases.createIfNotExists({ id: database });
    for (const c of containers) {
      await db.containers.createIfNotExists({
        id: c.name,
        partitionKey: { paths: [c.partitionKeyPath] },
        ...(c.defaultTtl !== undefined ? { defaultTtl: c.defaultTtl } : {}),
      });
    }
  }
}
