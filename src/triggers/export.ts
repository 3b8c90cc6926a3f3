import { reconcileExports } from "../app/export";
import { invocationOf, type TimerFunction } from "../function-types";

/**
 * Hourly safety net of the access export: packages past their expiry whose message was lost are
 * deleted; stalled or never-started exports run again. Counts and failed items in the run record.
 */
export const reconcileExportsTimer: TimerFunction = {
  trigger: "timer",
  name: "reconcileExports",
  schedule: "0 20 * * * *",
  async handle(rt, invocation) {
    await reconcileExports(rt.app, invocationOf(rt, "reconcileExports", invocation));
  },
};
