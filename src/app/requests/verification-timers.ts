import { z } from "zod";
import { latestDueStart } from "../../domain/duration";
import { REQUEST_ID_PATTERN } from "../../domain/requests/request-id";
import { DomainError } from "../../domain/errors";
import type { RequestDoc } from "../../domain/requests/model";
import type { AppContext } from "../context";
import { type RunOptions, startRun } from "../operations";
import { notifyWithinBudget } from "./verification-code";
import { applyAction } from "./transition";
import { queryPages } from "../util";

/**
 * An unfinished verification gets one reminder (24 hours) and then expires with a notice (7 days):
 * two `request-timers` messages scheduled at creation, and an hourly sweep for any that went missing.
 */
export const VerificationTimerMessage = z
  .object({
    type: z.enum(["verification_reminder", "verification_expiry"]),
    requestId: z.string().max(400).regex(REQUEST_ID_PATTERN),
  })
  .strict();

export type VerificationOutcome = "reminded" | "expired" | "not_due" | "moved_on" | "already_done";

const createdAt = (doc: RequestDoc) => new Date(doc.createdAt);

export async function scheduleVerificationTimers(app: AppContext, doc: RequestDoc): Promise<void> {
  const timers = [
    { type: "verification_reminder", at: app.policy.deadline(createdAt(doc), "verificationReminder") },
    { type: "verification_expiry", at: app.policy.deadline(createdAt(doc), "verificationExpiry") },
  ] as const;
  for (const t of timers) {
    try {
      await app.ports.scheduler.schedule({
        queue: "request-timers",
        messageId: `${t.type}:${doc.id}`,
        body: { type: t.type, requestId: doc.id },
        deliverAt: t.at,
      });
    } catch {
      // The request stands without its timers: the hourly sweep reminds and expires it all the same.
    }
  }
}

/** The reminder, once, only while the request still waits for its code and before it expires. */
export async function remindVerification(app: AppContext, requestId: string): Promise<VerificationOutcome> {
  const store = app.stores.requests;
  const now = app.ports.clock.now();
  const current = await store.get(requestId);
  if (current.status !== "pending_verification") return "moved_on";
  if (current.verification?.reminderSentAt) return "already_done";
  if (app.policy.deadline(createdAt(current), "verificationReminder") > now) return "not_due";
  let after: RequestDoc;
  try {
    // ETag-guarded: of two deliveries racing, the second finds the reminder marked and stops.
    ({ after } = await store.update(requestId, (doc) => {
      if (doc.status !== "pending_verification" || doc.verification?.reminderSentAt)
        throw new DomainError("conflict", "The reminder is no longer due.");
      doc.verification = {
        sentAt: [],
        ...doc.verification,
        reminderSentAt: now.toISOString(),
      };
      return doc;
    }));
  } catch (e) {
    if (e instanceof DomainError && e.kind === "conflict") return "already_done";
    throw e;
  }
  await notifyWithinBudget(app, after, {
    template: "verification_reminder",
    requestId,
    kind: after.kind,
    expiresAt: app.policy.deadline(createdAt(after), "verificationExpiry").toISOString(),
  });
  return "reminded";
}

/** Closes a request never verified within the period, and tells the requester. Nothing was changed. */
export async function expireVerification(app: AppContext, requestId: string): Promise<VerificationOutcome> {
  const store = app.stores.requests;
  const doc = await store.get(requestId);
  if (doc.status !== "pending_verification") return "moved_on";
  const expiry = app.policy.deadline(createdAt(doc), "verificationExpiry");
  if (expiry > app.ports.clock.now()) return "not_due";
  let expired: RequestDoc;
  try {
    expired = await applyAction(
      app,
      requestId,
      "expire",
      { kind: "system" },
      {
        reason: "Not verified in time",
        notify: false,
      },
    );
  } catch (e) {
    if (e instanceof DomainError && e.kind === "conflict") return "moved_on";
    throw e;
  }
  const days = Math.round((expiry.getTime() - createdAt(doc).getTime()) / 86_400_000);
  await notifyWithinBudget(app, expired, {
    template: "verification_expired",
    requestId,
    kind: expired.kind,
    days,
  });
  return "expired";
}

/**
 * The hourly safety net: reminders and expiries whose message never came. It asks only for requests
 * already due (by their creation time, which the index serves), so an hour with nothing due costs two
 * empty query pages however many requests wait for their code (issue 17; docs/cosmos-queries.md).
 */
export async function sweepUnverified(
  app: AppContext,
  options: RunOptions = {},
): Promise<{ reminded: number; expired: number; failed: number }> {
  const run = startRun(app, "sweepUnverified", options);
  const requests = app.stores.requests.collection();
  const now = app.ports.clock.now();
  const period = (name: "verificationReminder" | "verificationExpiry") =>
    latestDueStart(now, app.policy.periods[name].duration).toISOString();
  const expiryCutoff = period("verificationExpiry");
  const waiting = { field: "status", op: "=", value: "pending_verification" } as const;
  let reminded = 0;
  let expired = 0;
  for await (const page of queryPages<RequestDoc>(requests, {
    where: [waiting, { field: "createdAt", op: "<=", value: expiryCutoff }],
    limit: 200,
  })) {
    for (const doc of page) {
      if (app.policy.deadline(createdAt(doc), "verificationExpiry") > now) continue;
      // One request's trouble (a notice that failed, a store hiccup) is kept and does not stop the others.
      const outcome = await run.attempt({ requestId: doc.id }, "expire", () =>
        expireVerification(app, doc.id),
      );
      if (outcome === "expired") expired++;
    }
  }
  for await (const page of queryPages<RequestDoc>(requests, {
    where: [
      waiting,
      { field: "createdAt", op: "<=", value: period("verificationReminder") },
      { field: "verification.reminderSentAt", op: "undefined" },
    ],
    limit: 200,
  })) {
    for (const doc of page) {
      if (app.policy.deadline(createdAt(doc), "verificationReminder") > now) continue;
      const outcome = await run.attempt({ requestId: doc.id }, "remind", () =>
        remindVerification(app, doc.id),
      );
      if (outcome === "reminded") reminded++;
    }
  }
  const report = { reminded, expired, failed: run.failed };
  await run.finish(report);
  return report;
}
