import { z } from "zod";
import { REQUEST_ID_PATTERN } from "../../domain/requests/request-id";
import { DomainError } from "../../domain/errors";
import type { RequestDoc } from "../../domain/requests/model";
import type { AppContext } from "../context";
import { shredTenantKey } from "../backups";
import { AuditLog } from "../audit";
import { applyAction } from "../requests";
import { issueCertificate } from "./certificate";
import { PurgeTakenOverError, recordsHandled, runPurgeJob } from "./purge-job";

/** The body of an `account-purge` message. Carries the due time so an early delivery is recognisable. */
export const PurgeMessage = z
  .object({ requestId: z.string().max(400).regex(REQUEST_ID_PATTERN), dueAt: z.iso.datetime() })
  .strict();
export type PurgeMessage = z.infer<typeof PurgeMessage>;

const SYSTEM = { kind: "system" } as const;

/**
 * Schedules the purge message for the request's purge time unless one is already waiting. Its ticket
 * is kept on the request so reactivation and legal holds can cancel it (DESIGN §8: no cancel by id).
 */
export async function ensurePurgeScheduled(app: AppContext, request: RequestDoc): Promise<void> {
  const account = request.account;
  if (!account || account.purgeTicket) return;
  const ticket = await app.ports.scheduler.schedule({
    queue: "account-purge",
    messageId: `account-purge:${request.id}:${account.purgeDueAt}`,
    body: { requestId: request.id, dueAt: account.purgeDueAt } satisfies PurgeMessage,
    deliverAt: new Date(account.purgeDueAt),
  });
  const now = app.ports.clock.now().toISOString();
  await app.stores.requests.update(request.id, (doc) => {
    if (doc.account) doc.account = { ...doc.account, purgeTicket: ticket, purgeScheduledAt: now };
    return doc;
  });
  await new AuditLog(app).append(request.id, {
    actor: SYSTEM,
    action: "purge_scheduled",
    data: { dueAt: account.purgeDueAt, queue: "account-purge" },
  });
}

/** Cancels a waiting purge message; one that already fired (or never existed) is fine. */
export async function cancelPurgeMessage(app: AppContext, requestId: string): Promise<void> {
  const store = app.stores.requests;
  const doc = await store.get(requestId);
  const ticket = doc.account?.purgeTicket;
  if (!ticket) return;
  const outcome = await app.ports.scheduler.cancel("account-purge", ticket);
  await store.update(requestId, (d) => {
    if (d.account?.purgeTicket === ticket) delete d.account.purgeTicket;
    return d;
  });
  await new AuditLog(app).append(requestId, {
    actor: SYSTEM,
    action: "purge_unscheduled",
    data: { outcome },
  });
}

/** `in_progress`: another run of the same purge holds its job (a duplicate delivery) and finishes it. */
export type PurgeOutcome = "purged" | "early" | "moved_on" | "on_hold" | "in_progress";

/**
 * The purge (Account Deletion §3), for the `account-purge` message and for reconciliation alike. It
 * re-reads the request and acts only if it is still deactivated, due and not held; the status change
 * to `purging` is ETag-guarded, so it and a reactivation can never both win.
 */
export async function purgeAccount(app: AppContext, requestId: string): Promise<PurgeOutcome> {
  const store = app.stores.requests;
  let doc = await store.get(requestId);
  if (doc.status === "on_hold") return "on_hold";
  if (doc.status === "deactivated") {
    const account = doc.account;
    if (!account) return "moved_on";
    if (Date.parse(account.purgeDueAt) > app.ports.clock.now().getTime()) {
      // Delivered early (clock skew, a stray copy): make sure the real one waits, do nothing now.
      if (!account.purgeTicket) await ensurePurgeScheduled(app, doc);
      return "early";
    }
    try {
      doc = await applyAction(app, requestId, "purge", SYSTEM, {
        notify: false,
        change: (d, now) => {
          if (d.account) {
            d.account.purgeStartedAt ??= now.toISOString();
            delete d.account.purgeTicket;
          }
        },
      });
    } catch (e) {
      // Reactivated or held a moment ago: that decision stands.
      if (e instanceof DomainError && e.kind === "conflict") return "moved_on";
      throw e;
    }
  }
  if (doc.status !== "purging") return "moved_on";
  if (doc.scope.type !== "account") return "moved_on";
  let job;
  try {
    job = await runPurgeJob(app, doc, doc.scope.tenantId);
  } catch (e) {
    if (e instanceof PurgeTakenOverError) return "in_progress";
    throw e;
  }
  // Crypto-shredding: the tenant's backup data key goes in the same purge, so every backup copy is
  // unreadable from now on (the sets themselves rotate out by their expiry). Idempotent.
  await shredTenantKey(app, doc.scope.tenantId, requestId);
  const counts = Object.fromEntries(
    Object.entries(job.categories).map(([c, o]) => [c, { action: o.action, records: recordsHandled(o) }]),
  );
  try {
    await applyAction(app, requestId, "finish_purge", SYSTEM, {
      data: { categories: counts },
      change: (d, now) => {
        if (d.account) d.account.purgedAt ??= now.toISOString();
      },
    });
  } catch (e) {
    // A duplicate delivery finished the same purge first: the end state is the same.
    if (!(e instanceof DomainError && e.kind === "conflict")) throw e;
  }
  await issueCertificate(app, requestId);
  return "purged";
}
