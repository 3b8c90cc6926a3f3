import { reconcileExports } from "../app/export/expiry";
import type { TimerFunction } from "../function-table";

/**
 * Hourly safety net of the access export: packages past their expiry whose message was lost are
 * deleted; stalled or never-started exports run again. Counts only in the log.
 */
export const reconcileExportsTimer: TimerFunction = {
  trigger: "timer",
  name: "reconcileExports",
  schedule: "0 20 * * * *",
  async handle(rt) {
    const report = await reconcileExports(rt.app);
    console.log(JSON.stringify({ level: "info", fn: "reconcileExports", ...report }));
  },
};
