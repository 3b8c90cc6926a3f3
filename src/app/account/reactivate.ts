import { DomainError, forbidden, notFound } from "../../domain/errors";
import type { RequestDoc } from "../../domain/requests/model";
import type { Caller } from "../caller";
import type { AppContext } from "../context";
import { forEachLimit } from "../util";
import { actorOf, applyAction } from "../requests";
import { markRestored, readSnapshot } from "./deactivation-snapshot";
import { cancelPurgeMessage } from "./purge";
import { isCosmos, platformCollection } from "./tenant-records";
import { tenantPartition } from "../../domain/storage/partition-keys";

export interface ReactivationResult {
  request: RequestDoc;
  restored: Record<string, number>;
  /** API keys stay revoked (Account Deletion §6): the owner must generate new ones. */
  apiKeysRevoked: number;
}

/**
 * The newest account erasure that deactivated the account. The first item of the query is wanted, but
 * not from the first page alone: a Cosmos page may be empty while a later one holds it (DESIGN §9).
 */
async function latestAccountErasure(app: AppContext, tenantId: string): Promise<RequestDoc | undefined> {
  return app.stores.requests.first({
    partitionKey: tenantPartition(tenantId),
    where: [
      { field: "kind", op: "=", value: "erasure" },
      { field: "scope.type", op: "=", value: "account" },
      { field: "account.deactivatedAt", op: "defined" },
    ],
    orderBy: { field: "createdAt", direction: "desc" },
  });
}

/**
 * Reactivation inside the 30-day window (Account Deletion §6), by support or the privacy officer:
 * the request is cancelled first (ETag-guarded against a purge starting), then the scheduled purge is
 * cancelled and everything deactivation changed is restored, except API keys. Safe to repeat: a
 * reactivation that stopped half-way finishes the restore.
 */
export async function reactivateAccount(
  app: AppContext,
  caller: Caller,
  tenantId: string,
  reason: string,
): Promise<ReactivationResult> {
  if (caller.kind !== "staff") throw forbidden();
  const request = await latestAccountErasure(app, tenantId);
  if (!request) throw notFound("This account is not deactivated.");
  const now = app.ports.clock.now();
  let current = request;
  if (request.status === "deactivated") {
    if (Date.parse(request.account!.purgeDueAt) <= now.getTime()) {
      throw new DomainError(
        "conflict",
        `The 30-day window ended at ${request.account!.purgeDueAt}: the account cannot be reactivated.`,
        [],
        { status: request.status, purgeDueAt: request.account!.purgeDueAt },
      );
    }
    current = await applyAction(app, request.id, "cancel", actorOf(app, caller), {
      reason: `Reactivated: ${reason}`,
      // Staff's reason is their record; the owner is told what it means for them, in their language.
      noticeReason: { code: "account_reactivated" },
      change: (doc, at) => {
        if (doc.account) doc.account.reactivatedAt = at.toISOString();
      },
    });
  } else if (!(request.status === "cancelled" && request.account?.reactivatedAt)) {
    throw new DomainError(
      "conflict",
      request.status === "on_hold"
        ? "The account's deletion is under a legal hold: reactivation waits for its release."
        : `The account's deletion is ${request.status.replace(/_/g, " ")}: it can no longer be reactivated.`,
      [],
      { status: request.status },
    );
  }
  await cancelPurgeMessage(app, current.id);
  const snapshot = await readSnapshot(app, current.id, tenantId);
  const restored: Record<string, number> = {};
  let apiKeysRevoked = 0;
  if (snapshot) {
    const byCategory = new Map(app.inventory.filter(isCosmos).map((e) => [e.category, e]));
    await forEachLimit(snapshot.doc.records, 8, async (r) => {
      const entry = byCategory.get(r.category);
      if (!entry) return;
      if (!r.restore) {
        apiKeysRevoked++;
        return;
      }
      const ok = await platformCollection(app, entry).patch(r.id, tenantId, [
        { op: "set", path: r.field, value: r.previous },
      ]);
      if (ok) restored[r.category] = (restored[r.category] ?? 0) + 1;
    });
    if (!snapshot.doc.restoredAt) await markRestored(app, snapshot.doc);
  }
  return { request: await app.stores.requests.get(current.id), restored, apiKeysRevoked };
}
