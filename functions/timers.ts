import { app, type InvocationContext } from "@azure/functions";
import { invocationContextLogger } from "../src/adapters/logging/invocation-context";
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
      // The host's invocation context logs, so each line reaches Application Insights with its invocation.
      handler: async (_timer: unknown, ctx: InvocationContext) =>
        fn.handle(await runtime(), { invocationId: ctx.invocationId, log: invocationContextLogger(ctx) }),
    });
  }
}

registerTimers(app, functionTable({ includeDev: false }), getRuntime);
