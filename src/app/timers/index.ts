/** What the rest of the service may use of src/app/timers: everything else is this feature's own. */
export { dispatchRequestTimer } from "./request-timers";
