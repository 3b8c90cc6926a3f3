import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores on CI: integration files share the emulators, so keep parallelism modest.
    maxWorkers: 2,
    env: { LOCAL_HTTP_LOG: "off" },
  },
});
