/** What the rest of the service may use of src/app/operations: everything else is this feature's own. */
export {
  FailureRecordedOnRequest,
  type Run,
  RUN_ID,
  type RunDoc,
  type RunOptions,
  startRun,
} from "./run-record";
export { listRuns, readRun } from "./runs";
