import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../support/free-port";

/**
 * The README's first command, for real: `npm start` in its own process group (as a terminal runs it),
 * on a free port and a temporary data folder; health answers; Ctrl-C (SIGINT to the group) stops the
 * whole tree, Azurite included; a second start on the same folder and port works; and when the host
 * dies abruptly its Azurite child still goes with it.
 */

const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

/** The environment of the start: the test runner's, minus anything that would point it elsewhere. */
function startEnv(port: number, dataDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(DPDP|COSMOS|BLOB|AUTH|LOCAL|SUBJECT|SERVICEBUS)_|^PORT$|^VITEST|^npm_/.test(k)) env[k] = v;
  }
  return { ...env, PORT: String(port), LOCAL_DATA_DIR: dataDir, LOCAL_HTTP_LOG: "off" };
}

/** Every live process below `root` (Linux /proc), so the test can see Azurite and tsx's node. */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // pid (comm) state ppid …: comm may hold spaces and parentheses, so read after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (fields[0] === "Z") continue; // a zombie has exited
      const ppid = Number(fields[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    for (const c of children.get(pid) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(root);
  return out;
}

const alive = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
};

const cmdline = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
  } catch {
    return "";
  }
};

interface Started {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

const started: ChildProcess[] = [];

async function npmStart(port: number, dataDir: string): Promise<Started> {
  const child = spawn("npm", ["start"], {
    cwd: process.cwd(),
    env: startEnv(port, dataDir),
    detached: true, // its own process group, like a shell job: SIGINT to the group is Ctrl-C
    stdio: ["ignore", "pipe", "pipe"],
  });
  started.push(child);
  let out = "";
  child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (out += c.toString()));
  // "close", not "exit": it comes once the output pipes are drained too, so `output()` then holds every line.
  const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no ready line within ${READY_TIMEOUT_MS / 1000} s:\n${out.slice(-3000)}`)),
      READY_TIMEOUT_MS,
    );
    const check = () => {
      const m = /dpdp-rights ready on (http:\/\/\S+\/api)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout!.on("data", check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited (${code}) before it was ready:\n${out.slice(-3000)}`));
    });
  });
  return { child, url, output: () => out, exited };
}

async function waitUntil(what: string, predicate: () => boolean, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  while (!predicate()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return Date.now() - t0;
}

afterEach(() => {
  // Whatever a failed test left running: only the groups this file started.
  for (const child of started.splice(0)) {
    if (child.pid && child.exitCode === null) {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
});

describe("npm start", () => {
  it(
    "answers health, stops its whole tree on Ctrl-C, starts again on the same folder and port, and takes Azurite along when killed",
    async () => {
      const port = await freePort();
      const dataDir = mkdtempSync(join(tmpdir(), "dpdp-npm-start-"));

      const first = await npmStart(port, dataDir);
      expect(first.url).toBe(`http://localhost:${port}/api`);
      const out = first.output();
      // It says what it started and where, and prints the demo tokens.
      expect(out).toMatch(
        /Cosmos DB API \(@vercel\/cosmosdb-server, in memory\)\s+http:\/\/127\.0\.0\.1:\d+/,
      );
      expect(out).toMatch(
        /Blob Storage \(Azurite, --disableTelemetry\)\s+http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1/,
      );
      expect(out).toContain(join(dataDir, "scheduler.json"));
      expect(out.match(/Demo tenant \S+ \(.+\), owner token:/g)).toHaveLength(2);
      expect(out).toMatch(/Privacy officer token:\n\s+[\w-]+\.[\w-]+\.[\w-]+/);

      const health = await fetch(`${first.url}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: "ok", checks: { cosmos: "ok", blob: "ok" } });

      // The tree: npm → node main.ts (tsx as a loader, `node --import tsx`: no relaying parent that SIGKILLs a
      // busy child when it does not confirm a signal within 30 ms) → node Azurite, with Azurite's data in the folder.
      const tree = descendants(first.child.pid!);
      const azurite = tree.filter((pid) => /azurite/.test(cmdline(pid)));
      expect(azurite.length).toBeGreaterThan(0);
      expect(azurite.some((pid) => cmdline(pid).includes("--disableTelemetry"))).toBe(true);
      expect(existsSync(join(dataDir, "azurite"))).toBe(true);

      // Ctrl-C: SIGINT to the foreground process group.
      process.kill(-first.child.pid!, "SIGINT");
      const stoppedIn = await waitUntil(
        "every process of the tree exits",
        () => !alive(first.child.pid!) && tree.every((pid) => !alive(pid)),
        STOP_TIMEOUT_MS,
      );
      expect(stoppedIn).toBeLessThan(STOP_TIMEOUT_MS);
      expect(await first.exited).not.toBe(1);
      expect(first.output()).toMatch(/SIGINT: stopping/);
      // Nothing listens on the API port any more.
      await expect(fetch(`http://127.0.0.1:${port}/api/health`)).rejects.toThrow();

      // Second start: same folder, same port.
      const second = await npmStart(port, dataDir);
      expect(second.url).toBe(first.url);
      const again = await fetch(`${second.url}/health`);
      expect(again.status).toBe(200);
      const secondTree = descendants(second.child.pid!);
      const secondAzurite = secondTree.filter((pid) => /azurite/.test(cmdline(pid)));
      const main = secondTree.find(
        (pid) => /src\/local\/main\.ts/.test(cmdline(pid)) && /--import/.test(cmdline(pid)),
      );
      expect(main).toBeDefined();
      expect(secondAzurite.length).toBeGreaterThan(0);

      // Abrupt death of the host (no handler runs): Azurite notices its stdin close and exits by
      // itself, and the rest of the tree follows, so nothing is left holding a port.
      process.kill(main!, "SIGKILL");
      await waitUntil(
        "Azurite and the rest of the tree exit after the host is killed",
        () => !alive(second.child.pid!) && secondTree.every((pid) => !alive(pid)),
        STOP_TIMEOUT_MS,
      );
    },
    3 * READY_TIMEOUT_MS,
  );
});
