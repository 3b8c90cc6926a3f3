import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config/load";

/**
 * Issue 15, settings side: the platform's own environment does not trip the configuration (it sets
 * CORS_ALLOWED_ORIGINS as a JSON array and PLATFORM_VERSION on Flex Consumption), the dashboard's origins are
 * DASHBOARD_ORIGINS, and the platform's stores are reached by their own endpoints in the azure profile.
 */

const azureEnv = (overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv => ({
  DPDP_PROFILE: "azure",
  COSMOS_ENDPOINT: "https://dpdp-cosmos.documents.azure.com:443/",
  BLOB_ENDPOINT: "https://dpdpstorage.blob.core.windows.net/",
  PLATFORM_COSMOS_ENDPOINT: "https://platform-cosmos.documents.azure.com:443/",
  PLATFORM_BLOB_ENDPOINT: "https://platformstorage.blob.core.windows.net/",
  ServiceBusConnection__fullyQualifiedNamespace: "dpdp-bus.servicebus.windows.net",
  AUTH_ISSUER: "https://login.callmissed.com/",
  AUTH_AUDIENCE: "dpdp-rights",
  AUTH_JWKS_URL: "https://login.callmissed.com/.well-known/jwks.json",
  PUBLIC_BASE_URL: "https://dpdp-rights-test.azurewebsites.net",
  SUBJECT_HASH_KEY: randomBytes(32).toString("base64"),
  BACKUP_KEK_ID: "https://kv-dpdp-prod-abc123.vault.azure.net/keys/backup-kek",
  ...overrides,
});

function problems(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe("settings the platform owns", () => {
  it("the azure profile starts beside the platform's CORS_ALLOWED_ORIGINS (a JSON array) and PLATFORM_VERSION", () => {
    const config = loadConfig(
      azureEnv({
        CORS_ALLOWED_ORIGINS: '["https://app.callmissed.com","https://portal.azure.com"]',
        CORS_SUPPORT_CREDENTIALS: "False",
        PLATFORM_VERSION: "106.0.7.19",
        WEBSITE_SITE_NAME: "func-dpdp-prod-abc123",
        DASHBOARD_ORIGINS: "https://app.callmissed.com",
      }),
    );
    expect(config.DASHBOARD_ORIGINS).toEqual(["https://app.callmissed.com"]);
    expect(config).not.toHaveProperty("CORS_ALLOWED_ORIGINS");
  });

  it("locally, the old name is reported as renamed rather than silently ignored", () => {
    const found = problems({ CORS_ALLOWED_ORIGINS: "http://localhost:3000" });
    expect(found).toEqual([expect.stringMatching(/^CORS_ALLOWED_ORIGINS: renamed DASHBOARD_ORIGINS/)]);
    expect(loadConfig({ DASHBOARD_ORIGINS: "http://localhost:3000" }).DASHBOARD_ORIGINS).toEqual([
      "http://localhost:3000",
    ]);
  });

  it("a misspelt DASHBOARD_ setting is reported by name", () => {
    expect(problems({ DASHBOARD_ORIGIN: "http://localhost:3000" })).toEqual([
      expect.stringContaining("DASHBOARD_ORIGIN: not a setting"),
    ]);
  });
});

describe("the platform's stores by their own endpoints", () => {
  it("the azure profile requires both, over https", () => {
    const missing = problems(
      azureEnv({ PLATFORM_COSMOS_ENDPOINT: undefined, PLATFORM_BLOB_ENDPOINT: undefined }),
    );
    expect(missing).toEqual([
      expect.stringMatching(/^PLATFORM_COSMOS_ENDPOINT: missing/),
      expect.stringMatching(/^PLATFORM_BLOB_ENDPOINT: missing/),
    ]);
    const plain = problems(
      azureEnv({ PLATFORM_BLOB_ENDPOINT: "http://platformstorage.blob.core.windows.net/" }),
    );
    expect(plain).toEqual([expect.stringMatching(/^PLATFORM_BLOB_ENDPOINT: .*https/)]);
    const config = loadConfig(azureEnv());
    expect(config).toMatchObject({
      PLATFORM_COSMOS_ENDPOINT: "https://platform-cosmos.documents.azure.com:443/",
      PLATFORM_BLOB_ENDPOINT: "https://platformstorage.blob.core.windows.net/",
      COSMOS_PLATFORM_DATABASE: "platform",
    });
  });

  it("the local profile leaves them unset by default: the platform's stores stay in the embedded emulators", () => {
    const config = loadConfig({});
    expect(config).not.toHaveProperty("PLATFORM_COSMOS_ENDPOINT");
    expect(config).not.toHaveProperty("PLATFORM_BLOB_ENDPOINT");
    expect(
      loadConfig({
        PLATFORM_COSMOS_ENDPOINT: "http://127.0.0.1:8082/",
        PLATFORM_BLOB_ENDPOINT: "http://127.0.0.1:10010/devstoreaccount1",
      }),
    ).toMatchObject({ PLATFORM_COSMOS_ENDPOINT: "http://127.0.0.1:8082/" });
  });
});
