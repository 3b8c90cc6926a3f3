import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { actions } from "../bench/actions";
import { benchHost } from "../bench/lib";
import { functionTable } from "../src/function-table";
import { type CapacityData, renderCapacity } from "./capacity/model";

/**
 * `npm run capacity`: each business action once at its 1× size on a fresh local host, its store
 * operations written to docs/capacity.json and the capacity model rendered to docs/capacity.md.
 */
async function main() {
  const schedules = new Map(
    functionTable({ includeDev: false }).flatMap((f) =>
      f.trigger === "timer" ? [[f.name, f.schedule]] : [],
    ),
  );
  const data: CapacityData = { actions: {} };
  for (const action of actions) {
    const host = await benchHost();
    try {
      const cost = await action.run(host, action.sizes[0]);
      const timer = /^timer (\S+),/.exec(action.name)?.[1];
      const schedule = timer ? schedules.get(timer) : undefined;
      data.actions[action.name] = {
        unit: action.unit,
        units: cost.units,
        counts: cost.counts,
        ...(schedule ? { schedule } : {}),
      };
      console.error(`measured ${action.name}`);
    } finally {
      await host.stop();
    }
  }
  const docs = join(__dirname, "..", "docs");
  writeFileSync(join(docs, "capacity.json"), `${JSON.stringify(data, null, 2)}\n`);
  writeFileSync(join(docs, "capacity.md"), renderCapacity(data));
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
