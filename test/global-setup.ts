import type { TestProject } from "vitest/node";
import { startAzurite, startCosmos } from "../src/local/emulators";

declare module "vitest" {
  export interface ProvidedContext {
    cosmosEndpoint: string;
    blobConnectionString: string;
  }
}

/**
 * One embedded Cosmos DB API and one Azurite (in memory, --disableTelemetry) for the whole run, on
 * free loopback ports. Test files isolate themselves with their own database names and tenant ids.
 */
export default async function setup(project: TestProject) {
  const cosmos = await startCosmos(0);
  const blob = await startAzurite({ port: 0 });
  project.provide("cosmosEndpoint", cosmos.endpoint);
  project.provide("blobConnectionString", blob.connectionString);
  return async () => {
    await Promise.all([cosmos.stop(), blob.stop()]);
  };
}
