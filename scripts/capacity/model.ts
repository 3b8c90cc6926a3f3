import { z } from "zod";
import { OPERATIONS, type OperationCounts } from "../../src/adapters/metering/operation-meter";
import { estimatedRequestUnits, RU } from "../../src/adapters/metering/request-units";
import { prices } from "./prices";

/**
 * docs/capacity.md from measured counts (docs/capacity.json, written by `npm run capacity`): what each
 * business action costs per unit, times how often it happens at CallMissed's scale today and at 10× and
 * 100×. Pure: the same counts always give the same document (test/unit/capacity-doc.test.ts).
 */
export const MeasuredAction = z.object({
  unit: z.string(),
  units: z.number().positive(),
  counts: z.object({
    ops: z.record(z.enum(OPERATIONS), z.number()),
    itemsRead: z.number(),
    kbRead: z.number(),
    kbWritten: z.number(),
  }),
  /** For timers: how often the Functions host runs it (NCRONTAB with seconds). */
  schedule: z.string().optional(),
});
export const CapacityData = z.object({ actions: z.record(z.string(), MeasuredAction) });
export type CapacityData = z.infer<typeof CapacityData>;

/** CallMissed today (stated, not measured: the platform's own figures for late 2026). */
export const today = {
  tenants: 400,
  recordsPerTenant: 25_000,
  publicRequestsPerDay: 40,
  deactivationsPerDay: 2,
  whatsAppErasuresPerDay: 10,
  tenantsHoldingANumber: 3,
  exportsPerDay: 5,
  /** Backup sets kept (backupRotation P35D, one set a day). */
  backupSetsKept: 35,
  /** Bytes of a backed-up record after gzip and encryption (the backup bench: 0.05 of ~1 KB of JSON). */
  backupBytesPerRecord: 50,
  /** Bytes of an exported record in the ZIP, kept for exportExpiry (P7D). */
  exportBytesPerRecord: 300,
  exportDaysKept: 7,
  /** The service's own documents per request (request, audit chain, slots), kept for years. */
  serviceKbPerRequest: 12,
  serviceYearsKept: 7,
  /** Average execution of one function invocation, and the Flex instance memory it runs in. */
  secondsPerExecution: 0.3,
  instanceGb: 2,
  /** HTTP calls a public request makes beyond create and verify (status reads, the export link). */
  extraHttpCallsPerRequest: 3,
} as const;

const SCALES = [1, 10, 100] as const;

/** Runs a day of an NCRONTAB schedule (seconds minutes hours …) where the day fields are `*`. */
export function runsPerDay(schedule: string): number {
  const [sec = "0", min = "*", hour = "*"] = schedule.split(/\s+/);
  const count = (field: string, range: number) => {
    if (field === "*") return range;
    const step = /^\*\/(\d+)$/.exec(field);
    if (step) return Math.ceil(range / Number(step[1]));
    return field.split(",").length;
  };
  return count(sec, 60) * count(min, 60) * count(hour, 24);
}

interface Workload {
  /** How many units of each action a day (timers: runs). */
  perDay: Record<string, number>;
  /** Units of each action in the busiest hour. */
  peakHour: Record<string, number>;
}

function workload(data: CapacityData, scale: number): Workload {
  const t = today;
  const tenants = t.tenants * scale;
  const perThousand = t.recordsPerTenant / 1000;
  const perDay: Record<string, number> = {
    "public create": t.publicRequestsPerDay * scale,
    verify: t.publicRequestsPerDay * scale,
    "account deactivation": t.deactivationsPerDay * scale,
    "account purge": t.deactivationsPerDay * scale * perThousand,
    "WhatsApp-number erasure": t.whatsAppErasuresPerDay * scale * t.tenantsHoldingANumber,
    "access export": t.exportsPerDay * scale * perThousand,
    backup: tenants * perThousand,
  };
  for (const [name, a] of Object.entries(data.actions))
    if (a.schedule && name !== "timer takeDailyBackup, nothing due") perDay[name] = runsPerDay(a.schedule);
  // The busiest hour: the day's backup, a day's worth of purges falling due together (10× the average),
  // the day's exports, and requests at 5× their hourly average; timers as every hour.
  const peakHour: Record<string, number> = {};
  for (const [name, n] of Object.entries(perDay)) {
    peakHour[name] =
      name === "backup" || name === "access export"
        ? n
        : name === "account purge" || name === "account deactivation"
          ? n * 10
          : name.startsWith("timer ")
            ? n / 24
            : (n / 24) * 5;
  }
  return { perDay, peakHour };
}

const scaled = (c: OperationCounts, k: number): OperationCounts => ({
  ops: Object.fromEntries(OPERATIONS.map((o) => [o, c.ops[o] * k])) as OperationCounts["ops"],
  itemsRead: c.itemsRead * k,
  kbRead: c.kbRead * k,
  kbWritten: c.kbWritten * k,
});

function total(data: CapacityData, units: Record<string, number>): OperationCounts {
  const sum: OperationCounts = {
    ops: Object.fromEntries(OPERATIONS.map((o) => [o, 0])) as OperationCounts["ops"],
    itemsRead: 0,
    kbRead: 0,
    kbWritten: 0,
  };
  for (const [name, n] of Object.entries(units)) {
    const a = data.actions[name];
    if (!a) continue;
    const c = scaled(a.counts as OperationCounts, n / a.units);
    for (const o of OPERATIONS) sum.ops[o] += c.ops[o];
    sum.itemsRead += c.itemsRead;
    sum.kbRead += c.kbRead;
    sum.kbWritten += c.kbWritten;
  }
  return sum;
}

const n0 = (x: number) => Math.round(x).toLocaleString("en-US");
const n1 = (x: number) => (x < 10 ? x.toFixed(1) : n0(x));
const usd = (x: number) => `$${x < 10 ? x.toFixed(2) : n0(x)}`;

interface Estimate {
  scale: number;
  ruPerDay: number;
  avgRuPerSecond: number;
  peakRuPerSecond: number;
  cosmosServerless: number;
  cosmosAutoscale: number;
  autoscaleMax: number;
  cosmosStorageGb: number;
  busOpsPerMonth: number;
  busStandard: number;
  executionsPerMonth: number;
  functions: number;
  blobOpsPerMonth: { write: number; read: number; list: number };
  blobGb: number;
  blob: number;
}

export function estimate(data: CapacityData, scale: number): Estimate {
  const t = today;
  const w = workload(data, scale);
  const day = total(data, w.perDay);
  const peak = total(data, w.peakHour);
  const ruPerDay = estimatedRequestUnits(day);
  const peakRuPerSecond = estimatedRequestUnits(peak) / 3600;
  const month = 30;
  const cosmosServerless = ((ruPerDay * month) / 1e6) * prices.cosmosServerlessPerMillionRu.usd;
  // Autoscale bills the highest RU/s reached each hour, at least 10 % of the maximum: the maximum set
  // to the peak, in steps of 1 000 RU/s (its smallest maximum).
  const autoscaleMax = Math.max(1000, Math.ceil(peakRuPerSecond / 1000) * 1000);
  const avgRuPerSecond = ruPerDay / 86_400;
  const billedPerHour = Math.max(0.1 * autoscaleMax, avgRuPerSecond);
  const cosmosAutoscale = (billedPerHour / 100) * prices.cosmosAutoscalePer100RuHour.usd * 24 * month;
  const requestsPerYear = t.publicRequestsPerDay * scale * 365 * 1.5;
  const cosmosStorageGb = (requestsPerYear * t.serviceYearsKept * t.serviceKbPerRequest) / 1e6;
  const o = day.ops;
  // A scheduled or sent message is sent, received and completed: three operations; a cancel is one.
  const busOpsPerMonth =
    ((o["bus.scheduled"] + o["bus.sent"]) * 3 + o["bus.cancelled"] + o["bus.received"]) * month;
  const busStandard =
    prices.serviceBusStandardBasePerMonth.usd +
    (Math.max(0, busOpsPerMonth - 13e6) / 1e6) * prices.serviceBusStandardPerMillionOpsAfter13M.usd;
  const timerRuns = Object.entries(w.perDay)
    .filter(([name]) => name.startsWith("timer "))
    .reduce((a, [, n]) => a + n, 0);
  const http = t.publicRequestsPerDay * scale * (2 + t.extraHttpCallsPerRequest);
  const executionsPerMonth = (http + o["bus.scheduled"] + timerRuns + 1) * month;
  const gbSeconds = executionsPerMonth * t.secondsPerExecution * t.instanceGb;
  const functions =
    (Math.max(0, executionsPerMonth - prices.functionsFlexFreeExecutions.count) / 1e6) *
      prices.functionsFlexPerMillionExecutions.usd +
    Math.max(0, gbSeconds - prices.functionsFlexFreeGbSeconds.count) * prices.functionsFlexPerGbSecond.usd;
  const blobOpsPerMonth = {
    write: (o["blob.write"] + o["blob.delete"]) * month,
    read: o["blob.read"] * month,
    list: o["blob.list"] * month,
  };
  const tenants = t.tenants * scale;
  const blobGb =
    (tenants * t.recordsPerTenant * t.backupBytesPerRecord * t.backupSetsKept +
      t.exportsPerDay * scale * t.exportDaysKept * t.recordsPerTenant * t.exportBytesPerRecord) /
    1e9;
  const blob =
    blobGb * prices.blobHotPerGbMonth.usd +
    (blobOpsPerMonth.write / 1e4) * prices.blobWritePer10k.usd +
    (blobOpsPerMonth.list / 1e4) * prices.blobListPer10k.usd +
    (blobOpsPerMonth.read / 1e4) * prices.blobReadPer10k.usd;
  return {
    scale,
    ruPerDay,
    avgRuPerSecond,
    peakRuPerSecond,
    cosmosServerless,
    cosmosAutoscale,
    autoscaleMax,
    cosmosStorageGb,
    busOpsPerMonth,
    busStandard,
    executionsPerMonth,
    functions,
    blobOpsPerMonth,
    blobGb,
    blob,
  };
}

const opsCell = (a: CapacityData["actions"][string]) =>
  OPERATIONS.filter((o) => (a.counts.ops[o] ?? 0) > 0)
    .map((o) => `${o} ${n1(a.counts.ops[o]! / a.units)}`)
    .join(", ") || "none";

/** The share of a day's RU each action takes, largest first. */
function shares(data: CapacityData, scale: number): [string, number][] {
  const w = workload(data, scale);
  const all = estimatedRequestUnits(total(data, w.perDay));
  return Object.keys(w.perDay)
    .map((name): [string, number] => [
      name,
      estimatedRequestUnits(total(data, { [name]: w.perDay[name]! })) / all,
    ])
    .sort((a, b) => b[1] - a[1]);
}

/** Service limits the estimates are held against (Azure's published quotas). */
const SERVERLESS_RU_PER_SECOND = 5000;
const PHYSICAL_PARTITION_RU_PER_SECOND = 10_000;

function limits(data: CapacityData, est: Estimate[]): string[] {
  const pct = (x: number) => `${Math.round(x * 100)} %`;
  const top = shares(data, 1).slice(0, 3);
  const overServerless = est.find((e) => e.peakRuPerSecond > SERVERLESS_RU_PER_SECOND);
  const purge = data.actions["account purge"];
  const purgeRu = purge ? estimatedRequestUnits(purge.counts as OperationCounts) / purge.units : 0;
  // One purge: 16 deletes in flight (PURGE_CONCURRENCY) at about 10 ms each in Azure.
  const onePurgeRuPerSecond = (16 / 0.01) * (purgeRu / 1000);
  return [
    `- **Where the request units go.** Today: ${top.map(([n, s]) => `${n} ${pct(s)}`).join(", ")} of the RU a day. Purges and backups grow with tenants × records, the rest with requests; every timer's share is flat.`,
    overServerless
      ? `- **Serverless's ceiling first.** A serverless container serves at most ${n0(SERVERLESS_RU_PER_SECOND)} RU/s; the busiest hour reaches ${n0(overServerless.peakRuPerSecond)} RU/s at ${overServerless.scale}×, so from there the account must be provisioned with autoscale (infra/modules/cosmos.bicep \`serverless\` false, \`maxThroughput\`), or the purges due on one day spread over the day (the purge queue's messages are independent, and Service Bus delivers them as the Functions host takes them).`
      : `- **Serverless's ceiling.** The busiest hour stays under serverless's ${n0(SERVERLESS_RU_PER_SECOND)} RU/s at every scale above.`,
    `- **One tenant's partition.** The platform's containers are partitioned by tenant, and a logical partition lives on one physical partition: at most 20 GB and ${n0(PHYSICAL_PARTITION_RU_PER_SECOND)} RU/s. One purge deletes 16 records at a time (PURGE_CONCURRENCY); at about 10 ms a delete that is ${n0(onePurgeRuPerSecond)} RU/s (${n1(purgeRu / 1000)} RU a record), against that one partition whatever the account's total: Cosmos answers 429 beyond it and the SDK's retry policy waits and retries. Where the account allows, delete-by-partition-key deletes a tenant in the background from at most 10 % of the throughput instead. At ${n0(today.recordsPerTenant)} records (about 25 MB) a tenant is far from 20 GB; a tenant with millions of messages would need hierarchical partition keys (tenant, conversation).`,
    `- **The daily backup.** Every tenant's records are read once a day: ${pct(shares(data, 1).find(([n]) => n === "backup")?.[1] ?? 0)} of the RU today, growing with tenants × records. Beyond 100× it is the next design change: an incremental backup from the change feed (only what changed since the last set), keeping the per-tenant data key so crypto-shredding still works. Not built.`,
    `- **Functions instances.** Flex Consumption scales to \`maximumInstanceCount\` (infra/main.bicep, 100) and at most 1 000; ${n0(est.at(-1)!.executionsPerMonth)} executions a month at 100× is about ${n1(est.at(-1)!.executionsPerMonth / (30 * 86_400))} a second: the cap is not what limits.`,
    `- **Service Bus.** ${n0(est.at(-1)!.busOpsPerMonth)} operations a month at 100× is inside Standard's included 13 million; Premium (production, for private endpoints) is a fixed price per messaging unit, and one unit's throughput is far above these rates.`,
    "- **Timers do not grow.** Every timer with nothing due costs the same few empty query pages whether 10 or 100 requests wait (test/e2e/operation-budgets.test.ts), so their cost is flat at every scale.",
    "",
  ];
}

export function renderCapacity(data: CapacityData): string {
  const t = today;
  const est = SCALES.map((s) => estimate(data, s));
  const cell = (f: (e: Estimate) => string) => est.map(f).join(" | ");
  const lines = [
    "# Capacity and cost",
    "",
    "Generated by `npm run capacity` from the store operations each business action made on the local",
    "host (docs/capacity.json, counted by the metered ports, src/adapters/metering); do not edit by hand.",
    "test/unit/capacity-doc.test.ts fails when this file is not what the counts give, and",
    "test/e2e/operation-budgets.test.ts when the code no longer makes those counts.",
    "",
    "## What each action costs",
    "",
    "Per unit of work, counted at the action's 1× size (bench/actions.ts), so fixed costs are included.",
    `RU are estimated from the counts (src/adapters/metering/request-units.ts): point read ${RU.readPerKb} RU/KB, write ${RU.writePerKb} RU/KB, patch or delete ${RU.patchOrDelete} RU, query page ${RU.queryPage} RU (per physical partition when it crosses them) + ${RU.returnedPerKb} RU/KB returned.`,
    "",
    "| Action | Unit | Operations per unit | Documents read | Est. RU per unit |",
    "|---|---|---|---|---|",
    ...Object.entries(data.actions).map(
      ([name, a]) =>
        `| ${name} | ${a.unit} | ${opsCell(a)} | ${n1(a.counts.itemsRead / a.units)} | ${n1(estimatedRequestUnits(a.counts as OperationCounts) / a.units)} |`,
    ),
    "",
    "## Assumptions",
    "",
    "CallMissed's scale today, stated (not measured); 10× and 100× multiply tenants and every daily count,",
    "not the size of a tenant.",
    "",
    "| | today | 10× | 100× |",
    "|---|---|---|---|",
    `| tenants (${n0(t.recordsPerTenant)} platform records each) | ${SCALES.map((s) => n0(t.tenants * s)).join(" | ")} |`,
    `| public requests a day (create + verify) | ${SCALES.map((s) => n0(t.publicRequestsPerDay * s)).join(" | ")} |`,
    `| account deactivations (and, 30 days on, purges) a day | ${SCALES.map((s) => n0(t.deactivationsPerDay * s)).join(" | ")} |`,
    `| WhatsApp-number erasures a day (the number in ${t.tenantsHoldingANumber} tenants) | ${SCALES.map((s) => n0(t.whatsAppErasuresPerDay * s)).join(" | ")} |`,
    `| access exports a day (a whole tenant) | ${SCALES.map((s) => n0(t.exportsPerDay * s)).join(" | ")} |`,
    "| backup sets a day (every tenant) | 1 | 1 | 1 |",
    "",
    `The busiest hour holds the day's backup and exports, ten days' worth of purges falling due together, and requests at five times their hourly average. Each function run is taken as ${t.secondsPerExecution} s on a ${t.instanceGb} GB Flex Consumption instance; a public request makes ${t.extraHttpCallsPerRequest} more HTTP calls than create and verify. Backups: ${t.backupBytesPerRecord} bytes a record after gzip and encryption (the backup bench), ${t.backupSetsKept} daily sets kept (backupRotation). Exports: ${t.exportBytesPerRecord} bytes a record, kept ${t.exportDaysKept} days. The service's own documents: ${t.serviceKbPerRequest} KB a request (request, audit chain, slots, rate windows; 1.5 requests for each public one, counting dashboard and staff requests), kept ${t.serviceYearsKept} years. Session consistency; one region (Central India).`,
    "",
    "## Estimates",
    "",
    "| | today | 10× | 100× |",
    "|---|---|---|---|",
    `| Cosmos RU a day | ${cell((e) => n0(e.ruPerDay))} |`,
    `| Cosmos RU/s, average | ${cell((e) => n1(e.avgRuPerSecond))} |`,
    `| Cosmos RU/s, busiest hour | ${cell((e) => n1(e.peakRuPerSecond))} |`,
    `| Cosmos storage, service database (GB) | ${cell((e) => n1(e.cosmosStorageGb))} |`,
    `| Service Bus operations a month | ${cell((e) => n0(e.busOpsPerMonth))} |`,
    `| Functions executions a month | ${cell((e) => n0(e.executionsPerMonth))} |`,
    `| Blob write/list/read operations a month | ${cell((e) => `${n0(e.blobOpsPerMonth.write)} / ${n0(e.blobOpsPerMonth.list)} / ${n0(e.blobOpsPerMonth.read)}`)} |`,
    `| Blob storage, backups and exports (GB) | ${cell((e) => n1(e.blobGb))} |`,
    "",
    "## Monthly cost (USD, list prices)",
    "",
    "| | today | 10× | 100× |",
    "|---|---|---|---|",
    `| Cosmos serverless (RU consumed) | ${cell((e) => usd(e.cosmosServerless))} |`,
    `| Cosmos autoscale (max RU/s set to the busiest hour) | ${cell((e) => `${usd(e.cosmosAutoscale)} (max ${n0(e.autoscaleMax)})`)} |`,
    `| Cosmos storage | ${cell((e) => usd(e.cosmosStorageGb * prices.cosmosStoragePerGbMonth.usd))} |`,
    `| Service Bus Standard (Premium: ${usd(prices.serviceBusPremiumPerMessagingUnitMonth.usd)} per messaging unit) | ${cell((e) => usd(e.busStandard))} |`,
    `| Functions, Flex Consumption (after the free grant) | ${cell((e) => usd(e.functions))} |`,
    `| Blob Storage (hot, LRS) | ${cell((e) => usd(e.blob))} |`,
    "",
    `Prices: ${prices.checked}. Pages: ${[...new Set(Object.values(prices).flatMap((p) => (typeof p === "object" ? [p.page] : [])))].join(", ")}. They live in scripts/capacity/prices.ts.`,
    "",
    "## The first limit each growth meets",
    "",
    ...limits(data, est),
  ];
  return lines.join("\n");
}
