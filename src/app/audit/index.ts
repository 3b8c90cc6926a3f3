/** What the rest of the service may use of src/app/audit: everything else is this feature's own. */
export { AnchorLog } from "./anchor-log";
export { AuditLog, type ChainHead, EMPTY_CHAIN, type NewEvent } from "./audit-log";
export { sealCertificate } from "./certificate-seal";
export { sealChangedChains } from "./seal-chains";
