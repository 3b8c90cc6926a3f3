import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BlobServiceClient, ContainerClient } from "@azure/storage-blob";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createRuntime } from "../../src/composition";
import { loadConfig } from "../../src/config/load";
import { settingNames } from "../../src/config/schema";
import { BICEP, BICEP_VERSION as VERSION, bicepPresent as compilerPresent } from "../support/bicep-cli";

/**
 * Issue 16 item 3 and review findings M1, M5, L6: the data stores off the internet, the Function App in a virtual
 * network, basic publishing credentials off. Three levels, the deepest one this machine can reach:
 *  - the compiled ARM JSON (the real Bicep compiler, where `npm run infra:build` restored it): what Azure is asked for;
 *  - the Bicep sources and parameter files, as text (everywhere);
 *  - the code that reads the split export account (EXPORT_BLOB_ENDPOINT), against the real Blob SDK clients.
 * What only a deployment can prove is listed in infra/README.md ("Checks on the first deployment").
 */

const ROOT = join(__dirname, "..", "..");
const INFRA = join(ROOT, "infra");
const read = (path: string) => readFileSync(join(INFRA, path), "utf8");
/** Bicep without its comments (a `//` inside a string does not occur in these files' code). */
const code = (path: string) => read(path).replace(/\/\/.*$/gm, "");

if (!compilerPresent)
  console.warn(
    `infra-network.test.ts: compiled-template tests SKIPPED: run \`npm run infra:build\` (Bicep ${VERSION})`,
  );

interface ArmResource {
  type: string;
  condition?: string;
  scope?: string;
  properties?: Record<string, unknown> & { template?: ArmTemplate; parameters?: Record<string, unknown> };
  [key: string]: unknown;
}
interface ArmTemplate {
  variables?: Record<string, unknown>;
  resources: Record<string, ArmResource>;
}

/** A module's ARM resource in main.json, or a resource of a module's template, by symbolic name. */
const symbol = (t: ArmTemplate, name: string): ArmResource => {
  const r = t.resources[name];
  if (!r) throw new Error(`no resource or module '${name}' in the template`);
  return r;
};
const templateOf = (m: ArmResource): ArmTemplate => m.properties?.template as ArmTemplate;
/** What main.bicep passes a module's parameter: `{ value }`, or an expression that yields one. */
const passed = (m: ArmResource, param: string): unknown => {
  const p = m.properties?.parameters?.[param] as { value?: unknown } | string | undefined;
  return typeof p === "string" ? p : p?.value;
};
const path = (o: unknown, dotted: string): unknown =>
  dotted.split(".").reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], o);

describe.skipIf(!compilerPresent)("infra network: the compiled template (ARM JSON)", () => {
  let out = "";
  let main: ArmTemplate;

  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), "dpdp-network-"));
    execFileSync(BICEP, ["build", join(INFRA, "main.bicep"), "--outfile", join(out, "main.json")], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    main = JSON.parse(readFileSync(join(out, "main.json"), "utf8")) as ArmTemplate;
  }, 120_000);

  afterAll(() => {
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it("the VNet: a Flex integration subnet delegated to Microsoft.App/environments and a private endpoint subnet, each with an NSG", () => {
    const network = templateOf(symbol(main, "network"));
    const subnets = path(symbol(network, "vnet").properties, "subnets") as {
      name: string;
      properties: Record<string, unknown>;
    }[];
    expect(subnets).toHaveLength(2);
    const [app, pe] = subnets;
    expect(network.variables?.appSubnetName).toBe("snet-func");
    expect(network.variables?.privateEndpointSubnetName).toBe("snet-pe");
    // Flex Consumption's delegation, and nothing else in that subnet (no endpoints, no service endpoints).
    expect(app?.properties.delegations).toEqual([
      { name: "flex-consumption", properties: { serviceName: "Microsoft.App/environments" } },
    ]);
    expect(app?.properties.serviceEndpoints).toBeUndefined();
    expect(pe?.properties.delegations).toBeUndefined();
    expect(pe?.properties.defaultOutboundAccess).toBe(false);
    // The app's egress never rests on the API version's default (new subnets lose default outbound access from
    // 2025-07-01): it is said explicitly, and a NAT gateway takes over when there is one.
    expect(app?.properties.defaultOutboundAccess).toBe("[not(parameters('natGateway'))]");
    for (const s of subnets)
      expect(path(s.properties, "networkSecurityGroup.id"), s.name).toMatch(/networkSecurityGroups/);
    // Optional NAT gateway (a fixed egress address), off by default: a cost, not a protection of the stores.
    expect(symbol(network, "nat").condition).toBe("[parameters('natGateway')]");
    expect(passed(symbol(main, "network"), "natGateway")).toBe("[parameters('natGateway')]");
  });

  it("the Function App joins the VNet, routes all outbound traffic through it, and speaks HTTP/2", () => {
    const fa = symbol(main, "functionApp");
    expect(passed(fa, "virtualNetworkSubnetId")).toBe("[reference('network').outputs.appSubnetId.value]");
    const site = symbol(templateOf(fa), "app");
    expect(site.properties?.virtualNetworkSubnetId).toBe("[parameters('virtualNetworkSubnetId')]");
    const siteConfig = site.properties?.siteConfig as Record<string, unknown>;
    expect(siteConfig.vnetRouteAllEnabled).toBe(true);
    expect(siteConfig.http20Enabled).toBe(true);
    expect(siteConfig.minTlsVersion).toBe("1.2");
    // Flex Consumption refuses ftpsState (ARM 51021) and has no FTP: the ftp credentials policy below is the control.
    expect(siteConfig).not.toHaveProperty("ftpsState");
    // The API itself stays public (it is the product): edge protection is a documented decision (README, L4).
    expect(site.properties?.publicNetworkAccess).toBe("Enabled");
    // The private endpoints exist before the app first starts.
    expect(fa.dependsOn).toEqual(expect.arrayContaining(["privateEndpoints"]));
  });

  it("basic publishing credentials (publish profiles) are off for SCM and FTP", () => {
    const resources = Object.values(templateOf(symbol(main, "functionApp")).resources).filter(
      (r) => r.type === "Microsoft.Web/sites/basicPublishingCredentialsPolicies",
    );
    expect(resources.map((r) => [String(r.name), r.properties?.allow]).sort()).toEqual([
      ["[format('{0}/{1}', parameters('appName'), 'ftp')]", false],
      ["[format('{0}/{1}', parameters('appName'), 'scm')]", false],
    ]);
  });

  it("private endpoints (Sql, vault, blob ×2, Service Bus namespace when Premium), privatelink zones linked to the VNet, a zone group each", () => {
    const pe = symbol(main, "privateEndpoints");
    expect(pe.condition).toBe("[parameters('privateNetworking')]");
    expect(passed(pe, "cosmosAccountId")).toBe(
      "[resourceId('Microsoft.DocumentDB/databaseAccounts', variables('names').cosmos)]",
    );
    expect(passed(pe, "keyVaultId")).toBe(
      "[resourceId('Microsoft.KeyVault/vaults', variables('names').keyVault)]",
    );
    expect(passed(pe, "runtimeStorageId")).toBe("[reference('runtimeStorage').outputs.id.value]");
    expect(passed(pe, "dataStorageId")).toBe("[reference('dataStorage').outputs.id.value]");
    expect(passed(pe, "serviceBusNamespaceId")).toBe(
      "[if(equals(parameters('serviceBusSku'), 'Premium'), createObject('value', reference('serviceBus').outputs.id.value), createObject('value', ''))]",
    );
    expect(pe.dependsOn).toEqual(expect.arrayContaining(["cosmos", "keyVault"]));

    const t = templateOf(pe);
    const endpoints = [
      ...String(t.variables?.endpoints).matchAll(
        /createObject\('name', '([^']+)', 'target', parameters\('(\w+)'\), 'group', '(\w+)'\)/g,
      ),
    ].map((m) => m.slice(1));
    expect(endpoints).toEqual([
      ["cosmos", "cosmosAccountId", "Sql"],
      ["kv", "keyVaultId", "vault"],
      ["st-runtime-blob", "runtimeStorageId", "blob"],
      ["st-data-blob", "dataStorageId", "blob"],
      ["sb", "serviceBusNamespaceId", "namespace"],
    ]);
    // The Service Bus endpoint only when there is a namespace id (Premium).
    expect(String(t.variables?.endpoints)).toContain(
      "if(empty(parameters('serviceBusNamespaceId')), createArray(),",
    );
    expect(t.variables?.zoneOf).toEqual({
      Sql: "privatelink.documents.azure.com",
      vault: "privatelink.vaultcore.azure.net",
      blob: "[format('privatelink.blob.{0}', environment().suffixes.storage)]",
      namespace: "privatelink.servicebus.windows.net",
    });

    const endpoint = symbol(t, "endpoint");
    expect(path(endpoint.properties, "subnet.id")).toBe("[parameters('subnetId')]");
    expect(passed(pe, "subnetId")).toBe("[reference('network').outputs.privateEndpointSubnetId.value]");
    const links = symbol(t, "links");
    expect(links.properties).toEqual({
      registrationEnabled: false,
      resolutionPolicy: "NxDomainRedirect",
      virtualNetwork: { id: "[parameters('vnetId')]" },
    });
    expect(path(symbol(t, "zones"), "copy.count")).toBe("[length(variables('groups'))]");
    expect(path(symbol(t, "zoneGroup"), "copy.count")).toBe("[length(variables('endpoints'))]");
    expect(String(path(symbol(t, "zoneGroup").properties, "privateDnsZoneConfigs"))).toBeDefined();
  });

  it("public network access off where the private endpoints are: Cosmos DB, Key Vault, both private accounts; Service Bus when Premium", () => {
    const disabledWhenPrivate = (module: string, otherwise: string) =>
      expect(passed(symbol(main, module), "publicNetworkAccess"), module).toBe(
        `[if(parameters('privateNetworking'), createObject('value', 'Disabled'), createObject('value', ${otherwise}))]`,
      );
    disabledWhenPrivate("cosmos", "parameters('cosmosPublicNetworkAccess')");
    disabledWhenPrivate("keyVault", "parameters('keyVaultPublicNetworkAccess')");
    disabledWhenPrivate("runtimeStorage", "'Enabled'");
    disabledWhenPrivate("dataStorage", "'Enabled'");
    expect(passed(symbol(main, "serviceBus"), "publicNetworkAccess")).toBe(
      "[if(and(parameters('privateNetworking'), equals(parameters('serviceBusSku'), 'Premium')), createObject('value', 'Disabled'), createObject('value', 'Enabled'))]",
    );

    // Inside the modules: Deny by default once public access is off, and no trusted-service bypass.
    for (const [module, account] of [
      ["runtimeStorage", "account"],
      ["dataStorage", "account"],
    ] as const) {
      const props = symbol(templateOf(symbol(main, module)), account).properties;
      expect(props?.publicNetworkAccess, module).toBe("[parameters('publicNetworkAccess')]");
      expect(props?.networkAcls, module).toEqual({
        defaultAction: "[if(equals(parameters('publicNetworkAccess'), 'Disabled'), 'Deny', 'Allow')]",
        bypass: "None",
      });
    }
    const bus = templateOf(symbol(main, "serviceBus"));
    expect(symbol(bus, "namespace").properties?.publicNetworkAccess).toBe(
      "[parameters('publicNetworkAccess')]",
    );
    const rules = symbol(bus, "networkRules");
    expect(rules.condition).toBe("[equals(parameters('publicNetworkAccess'), 'Disabled')]");
    expect(rules.properties).toMatchObject({
      publicNetworkAccess: "Disabled",
      defaultAction: "Deny",
      trustedServiceAccessEnabled: false,
      ipRules: [],
      virtualNetworkRules: [],
    });
  });

  it("the runtime account: infrastructure encryption and container soft delete (L6), a new name for it", () => {
    const m = symbol(main, "runtimeStorage");
    const t = templateOf(m);
    expect(path(symbol(t, "account").properties, "encryption.requireInfrastructureEncryption")).toBe(true);
    expect(path(symbol(t, "blobService").properties, "containerDeleteRetentionPolicy")).toEqual({
      enabled: true,
      days: "[parameters('containerSoftDeleteDays')]",
    });
    expect(passed(m, "containerSoftDeleteDays")).toBe("[parameters('containerSoftDeleteDays')]");
    // Infrastructure encryption is set only when an account is created: a new account ('fn'), not the old 'rt' one.
    expect(path(main, "variables.names.runtimeStorage")).toBe(
      "[format('st{0}fn{1}{2}', parameters('baseName'), parameters('environmentName'), variables('token'))]",
    );
  });

  it("exports in their own public account; backups (and the platform's dev containers) in the private one", () => {
    const m = symbol(main, "dataStorage");
    const t = templateOf(m);
    expect(passed(m, "exportName")).toBe("[variables('names').exportStorage]");
    const exportProps = symbol(t, "exportAccount").properties;
    expect(exportProps?.publicNetworkAccess).toBe("Enabled");
    expect(exportProps).toMatchObject({
      allowSharedKeyAccess: false,
      allowBlobPublicAccess: false,
      supportsHttpsTrafficOnly: true,
      minimumTlsVersion: "TLS1_2",
      networkAcls: { bypass: "None" },
    });
    // Exactly one container there, `exports`, and never in the private account.
    const containers = Object.entries(t.resources).filter(
      ([, r]) => r.type === "Microsoft.Storage/storageAccounts/blobServices/containers",
    );
    // (the audit anchors' own container, under its retention policy, is in the private account too)
    expect(containers.map(([s]) => s).sort()).toEqual(["anchorContainer", "containers", "exportsContainer"]);
    expect(t.resources.anchorContainer?.properties).not.toHaveProperty("publicAccess", "Container");
    expect(t.variables?.exportContainer).toBe("exports");
    expect(String(t.variables?.containerNames)).toContain(
      "lambda('c', not(equals(lambdaVariables('c'), variables('exportContainer'))))",
    );
    // Deleted means deleted in both accounts.
    for (const service of ["blobService", "exportBlobService"])
      expect(symbol(t, service).properties, service).toMatchObject({
        deleteRetentionPolicy: { enabled: false },
        isVersioningEnabled: false,
        changeFeed: { enabled: false },
        restorePolicy: { enabled: false },
      });
    // The user delegation key (export links) on the export account only; data roles per container.
    expect(symbol(t, "delegator").scope).toBe(
      "[resourceId('Microsoft.Storage/storageAccounts', parameters('exportName'))]",
    );
    expect(symbol(t, "exportsContributor").scope).toBe(
      "[resourceId('Microsoft.Storage/storageAccounts/blobServices/containers', parameters('exportName'), 'default', variables('exportContainer'))]",
    );
    // Lifecycle: exports after ≤ 7 days in the export account (and any left in the data account); backups ≤ 88 days.
    const ruleNames = (s: string) =>
      (path(symbol(t, s).properties, "policy.rules") as { name: string }[]).map((r) => r.name);
    expect(ruleNames("exportLifecycle")).toEqual(["delete-exports"]);
    expect(ruleNames("lifecycle")).toEqual(["delete-exports", "delete-old-backups"]);
    // The app finds the export account by EXPORT_BLOB_ENDPOINT.
    expect(passed(symbol(main, "functionApp"), "exportBlobEndpoint")).toBe(
      "[reference('dataStorage').outputs.exportBlobEndpoint.value]",
    );
    expect(path(main, "variables.names.exportStorage")).toBe(
      "[format('st{0}ex{1}{2}', parameters('baseName'), parameters('environmentName'), variables('token'))]",
    );
  });
});

describe("infra network: the sources and the parameter files", () => {
  it("both environments use private networking; prod's Service Bus is Premium (Private Link), dev's Standard", () => {
    const dev = read("main.dev.bicepparam");
    const prod = read("main.prod.bicepparam");
    for (const [name, file] of [
      ["dev", dev],
      ["prod", prod],
    ] as const) {
      expect(file, name).toMatch(/^param privateNetworking = true$/m);
      expect(file, name).toMatch(/^param natGateway = false$/m);
    }
    expect(prod).toMatch(/^param serviceBusSku = 'Premium'$/m);
    expect(dev).toMatch(/^param serviceBusSku = 'Standard'$/m);
    expect(code("main.bicep")).toMatch(/^param privateNetworking bool = true$/m);
  });

  it("no ftpsState anywhere (Flex Consumption refuses it); http20Enabled and vnetRouteAllEnabled on the site", () => {
    const app = code(join("modules", "functionapp.bicep"));
    expect(app).not.toMatch(/ftpsState/);
    expect(app).toMatch(/^\s*http20Enabled: true$/m);
    expect(app).toMatch(/^\s*vnetRouteAllEnabled: true$/m);
    expect(app).toMatch(/^\s*virtualNetworkSubnetId: virtualNetworkSubnetId$/m);
  });

  it("EXPORT_BLOB_ENDPOINT is one of the code's settings and the app settings set it", () => {
    expect(settingNames.azure).toContain("EXPORT_BLOB_ENDPOINT");
    expect(code(join("modules", "functionapp.bicep"))).toMatch(
      /^\s*EXPORT_BLOB_ENDPOINT: exportBlobEndpoint$/m,
    );
  });

  it("infra/README.md writes down the cost of each choice, the edge-protection decision and the first-deploy checks", () => {
    const readme = read("README.md");
    for (const heading of [
      "## Network: what is private, what is not, and what it costs",
      "### Edge protection: a decision",
    ])
      expect(readme).toContain(heading);
    for (const term of [
      "Private endpoint",
      "Service Bus Premium",
      "NAT gateway",
      "Application Gateway",
      "Front Door",
    ])
      expect(readme).toContain(term);
  });
});

// ── The code side of the split: which account each container lives in ───────────────────────────────

const azureEnv = (overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv => ({
  DPDP_PROFILE: "azure",
  COSMOS_ENDPOINT: "https://dpdp-cosmos.documents.azure.com:443/",
  BLOB_ENDPOINT: "https://stdpdpdata.blob.core.windows.net",
  EXPORT_BLOB_ENDPOINT: "https://stdpdpex.blob.core.windows.net",
  PLATFORM_COSMOS_ENDPOINT: "https://platform-cosmos.documents.azure.com:443/",
  PLATFORM_BLOB_ENDPOINT: "https://platformstorage.blob.core.windows.net",
  ServiceBusConnection__fullyQualifiedNamespace: "dpdp-bus.servicebus.windows.net",
  AUTH_ISSUER: "https://login.callmissed.com/",
  AUTH_AUDIENCE: "dpdp-rights",
  AUTH_JWKS_URL: "https://login.callmissed.com/.well-known/jwks.json",
  PUBLIC_BASE_URL: "https://dpdp-rights-test.azurewebsites.net",
  SUBJECT_HASH_KEY: Buffer.alloc(32, 7).toString("base64"),
  BACKUP_KEK_ID: "https://kv-dpdp-prod-abc123.vault.azure.net/keys/backup-kek",
  ...overrides,
});

/** Which account (host) and container each call reaches; every call stops before the network. */
function spyBlobs() {
  const calls: string[] = [];
  vi.spyOn(BlobServiceClient.prototype, "getContainerClient").mockImplementation(function (
    this: BlobServiceClient,
    container: string,
  ) {
    calls.push(`${new URL(this.url).host}/${container}`);
    return {
      getBlobClient: () => {
        throw new Error("stopped before the network");
      },
      getProperties: async () => ({}),
    } as unknown as ContainerClient;
  });
  return calls;
}

afterEach(() => vi.restoreAllMocks());

describe("the export account (EXPORT_BLOB_ENDPOINT) in the code", () => {
  it("exports go to the export account, backups to the data account, the platform's containers to the platform's", async () => {
    const calls = spyBlobs();
    const rt = await createRuntime(loadConfig(azureEnv()));
    for (const container of ["exports", "backups", "knowledge-base"])
      await expect(rt.app.ports.blobs.read(container, "x")).rejects.toThrow("stopped before the network");
    expect(calls).toEqual([
      "stdpdpex.blob.core.windows.net/exports",
      "stdpdpdata.blob.core.windows.net/backups",
      "platformstorage.blob.core.windows.net/knowledge-base",
    ]);
  });

  it("health reads a container each account has: backups in the data account, exports in the export account", async () => {
    const calls = spyBlobs();
    const rt = await createRuntime(loadConfig(azureEnv()));
    await rt.app.ports.blobs.ping();
    expect(calls).toEqual([
      "stdpdpdata.blob.core.windows.net/backups",
      "stdpdpex.blob.core.windows.net/exports",
    ]);
  });

  it("unset (or the data account itself): exports stay in the data account, as before the split", async () => {
    for (const exportEndpoint of [undefined, "https://stdpdpdata.blob.core.windows.net/"]) {
      const calls = spyBlobs();
      const rt = await createRuntime(loadConfig(azureEnv({ EXPORT_BLOB_ENDPOINT: exportEndpoint })));
      await expect(rt.app.ports.blobs.read("exports", "x")).rejects.toThrow("stopped before the network");
      await rt.app.ports.blobs.ping();
      expect(calls, String(exportEndpoint)).toEqual([
        "stdpdpdata.blob.core.windows.net/exports",
        "stdpdpdata.blob.core.windows.net/exports",
      ]);
      vi.restoreAllMocks();
    }
  });

  it("refuses an http:// export endpoint", () => {
    expect(() =>
      loadConfig(azureEnv({ EXPORT_BLOB_ENDPOINT: "http://stdpdpex.blob.core.windows.net" })),
    ).toThrow(/EXPORT_BLOB_ENDPOINT.*https/);
  });
});
