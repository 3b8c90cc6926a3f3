/** What the rest of the service may use of src/app/account: everything else is this feature's own. */
export { certificateProof } from "./certificate-proof";
export { getCertificate } from "./certificate";
export { readSnapshot } from "./deactivation-snapshot";
export { accountErasureKind } from "./erasure-kind";
export { purgeAccount, PurgeMessage } from "./purge";
export { reactivateAccount } from "./reactivate";
export { reconcileAccountPurges } from "./reconcile";
export { type BlobEntry, type CosmosEntry, isBlob, isCosmos, platformCollection } from "./tenant-records";
