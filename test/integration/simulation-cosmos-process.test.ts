import { CosmosClient } from "@azure/cosmos";
import { describe, expect, it } from "vitest";
import { startCosmosProcess } from "../../scripts/simulate/cosmos-process";
import { EMULATOR_COSMOS_KEY } from "../../src/composition";

/**
 * `npm run simulate` runs the Cosmos emulator in a child process (a second core). It must answer the SDK on
 * loopback, and be gone once stopped: a run must leave no process behind.
 */
describe("the simulation's Cosmos emulator process", () => {
  it("answers the Cosmos SDK on loopback and exits when stopped", { timeout: 60_000 }, async () => {
    const cosmos = await startCosmosProcess();
    try {
      expect(cosmos.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const client = new CosmosClient({
        endpoint: cosmos.endpoint,
        key: EMULATOR_COSMOS_KEY,
        connectionPolicy: { enableEndpointDiscovery: false },
      });
      const { database } = await client.databases.createIfNotExists({ id: "sim-check" });
      const { container } = await database.containers.createIfNotExists({
        id: "c",
        partitionKey: { paths: ["/pk"] },
      });
      await container.items.create({ id: "a", pk: "p" });
      const { resource } = await container.item("a", "p").read<{ id: string }>();
      expect(resource?.id).toBe("a");
    } finally {
      await cosmos.stop();
    }
    await expect(fetch(cosmos.endpoint)).rejects.toThrow();
  });
});
