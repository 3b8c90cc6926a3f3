import type { RequestDoc } from "../../domain/requests/model";
import type { Run } from "../operations";
import type { AppContext } from "../context";
import { handlerOf } from "../requests";
import { catalogue } from "./catalogue";
import { activeBackupsHolding, holdingId } from "./holdings";
import { tenantPartition } from "../../domain/storage/partition-keys";

/** The catalogue subject of an erasure request: `tenant:<id>` for an account, its partition otherwise. */
export const subjectOf = (r: RequestDoc) =>
  r.scope.type === "account" ? tenantPartition(r.scope.tenantId) : r.pk;

export interface CompletionReport {
  waiting: number;
  completed: number;
  failed: number;
}

/**
 * Erasure requests that are `purged` (primary data gone) wait for every backup set holding their
 * subject to rotate out (DESIGN §4). This completes those no set holds any more: an account erasure
 * through its certificate (which records the last rotation), a WhatsApp-number erasure through its
 * executor. With `setId`, only requests whose subject that set held (the set that just rotated).
 * A request with a recorded failure is left to its own retry.
 */
export async function completeWaitingErasures(
  app: AppContext,
  options: { setId?: string; run?: Run } = {},
): Promise<CompletionReport> {
  const store = app.stores.requests;
  const waiting: RequestDoc[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await store.list({
      where: [
        { field: "kind", op: "=", value: "erasure" },
        { field: "status", op: "=", value: "purged" },
      ],
      limit: 200,
      ...(continuationToken ? { continuationToken } : {}),
    });
    waiting.push(...page.items);
    continuationToken = page.continuationToken;
  } while (continuationToken);
  const report: CompletionReport = { waiting: 0, completed: 0, failed: 0 };
  for (const r of waiting) {
    if (r.failure) continue;
    const subject = subjectOf(r);
    if (options.setId && !(await catalogue(app).read(holdingId(options.setId, subject), subject))) continue;
    report.waiting++;
    if ((await activeBackupsHolding(app, subject)).length > 0) continue;
    try {
      // Its kind finishes it: an account erasure through its certificate, a number's through its executor.
      await handlerOf(app, r).afterBackupsRotated?.(app, r);
      if ((await store.get(r.id)).status === "completed") report.completed++;
    } catch (e) {
      // Kept, not thrown: one request must not stop the others; reconciliation tries again.
      report.failed++;
      options.run?.fail({ requestId: r.id }, "complete_after_backups", e);
    }
  }
  return report;
}
