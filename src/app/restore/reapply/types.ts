import type { DecisionKey, ReapplyHandler } from "../../../domain/inventory/lasting-decisions";
import type { RequestDoc } from "../../../domain/requests/model";
import type { RefusedReference } from "../../../domain/storage/record-references";
import type { AppContext } from "../../context";

/** One decision made after a set's time, as a restore finds it. */
export interface FoundDecision {
  key: DecisionKey;
  requestId: string;
  /** The checkpoint the decision was found on (a WhatsApp-number erasure's job). */
  jobId?: string;
  /** When it took effect on the platform's records: the order a restore re-applies decisions in. */
  madeAt: string;
  /** The handler to run; none for a decision held outside the backup (it is only named). */
  handler?: ReapplyHandler;
  /** The request, for handlers that re-apply what it recorded (corrections, withdrawals). */
  request?: RequestDoc;
  /** The erased number's keyed hash (number erasures). */
  numberHash?: string;
}

/** What a restore wrote back that a handler needs to know: ids per category, numbers held. */
export interface RestoredIndex {
  /** Ids of the records written back, for the categories deactivation acts on. */
  ids: Map<string, Set<string>>;
  /** Keyed hashes of the WhatsApp numbers found on the records written back. */
  numberHashes: Set<string>;
}

export interface ReapplyContext {
  app: AppContext;
  tenantId: string;
  takenAt: string;
  restored: RestoredIndex;
}

export interface HandlerResult {
  /** Records the handler changed (0 when the restored records already honoured the decision). */
  records: number;
  /** `values_gone`: what the decision recorded was swept since, so it could not be applied again. */
  outcome?: "values_gone";
  note?: string;
  /** References it refused to follow (another tenant's storage): counts only. */
  refused?: RefusedReference[];
}

/** Re-applies one decision to the restored tenant's records only; idempotent. */
export type Handler = (ctx: ReapplyContext, decision: FoundDecision) => Promise<HandlerResult>;
