import { OPERATIONS, type OperationCounts } from "../src/adapters/metering/operation-meter";
import { estimatedRequestUnits } from "../src/adapters/metering/request-units";
import { type Action, type ActionCost, actions } from "./actions";
import { benchHost, fmt } from "./lib";

/** The counts of one action at both sizes, as the capacity model and the growth table read them. */
export interface ActionMeasure {
  action: string;
  unit: string;
  size: string;
  sizes: readonly [number, number];
  runs: [ActionCost, ActionCost];
}

const short: Record<string, string> = {
  "cosmos.pointRead": "read",
  "cosmos.write": "write",
  "cosmos.patch": "patch",
  "cosmos.delete": "del",
  "cosmos.partitionDelete": "pdel",
  "cosmos.queryPage": "q",
  "cosmos.crossPartitionQueryPage": "xq",
  "blob.read": "bR",
  "blob.write": "bW",
  "blob.list": "bL",
  "blob.delete": "bD",
  "bus.scheduled": "sched",
  "bus.cancelled": "cancel",
  "bus.sent": "sent",
  "bus.received": "recv",
  "keyvault.wrap": "wrap",
  "keyvault.unwrap": "unwrap",
};

/** "read 3, write 5, q 1 …" per unit of work, zero counts left out. */
export function perUnit(cost: ActionCost): string {
  const parts = OPERATIONS.filter((o) => cost.counts.ops[o] > 0).map(
    (o) => `${short[o]} ${fmt(cost.counts.ops[o] / cost.units, cost.units === 1 ? 0 : 1)}`,
  );
  if (cost.counts.itemsRead)
    parts.push(`items ${fmt(cost.counts.itemsRead / cost.units, cost.units === 1 ? 0 : 1)}`);
  return parts.join(", ") || "nothing";
}

export const requestUnitsPerUnit = (cost: ActionCost) => estimatedRequestUnits(cost.counts) / cost.units;
const totalOps = (c: OperationCounts) => OPERATIONS.reduce((a, o) => a + c.ops[o], 0) + c.itemsRead;

/** Each action on a fresh local host, at 1× then 10× its size. */
export async function measureActions(only?: (a: Action) => boolean): Promise<ActionMeasure[]> {
  const out: ActionMeasure[] = [];
  for (const action of actions) {
    if (only && !only(action)) continue;
    const host = await benchHost();
    try {
      const small = await action.run(host, action.sizes[0]);
      const large = await action.run(host, action.sizes[1]);
      out.push({
        action: action.name,
        unit: action.unit,
        size: action.size,
        sizes: action.sizes,
        runs: [small, large],
      });
    } finally {
      await host.stop();
    }
  }
  return out;
}

/**
 * The growth table (issue 17 item 5): per unit of work, at 1× and 10×, the operations and estimated RU
 * and time; growth is the 10× run's cost per unit over the 1× run's. Above 1 means an action costs more
 * per unit as the world grows: a scan where an index or a point read would do.
 */
export function printGrowth(measures: ActionMeasure[]): void {
  console.log(
    "\nStore operations per unit of work, at 1× and 10× the size (estimated RU: src/adapters/metering/request-units.ts)",
  );
  for (const m of measures) {
    const [a, b] = m.runs;
    const growth = (x: number, y: number) => (x === 0 ? (y === 0 ? 1 : Infinity) : y / x);
    const opsGrowth = growth(totalOps(a.counts) / a.units, totalOps(b.counts) / b.units);
    const ruGrowth = growth(requestUnitsPerUnit(a), requestUnitsPerUnit(b));
    console.log(`  ${m.action} (per ${m.unit}; size = ${m.size}: ${m.sizes[0]} → ${m.sizes[1]})`);
    console.log(`    1×   ${fmt(a.ms / a.units, 1)} ms, ${fmt(requestUnitsPerUnit(a), 1)} RU: ${perUnit(a)}`);
    console.log(`    10×  ${fmt(b.ms / b.units, 1)} ms, ${fmt(requestUnitsPerUnit(b), 1)} RU: ${perUnit(b)}`);
    console.log(
      `    growth per unit: operations ${fmt(opsGrowth, 2)}×, RU ${fmt(ruGrowth, 2)}×, time ${fmt(b.ms / b.units / (a.ms / a.units), 2)}×${opsGrowth > 1.25 ? "  ← grows faster than its work" : ""}`,
    );
  }
}
