import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { type LocalHost, startLocalHost } from "../src/local/host";

/** Shared pieces of `npm run bench`: the local host on its embedded emulators, timing, percentiles. */

export async function benchHost(): Promise<LocalHost> {
  process.env.LOCAL_HTTP_LOG = "off";
  return startLocalHost({
    DPDP_PROFILE: "local",
    PORT: "0",
    LOCAL_SEED_DEMO: "false",
    LOCAL_HTTP_LOG: "off",
    // No background delivery or timer passes: each bench runs exactly the work it measures.
    LOCAL_REALTIME: "off",
    // The bench client plays the platform's front end: the X-Forwarded-For entry it writes is the
    // client's address, so each simulated requester has its own (the per-address limit is not measured).
    TRUSTED_PROXY_HOPS: "2",
    LOCAL_DATA_DIR: mkdtempSync(join(tmpdir(), "dpdp-bench-")),
    SUBJECT_HASH_KEY: randomBytes(32).toString("base64"),
  });
}

export interface LoadResult {
  ops: number;
  seconds: number;
  perSecond: number;
  p50ms: number;
  p99ms: number;
}

/** Runs `op(i)` for i in [0, total) with `concurrency` workers; every op must succeed. */
export async function load(
  total: number,
  concurrency: number,
  op: (i: number) => Promise<void>,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const s = performance.now();
        await op(i);
        latencies.push(performance.now() - s);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  return { ops: total, seconds, perSecond: total / seconds, p50ms: pct(0.5), p99ms: pct(0.99) };
}

/** Samples the resident set size while `work` runs and returns its peak. */
export async function peakRss<T>(work: () => Promise<T>): Promise<{ result: T; peakMb: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, peakMb: peak / 1_048_576 };
  } finally {
    clearInterval(timer);
  }
}

export const fmt = (n: number, digits = 1) => n.toFixed(digits);

export function report(title: string, rows: [string, string][]): void {
  console.log(`\n${title}`);
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
}
