import { reapplyWithdrawalInTenant } from "../../rights";
import type { Handler } from "./types";

/**
 * A consent withdrawal made after the set: the restored tenant's consent records of the subject (the
 * account's own, or the number's) are marked withdrawn again from the time it took effect. Records
 * already withdrawn are left as they are.
 */
export const reapplyConsentWithdrawal: Handler = async ({ app, tenantId }, decision) => {
  if (!decision.request) return { records: 0 };
  return { records: await reapplyWithdrawalInTenant(app, decision.request, tenantId) };
};
