import { dropDeadLetteredNotices } from "../app/retention/notice-dead-letters";
import { sweepOwnRecords } from "../app/retention/own-records";
import type { TimerFunction } from "../function-table";

/**
 * Hourly: the service's own records of people lose each value past its period (correction values,
 * grievance texts, nominee details, evidence references, free text, addresses; src/app/retention/
 * own-records.ts). Counts only in the log.
 */
export const ownRecordsSweepTimer: TimerFunction = {
  trigger: "timer",
  name: "ownRecordsSweep",
  schedule: "0 50 * * * *",
  async handle(rt) {
    const summary = await sweepOwnRecords(rt.app, { by: "timer" });
    console.log(
      JSON.stringify({
        level: "info",
        fn: "ownRecordsSweep",
        counts: summary.counts,
        adopted: summary.adopted,
        held: summary.held,
        failed: summary.failed,
      }),
    );
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
  async handle(rt) {
    const { dropped } = await dropDeadLetteredNotices(rt.app);
    console.log(JSON.stringify({ level: "info", fn: "dropDeadLetteredNotices", dropped }));
  },
};
