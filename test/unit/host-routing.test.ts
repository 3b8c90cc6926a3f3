import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { functionTable } from "../../src/function-table";
import {
  compareFunctionNames,
  createHostRouter,
  type HostHttpFunction,
  hostRoutingProblems,
  parseRouteTemplate,
  samplePath,
} from "../../src/http/dispatch";

/**
 * The BUILT entry point, as the Functions host loads it: `package.json` main, compiled by the build's
 * own tsconfig, required (CommonJS) by the current node in a child process whose `@azure/functions`
 * has a recording `app`. Then every HTTP function it registers is routed the host's way (function-name
 * order, OrdinalIgnoreCase, first template-and-method match: see src/http/dispatch.ts for the host's
 * code) and must reach itself.
 */

const root = resolve(__dirname, "../..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  main: string;
  engines: { node: string };
};

interface Registration {
  kind: string;
  name: string;
  options: Record<string, unknown>;
}

/**
 * Runs in the child: swaps `app` of @azure/functions for a recorder (Module._load), requires the entry
 * point, prints what was registered. Outside the host the real `app` registers nothing (DESIGN §8).
 */
const RECORDER = `
const Module = require("node:module");
const calls = [];
const app = new Proxy({}, {
  get: (_, kind) => (name, options = {}) => {
    const o = {};
    for (const [k, v] of Object.entries(options)) o[k] = typeof v === "function" ? "function" : v;
    calls.push({ kind: String(kind), name, options: o });
  },
});
const load = Module._load;
let fake;
Module._load = function (request) {
  const real = load.apply(this, arguments);
  if (request !== "@azure/functions") return real;
  return (fake ??= { ...real, app });
};
try {
  require(process.argv[1]);
  process.stdout.write("@@" + JSON.stringify({ calls }));
} catch (e) {
  process.stdout.write("@@" + JSON.stringify({ error: { code: e && e.code, message: String(e && e.message) } }));
  process.exitCode = 1;
}
`;

function loadBuilt(entry: string, nodeArgs: string[] = []) {
  const child = spawnSync(process.execPath, [...nodeArgs, "-e", RECORDER, entry], {
    cwd: root,
    encoding: "utf8",
    // Nothing configured: registration must not need the runtime (it is built on first invocation).
    env: { PATH: process.env.PATH ?? "" },
    timeout: 30_000,
  });
  const out = child.stdout.slice(child.stdout.indexOf("@@") + 2);
  return {
    status: child.status,
    stderr: child.stderr,
    result: JSON.parse(out || "{}") as { calls?: Registration[]; error?: { code?: string; message: string } },
  };
}

let buildDir: string;
let entry: string;

beforeAll(() => {
  // Built into node_modules/.cache (ignored by git) so the built files resolve the installed packages
  // exactly as dist/ does next to node_modules in the deployment.
  const cache = join(root, "node_modules", ".cache");
  mkdirSync(cache, { recursive: true });
  buildDir = mkdtempSync(join(cache, "built-entry-"));
  const tsc = spawnSync(
    process.execPath,
    [
      join(root, "node_modules/typescript/bin/tsc"),
      "-p",
      "tsconfig.build.json",
      "--outDir",
      join(buildDir, "dist"),
    ],
    { cwd: root, encoding: "utf8", timeout: 60_000 },
  );
  expect(tsc.status, `${tsc.stdout}${tsc.stderr}`).toBe(0);
  // package.json "main" is relative to the package root; "dist/" maps onto the temporary build.
  expect(pkg.main.startsWith("dist/")).toBe(true);
  entry = join(buildDir, pkg.main);
}, 90_000);

afterAll(() => {
  if (buildDir) rmSync(buildDir, { recursive: true, force: true });
});

describe("the built entry point, loaded by this node", () => {
  let calls: Registration[];
  beforeAll(() => {
    const run = loadBuilt(entry);
    expect(run.result.error, run.stderr).toBeUndefined();
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/ERR_REQUIRE_ESM|ERR_REQUIRE_ASYNC_MODULE/);
    calls = run.result.calls ?? [];
  });

  it("registers every function of the table, each once, with nothing else", () => {
    const table = functionTable({ includeDev: false });
    const expected = table.map((f) => ({
      kind: f.trigger === "queue" ? "serviceBusQueue" : f.trigger === "timer" ? "timer" : "http",
      name: f.name,
    }));
    const got = calls.map((c) => ({ kind: c.kind, name: c.name }));
    const byName = (a: { name: string }, b: { name: string }) => compareFunctionNames(a.name, b.name);
    expect(got.sort(byName)).toEqual(expected.sort(byName));
    for (const c of calls) expect(c.options.handler, c.name).toBe("function");
  });

  it("routes every registered HTTP template, with sample values, to its own function for each method", () => {
    const http: HostHttpFunction[] = calls
      .filter((c) => c.kind === "http")
      .map((c) => ({
        name: c.name,
        route: String(c.options.route),
        methods: c.options.methods as string[],
      }));
    expect(http.length).toBeGreaterThan(30);
    const route = createHostRouter(http);
    const literals = new Set(
      http.flatMap((f) =>
        parseRouteTemplate(f.route).segments.flatMap((s) =>
          s.kind === "literal" ? [s.text.toUpperCase()] : [],
        ),
      ),
    );
    const misrouted: string[] = [];
    for (const fn of http) {
      const path = `/api/${samplePath(fn.route, literals)}`;
      for (const method of fn.methods) {
        const reached = route(method, path)?.fn.name;
        if (reached !== fn.name)
          misrouted.push(`${method} ${path} -> ${reached ?? "nothing"} (want ${fn.name})`);
      }
    }
    expect(misrouted).toEqual([]);
    expect(hostRoutingProblems(http)).toEqual([]);
  });

  it("sends what no route takes to the catch-all, which is last in the host's order", () => {
    const http = calls.filter((c) => c.kind === "http");
    const sorted = [...http].sort((a, b) => compareFunctionNames(a.name, b.name));
    const last = sorted[sorted.length - 1]!;
    expect(last.options.route).toBe("{*path}");
    const route = createHostRouter(
      http.map((c) => ({
        name: c.name,
        route: String(c.options.route),
        methods: c.options.methods as string[],
      })),
    );
    expect(route("GET", "/api/v1/nothing-here")?.fn.name).toBe(last.name);
    expect(route("DELETE", "/api/health")?.fn.name).toBe(last.name);
    expect(route("GET", "/api/health")?.fn.name).toBe("health");
    // Literal segments ignore case in ASP.NET Core routing: a route still answers, not the catch-all.
    expect(route("GET", "/API/Health/")?.fn.name).toBe("health");
  });
});

describe("the Node.js it needs: require(esm)", () => {
  it("declares engines that have require(esm) unflagged (20.19+, 22.12+), and this node is one", () => {
    // jose 6 is ESM only ("type": "module", no "require" export): the CommonJS build loads it with
    // require(esm), unflagged in Node 20.19.0 and 22.12.0 (nodejs/node#55085, backports in the v20 and
    // v22 changelogs). The Functions worker require()s a CommonJS entry point.
    const jose = JSON.parse(readFileSync(join(root, "node_modules/jose/package.json"), "utf8")) as {
      type?: string;
      exports: Record<string, Record<string, string>>;
    };
    expect(jose.type).toBe("module");
    expect(jose.exports["."]?.require).toBeUndefined();
    expect(pkg.engines.node).toBe("^20.19.0 || >=22.12.0");
    const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
    expect(major === 20 ? minor >= 19 : major >= 22 && (major > 22 || minor >= 12)).toBe(true);
  });

  it("fails to load without require(esm): the test above would catch a node that lacks it", () => {
    const run = loadBuilt(entry, ["--no-experimental-require-module"]);
    expect(run.status).not.toBe(0);
    expect(run.result.error?.code).toBe("ERR_REQUIRE_ESM");
  });
});
