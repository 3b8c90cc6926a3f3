/** What the rest of the service may use of src/app/breach: everything else is this feature's own. */
export { BREACH_ID, type BreachDoc, BreachStore, breachView } from "./model";
export {
  breachTextsFor,
  getBreach,
  listBreaches,
  recordBoardReport,
  registerBreach,
  sendBreachNotices,
  writeBreachTexts,
} from "./register";
export { BreachReminderMessage, reconcileBreachReminders, remindBreach } from "./reminders";
export { boardReport, boardReportHtml } from "./report";
