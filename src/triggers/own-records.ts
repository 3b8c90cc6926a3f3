import { dropDeadLetteredNotices } from "../app/retention";
import { sweepOwnRecords } from "../app/retention";
import { invocationOf, type TimerFunction } from "../function-types";

/**
 * Hourly: the service's own records of people lose each value past its period (correction values,
 * grievance texts, nominee details, evidence references, free text, addresses; src/app/retention/
 * own-records.ts). Counts and failed items in the run record and the log.
 */
export const ownRecordsSweepTimer: TimerFunction = {
  trigger: "timer",
  name: "ownRecordsSweep",
  schedule: "0 50 * * * *",
  async handle(rt, invocation) {
    const inv = invocationOf(rt, "ownRecordsSweep", invocation);
    const summary = await sweepOwnRecords(rt.app, { by: "timer", ...inv });
    // Requests left alone under a legal hold: a count, not which (the run record has the rest).
    inv.log.info("held", { held: summary.held });
  },
};

/**
 * Every 10 minutes (the notices' time-to-live): dead-lettered notices are dropped from the
 * `notifications` dead-letter sub-queue, so no address or code waits there.
 */
export const noticeDeadLettersTimer: TimerFunction = {
  trigger: "timer",
  name: "dropDeadLetteredNotices",
  schedule: "0 */10 * * * *",
  async handle(rt, invocation) {
    const { log } = invocationOf(rt, "dropDeadLetteredNotices", invocation);
    const { dropped } = await dropDeadLetteredNotices(rt.app);
    log.info("dropped", { dropped });
  },
};
