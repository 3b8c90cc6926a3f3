/** What the rest of the service may use of src/app/retention: everything else is this feature's own. */
export { dropDeadLetteredNotices } from "./notice-dead-letters";
export { sweepOwnRecords } from "./own-records";
export { pastRetention, runDailyRetentionSweep } from "./sweep";
