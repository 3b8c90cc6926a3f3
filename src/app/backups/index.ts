/** What the rest of the service may use of src/app/backups: everything else is this feature's own. */
export {
  BACKUP_CONTAINER,
  type BackupSet,
  type BackupSetTenant,
  blobContext,
  listSets,
  readSet,
  readSetTenant,
  SET_ID,
} from "./catalogue";
export { BackupIntegrityError, SegmentDecryptor } from "./crypto-stream";
export { activeBackupsHolding, lastRotationOf } from "./holdings";
export { setProgress } from "./job";
export { dataKeyForRestore, shredTenantKey, tenantKeyShreddedAt } from "./keys";
export { reconcileBackups } from "./reconcile";
export { rotateSet } from "./rotate";
export { BACKUP_AUDIT, RotationMessage, runBackupSetJob, startBackup, takeScheduledBackup } from "./take";
