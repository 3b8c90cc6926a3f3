import type { FlowKey } from "../domain/requests/state-machine";
import type { Executor } from "./context";
import { accountErasureExecutor } from "./account/deactivate";
import { accessExportExecutor } from "./export/executor";
import { whatsappErasureExecutor } from "./whatsapp-erasure/executor";
import { consentWithdrawalExecutor } from "./rights/consent";
import { correctionExecutor } from "./rights/correction";
import { nominationExecutor } from "./rights/nomination";

/**
 * What each kind of request does once it may run, one entry per capability. A kind without one waits
 * in its status for staff (approve/complete) or for a timer.
 */
export function buildExecutors(): Partial<Record<FlowKey, Executor>> {
  return {
    "erasure:account": accountErasureExecutor,
    "erasure:whatsapp_number": whatsappErasureExecutor,
    access: accessExportExecutor,
    correction: correctionExecutor,
    nomination: nominationExecutor,
    consent_withdrawal: consentWithdrawalExecutor,
  };
}
