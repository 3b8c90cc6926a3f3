import { reconcileBreachReminders } from "../app/breach";
import { acknowledgePendingGrievances } from "../app/rights";
import { invocationOf, type TimerFunction } from "../function-types";

/**
 * Hourly safety net of the rights clocks: grievances whose acknowledgement could not be sent are tried
 * again (a late one shows in the SLA view), and breach reminders whose scheduled message was lost are
 * sent. Counts only in the log: never a name, number or email.
 */
export const rightsSweepTimer: TimerFunction = {
  trigger: "timer",
  name: "rightsSweep",
  schedule: "0 40 * * * *",
  async handle(rt, invocation) {
    const { log } = invocationOf(rt, "rightsSweep", invocation);
    const grievances = await acknowledgePendingGrievances(rt.app);
    const breaches = await reconcileBreachReminders(rt.app);
    log.info("swept", {
      grievancesUnacknowledged: grievances.pending,
      grievancesAcknowledged: grievances.acknowledged,
      openBreaches: breaches.open,
      remindersSent: breaches.sent,
    });
  },
};
