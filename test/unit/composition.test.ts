import { randomBytes } from "node:crypto";
import { CosmosClient } from "@azure/cosmos";
import { BlobServiceClient } from "@azure/storage-blob";
import { afterEach, describe, expect, it, vi } from "vitest";
import { platformBlobContainers } from "../../src/adapters/blob/layout";
import { platformContainers } from "../../src/adapters/cosmos/layout";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DevClock } from "../../src/adapters/embedded/dev-clock";
import { LocalScheduler } from "../../src/adapters/embedded/local-scheduler";
import { ServiceBusScheduler } from "../../src/adapters/servicebus/service-bus-scheduler";
import { createRuntime, localSchedulerPort } from "../../src/composition";
import { loadConfig } from "../../src/config/load";
import { platformInventory } from "../../src/domain/inventory/platform-inventory";

/**
 * The azure profile's composition, without Azure: building clients opens no connection, and the
 * spies below stop every call before it would leave the process.
 */
const azureEnv = (overrides: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  DPDP_PROFILE: "azure",
  COSMOS_ENDPOINT: "https://dpdp-cosmos.documents.azure.com:443/",
  BLOB_ENDPOINT: "https://dpdpstorage.blob.core.windows.net",
  PLATFORM_COSMOS_ENDPOINT: "https://platform-cosmos.documents.azure.com:443/",
  PLATFORM_BLOB_ENDPOINT: "https://platformstorage.blob.core.windows.net",
  ServiceBusConnection__fullyQualifiedNamespace: "dpdp-bus.servicebus.windows.net",
  AUTH_ISSUER: "https://login.callmissed.com/",
  AUTH_AUDIENCE: "dpdp-rights",
  AUTH_JWKS_URL: "https://login.callmissed.com/.well-known/jwks.json",
  PUBLIC_BASE_URL: "https://dpdp-rights-test.azurewebsites.net",
  SUBJECT_HASH_KEY: randomBytes(32).toString("base64"),
  BACKUP_KEK_ID: "https://kv-dpdp-prod-abc123.vault.azure.net/keys/backup-kek",
  ...overrides,
});

const platformCosmosContainer = platformContainers(platformInventory)[0]!.name;
const platformBlobContainer = platformBlobContainers(platformInventory)[0]!;

/** Which Cosmos client serves a collection, and which storage account a blob container. */
function spyClients() {
  const cosmos: unknown[] = [];
  vi.spyOn(CosmosClient.prototype, "database").mockImplementation(function (this: CosmosClient) {
    cosmos.push(this);
    return { container: () => ({}) } as unknown as ReturnType<CosmosClient["database"]>;
  });
  const blobs: string[] = [];
  vi.spyOn(BlobServiceClient.prototype, "getContainerClient").mockImplementation(function (
    this: BlobServiceClient,
  ) {
    blobs.push(new URL(this.url).host);
    throw new Error("stopped before the network");
  });
  return { cosmos, blobs };
}

afterEach(() => vi.restoreAllMocks());

describe("createRuntime, azure profile", () => {
  it("builds one set of ports, shared by the runtime and the use cases", async () => {
    const rt = await createRuntime(loadConfig(azureEnv()));
    expect(rt.app.ports).toBe(rt.app.ports);
    expect(rt.dev).toBeUndefined();
  });

  it("keeps the platform's data in the platform's own accounts, the service's in its own", async () => {
    const seen = spyClients();
    const rt = await createRuntime(loadConfig(azureEnv()));
    rt.app.ports.documents.collection("service", "requests");
    rt.app.ports.documents.collection("service", "audit");
    rt.app.ports.documents.collection("platform", platformCosmosContainer);
    const [service, sameService, platform] = seen.cosmos;
    expect(sameService).toBe(service);
    expect(platform).toBeInstanceOf(CosmosClient);
    expect(platform).not.toBe(service);

    for (const container of ["exports", "backups", platformBlobContainer]) {
      await expect(rt.app.ports.blobs.read(container, "x")).rejects.toThrow("stopped before the network");
    }
    expect(seen.blobs).toEqual([
      "dpdpstorage.blob.core.windows.net",
      "dpdpstorage.blob.core.windows.net",
      "platformstorage.blob.core.windows.net",
    ]);
  });

  it("uses one client per account when the platform's endpoints are the service's (dev)", async () => {
    const seen = spyClients();
    const rt = await createRuntime(
      loadConfig(
        azureEnv({
          PLATFORM_COSMOS_ENDPOINT: "https://DPDP-cosmos.documents.azure.com/",
          PLATFORM_BLOB_ENDPOINT: "https://dpdpstorage.blob.core.windows.net/",
        }),
      ),
    );
    rt.app.ports.documents.collection("service", "requests");
    rt.app.ports.documents.collection("platform", platformCosmosContainer);
    expect(seen.cosmos[1]).toBe(seen.cosmos[0]);
    await expect(rt.app.ports.blobs.read(platformBlobContainer, "x")).rejects.toThrow();
    expect(seen.blobs).toEqual(["dpdpstorage.blob.core.windows.net"]);
  });
});

describe("the local profile's scheduler", () => {
  const local = (env: Record<string, string>) => {
    const config = loadConfig({ DPDP_PROFILE: "local", ...env });
    if (config.DPDP_PROFILE !== "local") throw new Error("expected the local profile");
    return config;
  };
  const inProcess = new LocalScheduler(new DevClock(), join(tmpdir(), "never-written.json"));

  it("is the in-process scheduler under npm start", () => {
    expect(localSchedulerPort(local({}), inProcess)).toBe(inProcess);
  });

  it("sends to Service Bus under Core Tools, where the host's queue triggers listen (no connection until a send)", () => {
    const port = localSchedulerPort(
      local({
        ServiceBusConnection:
          "Endpoint=sb://localhost;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;",
      }),
      inProcess,
    );
    expect(port).toBeInstanceOf(ServiceBusScheduler);
  });
});
