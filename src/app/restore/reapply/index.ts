import { z } from "zod";
import { type ReapplyHandler, requestDecisions } from "../../../domain/inventory/lasting-decisions";
import { addRefused, RefusedReference } from "../../../domain/storage/record-references";
import { reapplyConsentWithdrawal } from "./consent-withdrawal";
import { reapplyCorrection } from "./correction";
import { reapplyDeactivation } from "./deactivation";
import { reapplyKeyRevocation } from "./key-revocation";
import { reapplyNumberErasure } from "./number-erasure";
import { reapplyReactivation } from "./reactivation";
import type { FoundDecision, Handler, ReapplyContext } from "./types";

export { decisionsSince } from "./sources";
export type { RestoredIndex } from "./types";

/** Every handler the list of lasting decisions names: a name without one here fails to compile. */
const HANDLERS: Record<ReapplyHandler, Handler> = {
  number_erasure: reapplyNumberErasure,
  key_revocation: reapplyKeyRevocation,
  deactivation: reapplyDeactivation,
  reactivation: reapplyReactivation,
  correction: reapplyCorrection,
  consent_withdrawal: reapplyConsentWithdrawal,
};

/** One decision in a restore's answer: what it was, when it was made, how the restore honoured it. */
export const ReappliedDecision = z
  .object({
    /** `<request kind>:<scope>`, as the list of lasting decisions names it. */
    kind: z.string(),
    handler: z.string().optional(),
    requestId: z.string(),
    jobId: z.string().optional(),
    madeAt: z.string(),
    /**
     * `reapplied`: applied again to the restored records; `outside_backup`: held in the service's own
     * store, which a restore does not touch; `values_gone`: its values were swept, nothing was applied.
     */
    honoured: z.enum(["reapplied", "outside_backup", "values_gone"]),
    /** Records of the tenant the re-application changed (0: the restored records already honoured it). */
    records: z.number().int().min(0),
    note: z.string().optional(),
  })
  .strict();
export type ReappliedDecision = z.infer<typeof ReappliedDecision>;

/**
 * Runs each decision's handler on the restored tenant, one after another in the order the decisions
 * were made (a later correction of a field wins over an earlier one, as it did). Returns what each did
 * and every reference refused on the way.
 */
export async function reapplyDecisions(
  ctx: ReapplyContext,
  decisions: readonly FoundDecision[],
): Promise<{ reapplied: ReappliedDecision[]; refusedReferences: RefusedReference[] }> {
  const reapplied: ReappliedDecision[] = [];
  let refusedReferences: RefusedReference[] = [];
  for (const d of decisions) {
    const base = {
      kind: d.key,
      requestId: d.requestId,
      ...(d.jobId ? { jobId: d.jobId } : {}),
      madeAt: d.madeAt,
    };
    if (!d.handler) {
      const honoured = requestDecisions[d.key];
      reapplied.push({
        ...base,
        honoured: "outside_backup",
        records: 0,
        ...(honoured.how === "outside_backup" ? { note: honoured.why } : {}),
      });
      continue;
    }
    const result = await HANDLERS[d.handler](ctx, d);
    for (const r of result.refused ?? [])
      refusedReferences = addRefused(refusedReferences, r.category, r.field, r.count);
    reapplied.push({
      ...base,
      handler: d.handler,
      honoured: result.outcome ?? "reapplied",
      records: result.records,
      ...(result.note ? { note: result.note } : {}),
    });
  }
  return { reapplied, refusedReferences };
}
