/** What the rest of the service may use of src/app/export: everything else is this feature's own. */
export { accessKind } from "./access-kind";
export { expireExport, ExportExpiryMessage, reconcileExports } from "./expiry";
export { EXPORT_CONTAINER, ExportJobs } from "./job";
export { exportView, getExportLink } from "./link";
export { auditRefusals } from "./refusals";
