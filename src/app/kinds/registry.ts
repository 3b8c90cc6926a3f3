import type { KindRegistry } from "../context";
import { accountErasureKind } from "../account";
import { accessKind } from "../export";
import { consentWithdrawalKind } from "../rights";
import { correctionKind } from "../rights";
import { grievanceKind } from "../rights";
import { nominationKind } from "../rights";
import { whatsappErasureKind } from "../whatsapp-erasure";

/**
 * Every flow of the state machine and the handler of what its kind does beyond the core request flow
 * (src/app/requests/). A new right is its own folder with its handler, and one line here. Built afresh
 * for each AppContext, so replacing an entry (a test's stub) touches that context only.
 */
export function buildKinds(): KindRegistry {
  return {
    access: accessKind,
    correction: correctionKind,
    "erasure:account": accountErasureKind,
    "erasure:whatsapp_number": whatsappErasureKind,
    nomination: nominationKind,
    grievance: grievanceKind,
    consent_withdrawal: consentWithdrawalKind,
  };
}
