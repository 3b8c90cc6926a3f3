import { randomUUID } from "node:crypto";
import type { Server } from "node:http";
import { join, resolve } from "node:path";
import { platformBlobContainers, serviceBlobContainers } from "../adapters/blob/layout";
import { platformContainers, serviceContainers } from "../adapters/cosmos/layout";
import { provisionCosmos } from "../adapters/cosmos/provision";
import { CosmosClient } from "@azure/cosmos";
import { BlobServiceClient } from "@azure/storage-blob";
import { EMULATOR_COSMOS_KEY, createRuntime } from "../composition";
import { loadConfig } from "../config/load";
import type { LocalConfig } from "../config/schema";
import { functionTable } from "../function-table";
import { errorClass } from "../ports/logger";
import type { Runtime } from "../runtime";
import { type Emulator, startAzurite, startCosmos } from "./emulators";
import { createLocalHttpServer, listen } from "./http-server";
import { createPageServer, type PageServer } from "./web-server";

export interface LocalHost {
  url: string;
  /** The privacy center and the staff console, served beside the API (src/local/web-server.ts). */
  pages: PageServer & { privacyUrl: string; consoleUrl: string };
  runtime: Runtime;
  cosmos: Emulator;
  blob: Emulator & { connectionString: string };
  stop(): Promise<void>;
}

const TIMER_INTERVAL_MS = 60_000;
const DELIVERY_INTERVAL_MS = 1_000;

/**
 * The whole service on one machine: embedded Cosmos and Azurite, the local scheduler, the HTTP routes
 * of the same function table Azure registers. `env` overrides the environment (tests use free ports
 * and a temporary data folder).
 */
export async function startLocalHost(env: NodeJS.ProcessEnv = process.env): Promise<LocalHost> {
  const base = loadConfig({ ...env, DPDP_PROFILE: "local" }) as LocalConfig;
  const dataDir = resolve(base.LOCAL_DATA_DIR);
  const cosmos = base.COSMOS_ENDPOINT
    ? { endpoint: base.COSMOS_ENDPOINT, stop: async () => {} }
    : await startCosmos(base.LOCAL_COSMOS_PORT);
  let blob: LocalHost["blob"];
  try {
    blob = base.BLOB_CONNECTION_STRING
      ? { endpoint: "", connectionString: base.BLOB_CONNECTION_STRING, stop: async () => {} }
      : await startAzurite({ port: base.LOCAL_BLOB_PORT, location: join(dataDir, "azurite") });
  } catch (e) {
    await cosmos.stop();
    throw e;
  }
  const config: LocalConfig = {
    ...base,
    LOCAL_DATA_DIR: dataDir,
    COSMOS_ENDPOINT: cosmos.endpoint,
    BLOB_CONNECTION_STRING: blob.connectionString,
  };
  let server: Server | undefined;
  const timers: NodeJS.Timeout[] = [];
  try {
    const runtime = await createRuntime(config);
    const cosmosClient = new CosmosClient({
      endpoint: cosmos.endpoint,
      key: config.COSMOS_KEY ?? EMULATOR_COSMOS_KEY,
      connectionPolicy: { enableEndpointDiscovery: false },
    });
    await provisionCosmos(cosmosClient, [
      { database: config.COSMOS_DATABASE, containers: serviceContainers },
      { database: config.COSMOS_PLATFORM_DATABASE, containers: platformContainers(runtime.app.inventory) },
    ]);
    const blobService = BlobServiceClient.fromConnectionString(blob.connectionString);
    for (const name of [...serviceBlobContainers, ...platformBlobContainers(runtime.app.inventory)]) {
      await blobService.getContainerClient(name).createIfNotExists();
    }
    const table = functionTable({ includeDev: true });
    const pages = createPageServer(join(dataDir, "web"));
    server = createLocalHttpServer(runtime, table, pages);
    const port = await listen(server, config.PORT);
    // Due scheduled messages go out in real time too, not only when the dev clock is moved.
    // A failed pass (say, the scheduler file unwritable) is reported and tried again, never fatal.
    const report = (what: string) => (e: unknown) =>
      runtime
        .logs({ fn: what, invocationId: randomUUID() })
        .error("pass_failed", { errorClass: errorClass(e) });
    if (config.LOCAL_REALTIME === "on") {
      timers.push(
        setInterval(() => void runtime.dev?.deliverDue().catch(report("deliverDue")), DELIVERY_INTERVAL_MS),
      );
      for (const fn of table) {
        if (fn.trigger === "timer")
          timers.push(setInterval(() => void fn.handle(runtime).catch(report(fn.name)), TIMER_INTERVAL_MS));
      }
    }
    for (const t of timers) t.unref();
    const httpServer = server;
    return {
      url: `http://127.0.0.1:${port}/api`,
      pages: {
        ...pages,
        privacyUrl: `http://127.0.0.1:${port}/privacy/`,
        consoleUrl: `http://127.0.0.1:${port}/console/`,
      },
      runtime,
      cosmos,
      blob,
      async stop() {
        for (const t of timers) clearInterval(t);
        await new Promise<void>((done) => {
          httpServer.closeAllConnections();
          httpServer.close(() => done());
        });
        await Promise.all([cosmos.stop(), blob.stop()]);
      },
    };
  } catch (e) {
    for (const t of timers) clearInterval(t);
    server?.close();
    await Promise.all([cosmos.stop(), blob.stop()]);
    throw e;
  }
}
