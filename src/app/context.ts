import type { Inventory } from "../domain/inventory/schema";
import type { Policy } from "../domain/policy/periods";
import type { FlowKey } from "../domain/requests/state-machine";
import type { RequestDoc, RequestStatus } from "../domain/requests/model";
import type { Ports } from "../ports";

/**
 * What a kind does once its request may run (export, purge, record a withdrawal…). `step` names the
 * stage reached, so a failure says where it stopped and a retry resumes there. `runsIn`: the only
 * statuses it does anything in, when that is not every status it is asked in (a correction runs once
 * staff approved it): asked in another, no run is queued at all (src/app/requests/execution.ts).
 */
export type Executor = ((
  app: AppContext,
  request: RequestDoc,
  step: (name: string) => void,
) => Promise<void>) & {
  runsIn?: readonly RequestStatus[];
};

export interface AppKeys {
  /** Keyed hashes of numbers, emails, client addresses and actors. */
  hash: Buffer;
  /** Seals the contact addresses notices must reach. */
  seal: Buffer;
  /** Keys the hashes of one-time codes. */
  code: Buffer;
}

export interface AppContext {
  ports: Ports;
  inventory: Inventory;
  keys: AppKeys;
  settings: {
    dpoContact: string;
    privacyOfficerEmail: string;
    /**
     * Days Cosmos DB continuous backup keeps the service's database restorable to a point in time
     * (COSMOS_BACKUP_TIER, the same Bicep value as the account's backup policy): a destroyed backup key
     * document can come back that long (docs/audit-anchoring.md, the certificate's `residualUntil`).
     */
    cosmosRestoreWindowDays: number;
  };
  /**
   * The periods in use (defaults of src/domain/policy/periods.ts with RETENTION_OVERRIDES applied):
   * `app.policy.deadline(now, "erasureCompletion")`, `app.policy.periods.extensionCeiling`.
   */
  policy: Policy;
  /** Filled by later capabilities; a kind without one waits in its status for staff or a timer. */
  executors: Partial<Record<FlowKey, Executor>>;
}
