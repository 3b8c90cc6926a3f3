import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config/load";

/** A complete, valid azure-profile environment; each test breaks one thing. */
const azureEnv = (overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv => ({
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

/** Runs loadConfig expecting a ConfigError, and returns it. */
function configError(env: NodeJS.ProcessEnv): ConfigError {
  let caught: unknown;
  try {
    loadConfig(env);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  return caught as ConfigError;
}

/** The problem line about one setting (the line starts with its name). */
const problemFor = (error: ConfigError, name: string) =>
  error.problems.filter((p) => p.startsWith(`${name}:`) || p.startsWith(`${name}.`));

describe("loadConfig: local profile", () => {
  it("defaults to the local profile with embedded-emulator defaults", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      DPDP_PROFILE: "local",
      COSMOS_DATABASE: "dpdp",
      COSMOS_PLATFORM_DATABASE: "platform",
      MAX_BODY_BYTES: 65_536,
      DASHBOARD_ORIGINS: [],
      PORT: 7071,
      LOCAL_COSMOS_PORT: 0,
      LOCAL_BLOB_PORT: 0,
      LOCAL_DATA_DIR: ".local-data",
      LOCAL_SEED_DEMO: "true",
    });
    // Unset: the local host starts the embedded emulators and fills these in.
    expect(config).not.toHaveProperty("COSMOS_ENDPOINT");
    expect(config).not.toHaveProperty("BLOB_CONNECTION_STRING");
    expect(config).not.toHaveProperty("SUBJECT_HASH_KEY");
  });

  it("reads and coerces the local settings, and treats empty strings as unset", () => {
    const config = loadConfig({
      DPDP_PROFILE: "local",
      PORT: "8080",
      MAX_BODY_BYTES: "2048",
      DASHBOARD_ORIGINS: "https://app.callmissed.com, http://localhost:3000",
      COSMOS_DATABASE: "",
      LOCAL_SEED_DEMO: "false",
    });
    expect(config).toMatchObject({
      DPDP_PROFILE: "local",
      PORT: 8080,
      MAX_BODY_BYTES: 2048,
      DASHBOARD_ORIGINS: ["https://app.callmissed.com", "http://localhost:3000"],
      COSMOS_DATABASE: "dpdp",
      LOCAL_SEED_DEMO: "false",
    });
  });

  it("ignores the host's own variables that are not this service's", () => {
    const config = loadConfig({
      PATH: "/usr/bin",
      HOME: "/root",
      NODE_ENV: "test",
      FUNCTIONS_WORKER_RUNTIME: "node",
    });
    expect(config.DPDP_PROFILE).toBe("local");
  });

  it("accepts LOCAL_HTTP_LOG, which the local HTTP server reads", () => {
    expect(() => loadConfig({ LOCAL_HTTP_LOG: "off" })).not.toThrow();
  });

  it("refuses a port out of range and a body limit under 1 KiB, naming each", () => {
    const error = configError({ PORT: "70000", MAX_BODY_BYTES: "10" });
    expect(problemFor(error, "PORT")).toHaveLength(1);
    expect(problemFor(error, "MAX_BODY_BYTES")).toHaveLength(1);
    expect(error.message).toContain("PORT");
    expect(error.message).toContain("MAX_BODY_BYTES");
  });
});

describe("loadConfig: azure profile", () => {
  it("accepts a complete managed-identity configuration", () => {
    const config = loadConfig(azureEnv({ DASHBOARD_ORIGINS: "https://app.callmissed.com" }));
    expect(config.DPDP_PROFILE).toBe("azure");
    expect(config).toMatchObject({
      COSMOS_ENDPOINT: "https://dpdp-cosmos.documents.azure.com:443/",
      ServiceBusConnection__fullyQualifiedNamespace: "dpdp-bus.servicebus.windows.net",
      DASHBOARD_ORIGINS: ["https://app.callmissed.com"],
    });
  });

  it("names every missing setting in one ConfigError", () => {
    const error = configError({ DPDP_PROFILE: "azure" });
    const required = [
      "COSMOS_ENDPOINT",
      "BLOB_ENDPOINT",
      "PLATFORM_COSMOS_ENDPOINT",
      "PLATFORM_BLOB_ENDPOINT",
      "ServiceBusConnection__fullyQualifiedNamespace",
      "AUTH_ISSUER",
      "AUTH_AUDIENCE",
      "AUTH_JWKS_URL",
      "SUBJECT_HASH_KEY",
      "BACKUP_KEK_ID",
      "PUBLIC_BASE_URL",
    ];
    for (const name of required) {
      expect(problemFor(error, name), name).toHaveLength(1);
      expect(problemFor(error, name)[0], name).toContain("missing");
      expect(error.message, name).toContain(`${name}:`);
    }
    expect(error.problems).toHaveLength(required.length);
    expect(error.name).toBe("ConfigError");
  });

  it("names each invalid setting, and only those", () => {
    const error = configError(
      azureEnv({
        ServiceBusConnection__fullyQualifiedNamespace:
          "Endpoint=sb://dpdp-bus.servicebus.windows.net/;SharedAccessKey=x",
        SUBJECT_HASH_KEY: Buffer.from("too short").toString("base64"),
        AZURE_CLIENT_ID: "not-a-uuid",
      }),
    );
    expect(problemFor(error, "ServiceBusConnection__fullyQualifiedNamespace")).toHaveLength(1);
    expect(problemFor(error, "SUBJECT_HASH_KEY")[0]).toContain("32 bytes");
    expect(problemFor(error, "AZURE_CLIENT_ID")).toHaveLength(1);
    expect(error.problems).toHaveLength(3);
    // A value that is present but wrong is not reported as missing.
    expect(error.problems.join("\n")).not.toContain("missing");
  });

  it.each([
    "COSMOS_ENDPOINT",
    "BLOB_ENDPOINT",
    "PLATFORM_COSMOS_ENDPOINT",
    "PLATFORM_BLOB_ENDPOINT",
    "AUTH_JWKS_URL",
    "PUBLIC_BASE_URL",
  ])("refuses an http:// %s", (name) => {
    const error = configError(azureEnv({ [name]: "http://127.0.0.1:8081/" }));
    expect(error.problems).toHaveLength(1);
    expect(problemFor(error, name)[0]).toMatch(/https/);
  });

  it("refuses a wildcard CORS origin, alone or in a list, without calling it missing", () => {
    for (const origins of ["*", "https://app.callmissed.com, *"]) {
      const error = configError(azureEnv({ DASHBOARD_ORIGINS: origins }));
      const lines = problemFor(error, "DASHBOARD_ORIGINS");
      expect(lines, origins).toHaveLength(1);
      expect(lines[0]).toContain("wildcard");
      expect(lines[0]).not.toContain("missing");
    }
    // The local profile refuses it too: the local host honours the same list.
    expect(problemFor(configError({ DASHBOARD_ORIGINS: "*" }), "DASHBOARD_ORIGINS")).toHaveLength(1);
  });

  it("refuses a CORS origin written otherwise than a browser sends it, naming the form to write", () => {
    for (const [written, form] of [
      ["https://app.callmissed.com/", "https://app.callmissed.com"],
      ["https://App.CallMissed.com", "https://app.callmissed.com"],
      ["https://app.callmissed.com:443", "https://app.callmissed.com"],
      ["https://app.callmissed.com/dashboard", "https://app.callmissed.com"],
    ] as const) {
      const lines = problemFor(configError(azureEnv({ DASHBOARD_ORIGINS: written })), "DASHBOARD_ORIGINS");
      expect(lines, written).toHaveLength(1);
      expect(lines[0]).toContain(`as the browser sends it: ${form} `);
    }
  });

  it("in Azure, an origin uses https; plain http only for a dashboard on localhost", () => {
    expect(
      problemFor(
        configError(azureEnv({ DASHBOARD_ORIGINS: "http://app.callmissed.com" })),
        "DASHBOARD_ORIGINS",
      )[0],
    ).toMatch(/https/);
    const config = loadConfig(
      azureEnv({ DASHBOARD_ORIGINS: "http://localhost:3000,https://app.callmissed.com" }),
    );
    expect(config.DASHBOARD_ORIGINS).toEqual(["http://localhost:3000", "https://app.callmissed.com"]);
  });

  it("refuses a CORS origin that is not a URL", () => {
    const error = configError(azureEnv({ DASHBOARD_ORIGINS: "app.callmissed.com" }));
    expect(problemFor(error, "DASHBOARD_ORIGINS")[0]).toContain("https://app.callmissed.com");
  });
});

describe("loadConfig: misspellings and the profile", () => {
  it.each(["COSMOS_ENDPIONT", "DPDP_PROFLE", "COSMOS_DATABSE", "DPDP_MAX_BODY_BYTES"])(
    "reports the misspelt %s by name",
    (name) => {
      const error = configError({ [name]: "x" });
      expect(error.problems).toEqual([expect.stringContaining(name)]);
      expect(error.message).toContain(name);
      expect(error.message).toContain("spelling");
    },
  );

  it("reports a misspelling in the azure profile alongside the other problems", () => {
    const error = configError(azureEnv({ COSMOS_ENDPOINT: undefined, COSMOS_ENDPOIN: "https://x" }));
    expect(problemFor(error, "COSMOS_ENDPOIN")).toHaveLength(1);
    expect(problemFor(error, "COSMOS_ENDPOINT")).toHaveLength(1);
  });

  it.each(["production", "Azure", "LOCAL"])("refuses DPDP_PROFILE=%s", (profile) => {
    const error = configError({ DPDP_PROFILE: profile });
    expect(error.problems).toHaveLength(1);
    expect(error.message).toContain("DPDP_PROFILE");
    expect(error.message).toContain(profile);
  });
});
