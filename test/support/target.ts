import { httpCall, startTestHost, type TestHost } from "./host";

/**
 * Where the portable end-to-end suite (test/e2e/portable) sends its requests, chosen by configuration so the same
 * tests run against the local host here and against the real Functions host (Core Tools) in
 * .github/workflows/real-components.yml:
 *
 * - `E2E_BASE_URL` unset: the local host in this process, on the shared test emulators (test/support/host.ts).
 * - `E2E_BASE_URL` set, e.g. `http://localhost:7071`: that host's root, over fetch. Nothing is started and nothing
 *   but HTTP is used, so the tests there need no dev clock, dev token or store access.
 *
 * Optional connection settings, read only with `E2E_BASE_URL`:
 * - `E2E_ROUTE_PREFIX`: the host's HTTP route prefix (host.json `extensions.http.routePrefix`), default `api`.
 * - `E2E_TIMEOUT_MS`: how long one call may take, default 30000 (the first call to a Functions host builds the
 *   runtime, which connects to every store).
 */
export interface Target {
  /** The API root every path is relative to, e.g. `http://localhost:7071/api`. */
  baseUrl: string;
  /** Where the target came from: `remote` when `E2E_BASE_URL` chose it. */
  kind: "local" | "remote";
  call: TestHost["call"];
  close(): Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** The target the environment names: a remote host by URL, else the local host in process. */
export async function openTarget(env: NodeJS.ProcessEnv = process.env): Promise<Target> {
  const base = env.E2E_BASE_URL?.trim();
  if (!base) {
    const host = await startTestHost();
    return { baseUrl: host.url, kind: "local", call: host.call, close: () => host.stop() };
  }
  const prefix = (env.E2E_ROUTE_PREFIX ?? "api").replace(/^\/+|\/+$/g, "");
  const baseUrl = `${new URL(base).origin}${prefix ? `/${prefix}` : ""}`;
  const timeout = Number(env.E2E_TIMEOUT_MS ?? DEFAULT_TIMEOUT_MS);
  if (!Number.isInteger(timeout) || timeout <= 0)
    throw new Error("E2E_TIMEOUT_MS must be a positive integer");
  return { baseUrl, kind: "remote", call: httpCall(baseUrl, timeout), close: async () => {} };
}
