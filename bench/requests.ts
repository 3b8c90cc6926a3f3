import { fmt, load, report } from "./lib";
import { OPERATIONS, type OperationCounts } from "../src/adapters/metering/operation-meter";
import type { LocalHost } from "../src/local/host";

/** "cosmos.pointRead 8.0, cosmos.write 12.0 …": what one operation of the load cost the stores, on average. */
function perOperation(counts: OperationCounts, ops: number): string {
  return OPERATIONS.filter((o) => counts.ops[o] > 0)
    .map((o) => `${o} ${fmt(counts.ops[o] / ops)}`)
    .join(", ");
}

/**
 * The create-and-verify path of a public request over HTTP at 50 concurrent connections, beside a truly
 * bare handler (`GET /health/live`, which touches no store) and the health check (a round trip to each
 * store) on the same host in the same run: the ratios say what the request core costs.
 */
export async function benchRequests(host: LocalHost, options = { total: 400, concurrency: 50 }) {
  const dev = host.runtime.dev!;
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${host.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });

  const bare = await load(options.total, options.concurrency, async () => {
    const res = await fetch(`${host.url}/health/live`);
    if (res.status !== 200) throw new Error(`live ${res.status}`);
    await res.arrayBuffer();
  });

  const health = await load(options.total, options.concurrency, async () => {
    const res = await fetch(`${host.url}/health`);
    if (res.status !== 200) throw new Error(`health ${res.status}`);
    await res.arrayBuffer();
  });

  const before = host.runtime.meter.snapshot();
  const createAndVerify = await load(options.total, options.concurrency, async (i) => {
    const phone = `+9197${String(10_000_000 + i).padStart(8, "0")}`;
    // One client address per requester, as in life: the per-address rate limit is not what is measured.
    const headers = { "x-forwarded-for": `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` };
    const created = await post(
      "/v1/requests",
      // A correction waits for staff review once verified: the path measured is the request core
      // (validation, rate limits, code, ETag writes, audit), not an executor's work after it.
      {
        kind: "correction",
        scope: { type: "whatsapp_number", phone },
        corrections: [{ field: "name", value: "Asha Rao" }],
      },
      headers,
    );
    if (created.status !== 201) throw new Error(`create ${created.status}`);
    const { id, requestToken } = (await created.json()) as { id: string; requestToken: string };
    const code = /\b(\d{6})\b/.exec(dev.outbox(phone).at(-1)?.text ?? "")?.[1];
    if (!code) throw new Error("no code");
    const verified = await post(
      `/v1/requests/${id}/verification`,
      { code },
      { ...headers, "x-request-token": requestToken },
    );
    if (verified.status !== 200) throw new Error(`verify ${verified.status}`);
    await verified.arrayBuffer();
  });

  const cost = host.runtime.meter.since(before);

  report(
    `Request core over HTTP (${options.total} operations, ${options.concurrency} concurrent, embedded Cosmos)`,
    [
      [
        "GET /health/live (bare: no store)",
        `${fmt(bare.perSecond)} req/s, p50 ${fmt(bare.p50ms)} ms, p99 ${fmt(bare.p99ms)} ms`,
      ],
      [
        "GET /health (a round trip to each store)",
        `${fmt(health.perSecond)} req/s, p50 ${fmt(health.p50ms)} ms, p99 ${fmt(health.p99ms)} ms`,
      ],
      [
        "create + verify",
        `${fmt(createAndVerify.perSecond)} ops/s, p50 ${fmt(createAndVerify.p50ms)} ms, p99 ${fmt(createAndVerify.p99ms)} ms`,
      ],
      ["store operations per create+verify", perOperation(cost, options.total)],
      [
        "create+verify throughput / health (target ≥ 0.5)",
        `${fmt(createAndVerify.perSecond / health.perSecond, 3)}×`,
      ],
      ["create+verify throughput / bare", `${fmt(createAndVerify.perSecond / bare.perSecond, 3)}×`],
      ["ratio p99 create+verify/bare", `${fmt(createAndVerify.p99ms / bare.p99ms, 2)}×`],
    ],
  );
  return { bare, health, createAndVerify };
}
