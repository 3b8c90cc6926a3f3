import { DomainError } from "../../domain/errors";
import type { RequestDoc } from "../../domain/requests/model";
import type { AppContext, Executor } from "../context";
import { forEachLimit } from "../util";
import { applyAction } from "../requests";
import { takeSnapshot } from "./deactivation-snapshot";
import { ensurePurgeScheduled, purgeAccount } from "./purge";
import { isCosmos, platformCollection } from "./tenant-records";

const CONCURRENCY = 8;

/**
 * The immediate effects (Account Deletion §3): the account disabled, every API key revoked, every bot
 * stopped, every member's access removed, as the inventory's `onDeactivation` says. Idempotent.
 */
export async function applyDeactivation(
  app: AppContext,
  requestId: string,
  tenantId: string,
): Promise<number> {
  const snapshot = await takeSnapshot(app, requestId, tenantId);
  const byCategory = new Map(app.inventory.filter(isCosmos).map((e) => [e.category, e]));
  await forEachLimit(snapshot.records, CONCURRENCY, async (r) => {
    const entry = byCategory.get(r.category);
    if (!entry?.onDeactivation) return;
    await platformCollection(app, entry).patch(r.id, tenantId, [
      { op: "set", path: entry.onDeactivation.field, value: entry.onDeactivation.value },
    ]);
  });
  return snapshot.records.length;
}

function tenantOf(request: RequestDoc): string {
  if (request.scope.type !== "account") throw new DomainError("invalid", "Not an account erasure request.");
  return request.scope.tenantId;
}

/**
 * What a verified account-erasure request does, resumable at every step: deactivate before the
 * response returns, then the purge timer at deactivation + 30 days. Run again (retry, release of a
 * legal hold, reconciliation) it picks up where the request stands.
 */
export const accountErasureExecutor: Executor = async (app, request, step) => {
  const tenantId = tenantOf(request);
  let current = request;
  if (current.status === "verified") {
    step("deactivate");
    const touched = await applyDeactivation(app, current.id, tenantId);
    current = await applyAction(
      app,
      current.id,
      "deactivate",
      { kind: "system" },
      {
        data: { recordsChanged: touched },
        change: (doc, now) => {
          doc.account ??= {
            deactivatedAt: now.toISOString(),
            purgeDueAt: app.policy.deadline(now, "accountRetentionWindow").toISOString(),
          };
        },
      },
    );
  }
  if (current.status === "deactivated" && current.account) {
    if (Date.parse(current.account.purgeDueAt) <= app.ports.clock.now().getTime()) {
      step("purge");
      await purgeAccount(app, current.id);
      return;
    }
    step("schedule_purge");
    await ensurePurgeScheduled(app, current);
  } else if (current.status === "purging") {
    step("purge");
    await purgeAccount(app, current.id);
  }
};
