import { sweepUnverified } from "../app/requests";
import { invocationOf, type TimerFunction } from "../function-types";

/** Hourly: the verification reminders and expiries whose scheduled message never came. Counts only. */
export const verificationSweepTimer: TimerFunction = {
  trigger: "timer",
  name: "sweepUnverified",
  schedule: "0 50 * * * *",
  async handle(rt, invocation) {
    await sweepUnverified(rt.app, invocationOf(rt, "sweepUnverified", invocation));
  },
};
