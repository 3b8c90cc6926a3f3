import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../support/free-port";
import { testEnv } from "../support/env";

/**
 * The suite's target switch (test/support/target.ts), tested here because the real Functions host cannot run on the
 * build machines: the local host runs as a process of its own (as the real host would), the portable suite runs in
 * another vitest with E2E_BASE_URL pointing at it, and the test checks both that the suite passed and that its
 * requests reached that process (its request log), not a host the suite started itself.
 */

const READY_TIMEOUT_MS = 60_000;

/** The test runner's environment without what would point a child at this run or change the service's settings. */
function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(DPDP|COSMOS|BLOB|AUTH|LOCAL|SUBJECT|SERVICEBUS|E2E)_|^PORT$|^VITEST|^npm_/.test(k)) env[k] = v;
  }
  return env;
}

/** One JSON request line of the local host's log (src/local/http-server.ts). */
interface RequestLine {
  method: string;
  route: string;
  status: number;
}

const requestLines = (out: string): RequestLine[] =>
  out
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Partial<RequestLine>)
    .filter((l): l is RequestLine => typeof l.method === "string" && typeof l.status === "number");

let host: ChildProcess | undefined;
let hostOutput = "";
let port = 0;

beforeAll(async () => {
  port = await freePort();
  host = spawn(process.execPath, ["--import", "tsx", "src/local/main.ts"], {
    cwd: process.cwd(),
    env: { ...baseEnv(), ...testEnv({ PORT: String(port), LOCAL_HTTP_LOG: "on" }) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  host.stdout!.on("data", (c: Buffer) => (hostOutput += c.toString()));
  host.stderr!.on("data", (c: Buffer) => (hostOutput += c.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(new Error(`no ready line within ${READY_TIMEOUT_MS / 1000} s:\n${hostOutput.slice(-3000)}`)),
      READY_TIMEOUT_MS,
    );
    const check = () => {
      if (/dpdp-rights ready on /.test(hostOutput)) {
        clearTimeout(timer);
        resolve();
      }
    };
    host!.stdout!.on("data", check);
    host!.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the local host exited (${code}) before it was ready:\n${hostOutput.slice(-3000)}`));
    });
  });
}, READY_TIMEOUT_MS + 10_000);

afterAll(async () => {
  if (!host || host.exitCode !== null) return;
  const exited = new Promise((resolve) => host!.once("exit", resolve));
  host.kill("SIGINT");
  await exited;
});

describe("the suite's target switch, against a host in another process", () => {
  it("E2E_BASE_URL sends the portable suite to that host, and the suite passes there", async () => {
    expect(requestLines(hostOutput)).toEqual([]);
    const report = join(mkdtempSync(join(tmpdir(), "dpdp-switch-")), "report.json");
    const child = spawn(
      "npx",
      ["vitest", "run", "test/e2e/portable", "--reporter=json", `--outputFile=${report}`],
      {
        cwd: process.cwd(),
        env: { ...baseEnv(), E2E_BASE_URL: `http://127.0.0.1:${port}`, LOCAL_HTTP_LOG: "off" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let childOutput = "";
    child.stdout!.on("data", (c: Buffer) => (childOutput += c.toString()));
    child.stderr!.on("data", (c: Buffer) => (childOutput += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
    expect(code, childOutput.slice(-3000)).toBe(0);

    const result = JSON.parse(readFileSync(report, "utf8")) as {
      success: boolean;
      numPassedTests: number;
      numFailedTests: number;
    };
    expect(result.success).toBe(true);
    expect(result.numFailedTests).toBe(0);
    expect(result.numPassedTests).toBeGreaterThan(0);

    // Every portable test calls the host at least once, and the filings (201) were made there.
    const lines = requestLines(hostOutput);
    expect(lines.length).toBeGreaterThanOrEqual(result.numPassedTests);
    expect(lines.filter((l) => l.method === "POST" && l.status === 201).length).toBeGreaterThan(0);
    expect(lines.some((l) => l.method === "GET" && l.status === 404)).toBe(true);
  }, 120_000);
});
