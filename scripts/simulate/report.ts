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

/** The run's exit code: 0 when every promise held, 1 when any broke (the CLI names each). */
export const exitCodeOf = (report: Pick<SimulationReport, "held">): 0 | 1 => (report.held ? 0 : 1);
