import { reconcileBreachReminders } from "../app/breach";
import { flushStrandedAuditOutboxes } from "../app/requests";
import { acknowledgePendingGrievances } from "../app/rights";
import { invocationOf, type TimerFunction } from "../function-types";

/**
 * Hourly safety net of the rights clocks: grievances whose acknowledgement could not be sent are tried
 * again (a late one shows in the SLA view), breach reminders whose scheduled message was lost are
 * sent, and audit events a failed write left staged on a request reach its chain. Counts only in the
 * log: never a name, number or email.
 */
export const rightsSweepTimer: TimerFunction = {
  trigger: "timer",
  name: "rightsSweep",
  schedule: "0 40 * * * *",
  async handle(rt, invocation) {
    const { log } = invocationOf(rt, "rightsSweep", invocation);
    const grievances = await acknowledgePendingGrievances(rt.app);
    const breaches = await reconcileBreachReminders(rt.app);
    const outboxes = await flushStrandedAuditOutboxes(rt.app);
    log.info("swept", {
      grievancesUnacknowledged: grievances.pending,
      grievancesAcknowledged: grievances.acknowledged,
      openBreaches: breaches.open,
      remindersSent: breaches.sent,
      auditEventsFlushed: outboxes.flushed,
      auditFlushesFailed: outboxes.failed,
    });
  },
};
