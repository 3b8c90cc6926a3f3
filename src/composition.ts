import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { buildKinds } from "./app/kinds";
import { buildStores } from "./app/stores";
import { EXPORT_CONTAINER } from "./app/export";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { CosmosClient } from "@azure/cosmos";
import { DefaultAzureCredential } from "@azure/identity";
import { ServiceBusClient } from "@azure/service-bus";
import { BlobServiceClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { ANCHOR_CONTAINER, BlobAnchorStore } from "./adapters/blob/anchor-store";
import { AzureBlobStore } from "./adapters/blob/azure-blob-store";
import { CreateOnlyAnchorStandIn } from "./adapters/embedded/create-only-anchor-stand-in";
import { CosmosDocumentStore } from "./adapters/cosmos/cosmos-document-store";
import { serviceBlobContainers } from "./adapters/blob/layout";
import { platformContainers, serviceContainers } from "./adapters/cosmos/layout";
import { DevClock, systemClock } from "./adapters/embedded/dev-clock";
import { LocalScheduler } from "./adapters/embedded/local-scheduler";
import { LocalKeyWrapper } from "./adapters/embedded/local-key-wrapper";
import { OutboxNotifier } from "./adapters/embedded/outbox-notifier";
import { KeyVaultKeyWrapper } from "./adapters/keyvault/key-vault-key-wrapper";
import { ServiceBusNotifier } from "./adapters/servicebus/service-bus-notifier";
import { ServiceBusScheduler } from "./adapters/servicebus/service-bus-scheduler";
import { PartnerChannels } from "./adapters/processors/channels";
import { OutboxTopics } from "./adapters/processors/outbox-topics";
import { configuredSecrets, localSecrets } from "./adapters/processors/secrets";
import { ServiceBusTopics } from "./adapters/processors/service-bus-topics";
import { seedTenant } from "./app/seed";
import { seedProcessors } from "./app/processors";
import { setProblemTypeBase } from "./http/problem";
import { type AzureConfig, type Config, type LocalConfig, restoreWindowDays } from "./config/schema";
import { type Inventory, withPeriods } from "./domain/inventory/schema";
import { noticeTimeToLive } from "./domain/notices/time-to-live";
import { createPolicy, type Policy } from "./domain/policy/periods";
import { platformInventory } from "./domain/inventory/platform-inventory";
import { Authenticator } from "./http/auth";
import { functionTable } from "./function-table";
import type { BlobStore } from "./ports/blob-store";
import type { DocumentStore } from "./ports/document-store";
import type { Ports, Scheduler } from "./ports";
import type { AppContext } from "./app/context";
import { deriveKey } from "./domain/crypto";
import type { Runtime } from "./runtime";
import { meteredPorts } from "./adapters/metering/metered-ports";
import { OperationMeter } from "./adapters/metering/operation-meter";
import { jsonLinesLoggers } from "./adapters/logging/json-lines";

/** The well-known key of the Cosmos emulators: a public constant, not a secret. */
export const EMULATOR_COSMOS_KEY =
  "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU9DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";
export const LOCAL_ISSUER = "dpdp-rights-local";
export const LOCAL_AUDIENCE = "dpdp-rights";

function documentStore(client: CosmosClient, config: Config, inventory: Inventory): DocumentStore {
  const pk = (specs: { name: string; partitionKeyPath: string }[]) =>
    Object.fromEntries(specs.map((s) => [s.name, s.partitionKeyPath]));
  // Delete-by-partition-key where the platform's account allows it (never on the emulator).
  const partitionDelete =
    config.DPDP_PROFILE === "azure" && config.PLATFORM_COSMOS_PARTITION_DELETE === "true";
  return new CosmosDocumentStore(
    client,
    { service: config.COSMOS_DATABASE, platform: config.COSMOS_PLATFORM_DATABASE },
    { service: pk(serviceContainers), platform: pk(platformContainers(inventory)) },
    { partitionDelete: partitionDelete ? ["platform"] : [] },
  );
}

/**
 * The platform's database in the platform's own Cosmos account: `platform` collections from one store,
 * the service's from the other. Health pings the service's store, as before.
 */
function splitDocuments(service: DocumentStore, platform: DocumentStore): DocumentStore {
  return {
    collection: (database, name) => (database === "platform" ? platform : service).collection(database, name),
    ping: () => service.ping(),
  };
}

/**
 * Each blob container in its own account: the platform's (the ones the inventory names) in the platform's storage
 * account, `exports` in the export account (EXPORT_BLOB_ENDPOINT; the data account when unset), the service's other
 * containers (backups) in the data account. Health pings the data account and, when separate, the export account.
 */
function splitBlobs(service: BlobStore, platform: BlobStore, exports: BlobStore = service): BlobStore {
  const own = new Set<string>(serviceBlobContainers);
  const of = (container: string) =>
    container === EXPORT_CONTAINER ? exports : own.has(container) ? service : platform;
  return {
    put: (container, name, body, options) => of(container).put(container, name, body, options),
    read: (container, name) => of(container).read(container, name),
    openRead: (container, name) => of(container).openRead(container, name),
    delete: (container, name) => of(container).delete(container, name),
    list: (container, prefix) => of(container).list(container, prefix),
    count: (container, prefix) => of(container).count(container, prefix),
    readUrl: (container, name, expiresOn) => of(container).readUrl(container, name, expiresOn),
    ping: async () => {
      await service.ping();
      if (exports !== service) await exports.ping();
    },
  };
}

/** Two endpoints name one account when their URLs are equal once parsed (case, default port, slash). */
const sameAccount = (a: string, b: string) => new URL(a).href === new URL(b).href;

/** One configured secret, a sub-key per use (HKDF), so no key ever serves two purposes. */
function appContext(
  config: Config,
  ports: Ports,
  inventory: Inventory,
  hashKey: Buffer,
  policy: Policy,
): AppContext {
  return {
    ports,
    stores: buildStores(ports),
    inventory,
    policy,
    keys: {
      hash: hashKey,
      seal: deriveKey(hashKey, "seal-contact"),
      code: deriveKey(hashKey, "verification-code"),
    },
    settings: {
      dpoContact: config.DPO_CONTACT_EMAIL,
      boardContact: config.DPB_CONTACT,
      privacyCenterUrl:
        config.PRIVACY_CENTER_URL ??
        (config.DPDP_PROFILE === "local" && config.PORT
          ? `http://localhost:${config.PORT}/privacy/`
          : undefined),
      privacyOfficerEmail: config.PRIVACY_OFFICER_EMAIL,
      cosmosRestoreWindowDays: restoreWindowDays(config.COSMOS_BACKUP_TIER),
      idempotencyKeyTtlHours: config.IDEMPOTENCY_TTL_HOURS,
      publicBaseUrl:
        config.PUBLIC_BASE_URL ?? `http://localhost:${config.DPDP_PROFILE === "local" ? config.PORT : 7071}`,
      publicWebhooksOnly: config.DPDP_PROFILE === "azure",
    },
    kinds: buildKinds(),
  };
}

/**
 * The azure profile: each adapter built once per process (one Cosmos client and one Blob service client
 * per account, one Service Bus client, one key wrapper, one credential) and the one `ports` object
 * the use cases reach through `app` (with the one set of typed stores over it), so no connection pool or
 * token cache is duplicated.
 */
function azureRuntime(config: AzureConfig, inventory: Inventory, policy: Policy): Runtime {
  // Managed identity only: no account keys or connection strings anywhere in this profile.
  const credential = new DefaultAzureCredential(
    config.AZURE_CLIENT_ID ? { managedIdentityClientId: config.AZURE_CLIENT_ID } : {},
  );
  const cosmos = new CosmosClient({ endpoint: config.COSMOS_ENDPOINT, aadCredentials: credential });
  const documents = documentStore(cosmos, config, inventory);
  // Exports in their own (public) account when EXPORT_BLOB_ENDPOINT names one; the data account then holds no
  // `exports` container, so its health check reads `backups`.
  const exportEndpoint = config.EXPORT_BLOB_ENDPOINT;
  const separateExports = exportEndpoint !== undefined && !sameAccount(exportEndpoint, config.BLOB_ENDPOINT);
  const blobService = new BlobServiceClient(config.BLOB_ENDPOINT, credential);
  const blobs = new AzureBlobStore(
    blobService,
    { kind: "user-delegation" },
    separateExports ? "backups" : EXPORT_CONTAINER,
  );
  const exportBlobs =
    separateExports && exportEndpoint
      ? new AzureBlobStore(new BlobServiceClient(exportEndpoint, credential), { kind: "user-delegation" })
      : blobs;
  // The platform's own accounts (PLATFORM_*); in dev Bicep may point them at the service's, and then
  // the one client serves both.
  const platformDocuments = sameAccount(config.PLATFORM_COSMOS_ENDPOINT, config.COSMOS_ENDPOINT)
    ? documents
    : documentStore(
        new CosmosClient({ endpoint: config.PLATFORM_COSMOS_ENDPOINT, aadCredentials: credential }),
        config,
        inventory,
      );
  const platformBlobs = sameAccount(config.PLATFORM_BLOB_ENDPOINT, config.BLOB_ENDPOINT)
    ? blobs
    : new AzureBlobStore(new BlobServiceClient(config.PLATFORM_BLOB_ENDPOINT, credential), {
        kind: "user-delegation",
      });
  const serviceBus = new ServiceBusClient(config.ServiceBusConnection__fullyQualifiedNamespace, credential);
  // Counted, not sized: serialising every document again to learn its size is waste in production.
  const meter = new OperationMeter(false);
  const ports: Ports = meteredPorts(
    {
      clock: systemClock,
      documents: platformDocuments === documents ? documents : splitDocuments(documents, platformDocuments),
      blobs:
        platformBlobs === blobs && exportBlobs === blobs
          ? blobs
          : splitBlobs(blobs, platformBlobs, exportBlobs),
      scheduler: ServiceBusScheduler.fromClient(serviceBus),
      notifier: ServiceBusNotifier.fromClient(serviceBus, noticeTimeToLive(policy)),
      keys: new KeyVaultKeyWrapper(config.BACKUP_KEK_ID, credential),
      anchors: new BlobAnchorStore(blobService, ANCHOR_CONTAINER),
      processors: new PartnerChannels({
        clock: systemClock,
        secretOf: configuredSecrets(config.PROCESSOR_WEBHOOK_SECRETS),
        topics: new ServiceBusTopics(serviceBus),
        allowLoopbackHttp: false,
      }),
    },
    meter,
  );
  const hashKey = Buffer.from(config.SUBJECT_HASH_KEY, "base64");
  return {
    config,
    meter,
    app: appContext(config, ports, inventory, hashKey, policy),
    logs: jsonLinesLoggers(),
    auth: new Authenticator({
      issuer: config.AUTH_ISSUER,
      audience: config.AUTH_AUDIENCE,
      keys: { jwksUrl: config.AUTH_JWKS_URL },
    }),
  };
}

/** The local hash key is made once per data folder, so hashes stay stable across restarts. */
function localHashKey(config: LocalConfig): Buffer {
  if (config.SUBJECT_HASH_KEY) return Buffer.from(config.SUBJECT_HASH_KEY, "base64");
  const file = join(config.LOCAL_DATA_DIR, "subject-hash.key");
  try {
    return Buffer.from(readFileSync(file, "utf8").trim(), "base64");
  } catch {
    const key = randomBytes(32);
    mkdirSync(config.LOCAL_DATA_DIR, { recursive: true });
    writeFileSync(file, key.toString("base64"), { mode: 0o600 });
    return key;
  }
}

/**
 * Where the local profile sends its messages: under Core Tools the host's queue triggers listen on Service Bus
 * (the emulator), so there, or nothing reaches them; under `npm start`, the in-process scheduler.
 */
export function localSchedulerPort(config: LocalConfig, inProcess: LocalScheduler): Scheduler {
  return config.ServiceBusConnection
    ? ServiceBusScheduler.fromClient(new ServiceBusClient(config.ServiceBusConnection))
    : inProcess;
}

async function localRuntime(config: LocalConfig, inventory: Inventory, policy: Policy): Promise<Runtime> {
  if (!config.COSMOS_ENDPOINT || !config.BLOB_CONNECTION_STRING) {
    throw new Error(
      "The local profile needs COSMOS_ENDPOINT and BLOB_CONNECTION_STRING: start it with `npm start`.",
    );
  }
  const clock = new DevClock();
  const scheduler = new LocalScheduler(clock, join(config.LOCAL_DATA_DIR, "scheduler.json"));
  const outbox = new OutboxNotifier({ clock, timeToLive: noticeTimeToLive(policy) });
  const partnerTopics = new OutboxTopics();
  const { publicKey, privateKey } = await generateKeyPair("ES256", { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: "local-1", alg: "ES256", use: "sig" };
  const cosmos = new CosmosClient({
    endpoint: config.COSMOS_ENDPOINT,
    key: config.COSMOS_KEY ?? EMULATOR_COSMOS_KEY,
    connectionPolicy: { enableEndpointDiscovery: false },
  });
  const blobService = BlobServiceClient.fromConnectionString(config.BLOB_CONNECTION_STRING);
  const credential = blobService.credential;
  if (!(credential instanceof StorageSharedKeyCredential)) {
    throw new Error("BLOB_CONNECTION_STRING must carry an account key (Azurite's) in the local profile");
  }
  const meter = new OperationMeter();
  const ports: Ports = meteredPorts(
    {
      clock,
      documents: documentStore(cosmos, config, inventory),
      blobs: new AzureBlobStore(blobService, { kind: "shared-key", credential }),
      scheduler: localSchedulerPort(config, scheduler),
      notifier: outbox,
      // The backup key-encryption key: a key file in the data folder, or a real Key Vault key if configured.
      keys: config.BACKUP_KEK_ID
        ? new KeyVaultKeyWrapper(config.BACKUP_KEK_ID, new DefaultAzureCredential())
        : new LocalKeyWrapper(join(config.LOCAL_DATA_DIR, "backup-kek.key")),
      // Azurite has no immutability: a create-only stand-in, one container per service database.
      anchors: await CreateOnlyAnchorStandIn.open(blobService, config.COSMOS_DATABASE),
      // Partners' webhooks for real (a test's loopback receiver); their topics recorded, as the outbox does.
      processors: new PartnerChannels({
        clock,
        secretOf: localSecrets(configuredSecrets(config.PROCESSOR_WEBHOOK_SECRETS), config.LOCAL_DATA_DIR),
        topics: partnerTopics,
        allowLoopbackHttp: true,
      }),
    },
    meter,
  );
  const hashKey = localHashKey(config);
  const rt: Runtime = {
    config,
    meter,
    app: appContext(config, ports, inventory, hashKey, policy),
    // LOCAL_HTTP_LOG=off quiets the local host: background functions then log warnings and errors only.
    logs: jsonLinesLoggers({ minLevel: config.LOCAL_HTTP_LOG === "off" ? "warn" : "info" }),
    auth: new Authenticator({
      issuer: LOCAL_ISSUER,
      audience: LOCAL_AUDIENCE,
      keys: { jwks: { keys: [jwk] } },
    }),
  };
  const mintToken: NonNullable<Runtime["dev"]>["mintToken"] = async ({ role, tenantId, subject }) =>
    new SignJWT({ role, ...(tenantId ? { tid: tenantId } : {}) })
      .setProtectedHeader({ alg: "ES256", kid: "local-1" })
      .setSubject(subject ?? `local-${role}${tenantId ? `-${tenantId}` : ""}`)
      .setIssuer(LOCAL_ISSUER)
      .setAudience(LOCAL_AUDIENCE)
      .setIssuedAt(Math.floor(clock.now().getTime() / 1000))
      .setExpirationTime(Math.floor(clock.now().getTime() / 1000) + 12 * 3600)
      .sign(privateKey);
  const table = functionTable({ includeDev: true });
  scheduler.onDeliver(async (queue, body, meta) => {
    const fn = table.find((f) => f.trigger === "queue" && f.queue === queue);
    if (!fn || fn.trigger !== "queue") throw new Error(`no function listens on queue ${queue}`);
    await fn.handle(rt, body, meta);
  });
  rt.dev = {
    async advanceClock(to) {
      clock.advanceTo(to);
      await scheduler.deliverDue();
      for (const fn of table) if (fn.trigger === "timer") await fn.handle(rt);
      return clock.now();
    },
    deliverDue: () => scheduler.deliverDue(),
    scheduler,
    outbox: (to) => outbox.list(to),
    partnerTopics: (topic) => partnerTopics.list(topic),
    seedProcessors: () => seedProcessors(rt.app),
    mintToken,
    async seed(options) {
      const result = await seedTenant(rt.app.ports, inventory, rt.app.keys.hash, options);
      return { ...result, ownerToken: await mintToken({ role: "owner", tenantId: result.tenantId }) };
    },
  };
  return rt;
}

/**
 * The one composition root (DESIGN §2): builds every port from configuration. The Azure entry points
 * and the local host both call it, so both run the same code over different adapters.
 */
export async function createRuntime(
  config: Config,
  inventory: Inventory = platformInventory,
): Promise<Runtime> {
  // The periods in use: loadConfig has validated RETENTION_OVERRIDES already; a Config built another
  // way is checked again here, so no runtime ever starts on a period outside its legal limits.
  const policy = createPolicy(config.RETENTION_OVERRIDES);
  const inv = withPeriods(inventory, policy.periods);
  setProblemTypeBase(
    config.PUBLIC_BASE_URL ?? `http://localhost:${config.DPDP_PROFILE === "local" ? config.PORT : 7071}`,
  );
  return config.DPDP_PROFILE === "azure"
    ? azureRuntime(config, inv, policy)
    : localRuntime(config, inv, policy);
}
