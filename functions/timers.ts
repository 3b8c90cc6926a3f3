import { app } from "@azure/functions";
import type { FunctionEntry } from "../src/function-table";
import { functionTable } from "../src/function-table";
import type { Runtime } from "../src/runtime";
import { getRuntime } from "./runtime";

type TimerApp = Pick<typeof app, "timer">;

export function registerTimers(
  target: TimerApp,
  table: FunctionEntry[],
  runtime: () => Promise<Runtime>,
): void {
  for (const fn of table) {
    if (fn.trigger !== "timer") continue;
    target.timer(fn.name, {
      schedule: fn.schedule,
      runOnStartup: false,
      handler: async () => fn.handle(await runtime()),
    });
  }
}

registerTimers(app, functionTable({ includeDev: false }), getRuntime);
