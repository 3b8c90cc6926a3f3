import type { Checked } from "./checks";
import type { PromiseResult, SlackSample } from "./checks/promises";
import type { FaultRecord, Faults } from "./faults";
import { FAULT_KINDS, type SimulationOptions } from "./options";
import type { World } from "./world";

export const REPORT_FORMAT = "dpdp-rights/simulation-report@1";

export interface SlackSummary {
  count: number;
  worstHours: number;
  medianHours: number;
}

export interface RunCost {
  clockMoves: number;
  clockCalls: number;
  moveSeconds: number;
  checkSeconds: number;
  timers: Record<string, { runs: number; seconds: number }>;
  deliveries: Record<string, { runs: number; seconds: number }>;
  /** Documents per container at the end: every emulator query scans its whole container. */
  documents: Record<string, number>;
  /** Documents of the service's containers deleted by their `ttl` (the emulator has none; ./ttl.ts models it). */
  expiredByTimeToLive: number;
  /** The store operations the service made (its operation meter: queries, writes, blob calls). */
  operations: Record<string, number>;
}

export interface FaultSummary {
  injected: number;
  recovered: number;
  by: Record<string, number>;
}

/** simulation-report.json: what ran, what was checked, what held (docs/simulation.md reads it field by field). */
export interface SimulationReport {
  format: typeof REPORT_FORMAT;
  held: boolean;
  brokenPromises: string[];
  seed: number;
  options: SimulationOptions;
  simulated: { from: string; to: string; trafficDays: number; settleDays: number };
  runSeconds: number;
  /** Where the run's wall time went: clock moves, each timer's runs, each queue's deliveries, the checks. */
  cost: RunCost;
  /** The service's warnings and errors by event (what Azure Monitor's alerts count), instead of printed. */
  alerts: Record<string, number>;
  tenants: number;
  requests: Record<string, number>;
  promises: PromiseResult[];
  promisesChecked: number;
  promisesHeld: number;
  slack: Record<string, SlackSummary>;
  slackSamples: SlackSample[];
  openPerDay: World["openPerDay"];
  faults: Record<string, FaultSummary>;
  faultRecords: FaultRecord[];
  backupSets: number;
  chainsVerified: number;
  reactivations: World["reactivations"];
  restores: World["restores"];
  breaches: World["breaches"];
}

function summarise(samples: SlackSample[]): Record<string, SlackSummary> {
  const out: Record<string, SlackSummary> = {};
  const kinds = [...new Set(samples.map((s) => s.kind))].sort();
  for (const kind of kinds) {
    const hours = samples
      .filter((s) => s.kind === kind)
      .map((s) => s.slackHours)
      .sort((a, b) => a - b);
    const round = (n: number) => Math.round(n * 100) / 100;
    out[kind] = {
      count: hours.length,
      worstHours: round(hours[0]!),
      medianHours: round(hours[Math.floor(hours.length / 2)]!),
    };
  }
  return out;
}

export function buildReport(input: {
  options: SimulationOptions;
  world: World;
  faults: Faults;
  checked: Checked;
  traffic: Record<string, number>;
  start: number;
  end: number;
  runSeconds: number;
  cost: RunCost;
  alerts: Record<string, number>;
}): SimulationReport {
  const { options, world, faults, checked } = input;
  const byKind: Record<string, FaultSummary> = {};
  for (const kind of FAULT_KINDS) byKind[kind] = { injected: 0, recovered: 0, by: {} };
  for (const f of faults.records) {
    const s = byKind[f.kind]!;
    s.injected += 1;
    if (f.recovered) {
      s.recovered += 1;
      s.by[f.recoveredBy] = (s.by[f.recoveredBy] ?? 0) + 1;
    }
  }
  const broken = checked.promises.filter((p) => !p.held);
  const trafficDays = Math.min(options.days, world.openPerDay.length);
  return {
    format: REPORT_FORMAT,
    held: broken.length === 0,
    brokenPromises: broken.map((p) => p.id),
    seed: options.seed,
    options,
    simulated: {
      from: new Date(input.start).toISOString(),
      to: new Date(input.end).toISOString(),
      trafficDays,
      settleDays: Math.max(0, world.openPerDay.length - options.days),
    },
    runSeconds: Math.round(input.runSeconds * 10) / 10,
    cost: input.cost,
    alerts: input.alerts,
    tenants: world.tenants.length,
    requests: input.traffic,
    promises: checked.promises,
    promisesChecked: checked.promises.length,
    promisesHeld: checked.promises.length - broken.length,
    slack: summarise(checked.slack),
    slackSamples: checked.slack,
    openPerDay: world.openPerDay,
    faults: byKind,
    faultRecords: faults.records,
    backupSets: checked.backupSets,
    chainsVerified: checked.chains,
    reactivations: world.reactivations,
    restores: world.restores,
    breaches: world.breaches,
  };
}

/** Wall time spent per name, in seconds to a tenth. */
export function seconds(ms: Record<string, { runs: number; ms: number }>): RunCost["timers"] {
  return Object.fromEntries(
    Object.entries(ms)
      .sort(([, a], [, b]) => b.ms - a.ms)
      .map(([name, { runs, ms }]) => [name, { runs, seconds: Math.round(ms / 100) / 10 }]),
  );
}

/** The run's exit code: 0 when every promise held, 1 when any broke (the CLI names each). */
export const exitCodeOf = (report: Pick<SimulationReport, "held">): 0 | 1 => (report.held ? 0 : 1);
