import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Tests draw their data from seeded generators (`test/support/generators.ts`), never from the wall clock
 * or an unseeded random source: a phone number built from the time was invalid about one run in ten.
 * This scan fails on the wall clock or `Math.random` anywhere in test/ or bench/ outside the files below,
 * each of which talks to something that keeps real time itself; the count caps each file, so a new use
 * there fails too until it is argued for here.
 */
const ALLOWED: Record<string, { at_most: number; reason: string }> = {
  "test/integration/blob-store.test.ts": {
    at_most: 12,
    reason: "SAS start and expiry times: Azurite checks them against its own real clock",
  },
  "test/e2e/http-contract.test.ts": {
    at_most: 3,
    reason: "JWT iat/exp: the service verifies tokens (jose) against the real clock, faked here with vi",
  },
  "test/e2e/npm-start.test.ts": {
    at_most: 3,
    reason: "measures elapsed time while waiting for a child process, never used as data",
  },
  "test/integration/schedulers.test.ts": {
    at_most: 3,
    reason:
      "the DevClock under test follows real time plus an offset; the real Service Bus namespace (skipped unless configured) schedules against its own clock",
  },
};

const PATTERNS: { name: string; pattern: RegExp }[] = [
  { name: "Date.now", pattern: /\bDate\.now\(\)/g },
  { name: "Math.random", pattern: /\bMath\.random\(/g },
  { name: "argument-less new Date", pattern: /\bnew Date\(\s*\)/g },
];

const root = join(__dirname, "..", "..");

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory()) return e.name === "node_modules" ? [] : sources(path);
    return /\.(ts|mts|cts)$/.test(e.name) ? [path] : [];
  });
}

/** Code lines only: a comment may name the wall clock to say why it is not used. */
function code(text: string): string {
  return text
    .split("\n")
    .filter((line) => !/^\s*(\/\/|\/\*|\*)/.test(line))
    .join("\n");
}

function uses(path: string): string[] {
  const text = code(readFileSync(join(root, path), "utf8"));
  return PATTERNS.flatMap(({ name, pattern }) => [...text.matchAll(pattern)].map(() => name));
}

describe("test determinism", () => {
  const files = [...sources("test"), ...sources("bench")];

  it("finds the test and bench sources it scans", () => {
    expect(files).toContain("test/unit/test-determinism.test.ts");
    expect(files.length).toBeGreaterThan(50);
  });

  it("no test or bench file reads the wall clock or Math.random outside the allow-list", () => {
    const offenders = files
      .map((path) => ({ path, found: uses(path) }))
      .filter(({ path, found }) => found.length > (ALLOWED[path]?.at_most ?? 0))
      .map(({ path, found }) => `${path}: ${found.join(", ")}`);
    expect(offenders, "use test/support/generators.ts (seeded) or the dev clock").toEqual([]);
  });

  it("every allow-listed file exists and still needs its entry", () => {
    for (const [path, { reason }] of Object.entries(ALLOWED)) {
      expect(files, path).toContain(path);
      expect(reason.length).toBeGreaterThan(20);
      expect(uses(path).length, `${path} no longer reads the clock: drop it from the list`).toBeGreaterThan(
        0,
      );
    }
  });

  it("the scan sees what it looks for", () => {
    // Spelt in pieces, so this file does not trip its own scan.
    const [now, random, date] = ["Date" + ".now()", "Math" + ".random()", "new " + "Date( )"];
    const sample = [`const t = ${now};`, `const r = ${random};`, `const d = ${date};`, `// ${now}`];
    const text = code(sample.join("\n"));
    const found = PATTERNS.flatMap(({ name, pattern }) => [...text.matchAll(pattern)].map(() => name));
    expect(found).toEqual(["Date.now", "Math.random", "argument-less new Date"]);
  });
});
