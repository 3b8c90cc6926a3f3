import { z } from "zod";
import { applyCorrectionsInTenant, Correction } from "../../rights";
import type { Handler } from "./types";

const VALUES_GONE =
  "The corrected values were swept from the request under their retention period: they could not be written again. Check the restored records and correct them again if they hold the old values.";

/**
 * A correction made after the set, written again to the restored tenant's records only (the account and
 * the owner's member record; or the tenant's conversations with the number). The values are on the
 * completed request (`details.corrections`); when they have been swept since, the answer says so.
 * Records changed: those of each category where a value differed from the correction's.
 */
export const reapplyCorrection: Handler = async ({ app, tenantId }, decision) => {
  const request = decision.request;
  if (!request) return { records: 0 };
  const corrections = z.array(Correction).min(1).safeParse(request.details.corrections);
  if (!corrections.success) return { records: 0, outcome: "values_gone", note: VALUES_GONE };
  const { changes } = await applyCorrectionsInTenant(app, request, corrections.data, tenantId);
  const changed = new Map<string, number>();
  for (const c of changes) {
    if (c.beforeHashes.some((h) => h !== c.afterHash)) changed.set(c.category, c.records);
  }
  return { records: [...changed.values()].reduce((a, b) => a + b, 0) };
};
