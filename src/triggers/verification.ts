import { sweepUnverified } from "../app/requests/verification-timers";
import type { TimerFunction } from "../function-table";

/** Hourly: the verification reminders and expiries whose scheduled message never came. Counts only. */
export const verificationSweepTimer: TimerFunction = {
  trigger: "timer",
  name: "sweepUnverified",
  schedule: "0 50 * * * *",
  async handle(rt) {
    const report = await sweepUnverified(rt.app);
    console.log(JSON.stringify({ level: "info", fn: "sweepUnverified", ...report }));
  },
};
