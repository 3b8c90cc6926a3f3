/** What the rest of the service may use of src/app/restore: everything else is this feature's own. */
export { ReappliedDecision } from "./reapply/index";
export { restoreTenant } from "./restore";
