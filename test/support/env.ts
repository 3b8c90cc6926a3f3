import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { inject } from "vitest";

/**
 * Environment for a local-profile runtime or host on the shared emulators: its own databases (so test
 * files never see each other's documents), a temporary data folder, a free API port.
 */
export function testEnv(overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
  const suffix = randomBytes(4).toString("hex");
  return {
    DPDP_PROFILE: "local",
    COSMOS_ENDPOINT: inject("cosmosEndpoint"),
    BLOB_CONNECTION_STRING: inject("blobConnectionString"),
    COSMOS_DATABASE: `dpdp-${suffix}`,
    COSMOS_PLATFORM_DATABASE: `platform-${suffix}`,
    LOCAL_DATA_DIR: mkdtempSync(join(tmpdir(), "dpdp-test-")),
    SUBJECT_HASH_KEY: randomBytes(32).toString("base64"),
    LOCAL_SEED_DEMO: "false",
    // Only the dev clock delivers and runs timers: no background pass races a test's assertions.
    LOCAL_REALTIME: "off",
    // The test client plays the platform's trusted front end: the X-Forwarded-For entry it writes is
    // the client's address (the local host appends the socket's). Hostile-caller tests set 1.
    TRUSTED_PROXY_HOPS: "2",
    PORT: "0",
    // Quiet as the HTTP log (vitest.config.mts): background functions log warnings and errors only.
    ...(process.env.LOCAL_HTTP_LOG ? { LOCAL_HTTP_LOG: process.env.LOCAL_HTTP_LOG } : {}),
    ...overrides,
  };
}
