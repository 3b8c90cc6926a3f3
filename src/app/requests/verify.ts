import { DomainError, invalid } from "../../domain/errors";
import { verificationRules } from "../../domain/policy/periods";
import type { RequestDoc } from "../../domain/requests/model";
import { flowKey, transition } from "../../domain/requests/state-machine";
import type { Caller } from "../caller";
import type { AppContext } from "../context";
import { requireRequesterOrOwner } from "./access-control";
import { AuditLog } from "./audit-log";
import { flushAuditOutbox, stageAuditEvent } from "./audit-outbox";
import { startClock } from "./deadlines";
import { runExecution } from "./execution";
import { notifyRequester } from "./notify";
import { RequestStore } from "./request-store";
import { actorOf } from "./transition";
import { armCode, codeMatches, sendCode } from "./verification-code";

function lockedError(until: string, now: Date): DomainError {
  const retryAfterSeconds = Math.max(1, Math.ceil((Date.parse(until) - now.getTime()) / 1000));
  return new DomainError(
    "rate_limited",
    `Too many wrong codes: verification of this request is locked until ${until}.`,
    [],
    { retryAfterSeconds },
  );
}

/**
 * POST …/verification: the 6-digit code, compared in constant time. A wrong code counts even though
 * the call fails; the fifth locks verification for an hour. The right one verifies and starts the clock.
 */
export async function submitVerificationCode(
  app: AppContext,
  caller: Caller,
  requestId: string,
  code: string,
): Promise<RequestDoc> {
  const store = new RequestStore(app.ports);
  const current = await store.get(requestId);
  requireRequesterOrOwner(caller, current, true);
  const now = app.ports.clock.now();
  let outcome = "wrong" as "verified" | "wrong" | "locked_now";
  let refusal = undefined as DomainError | undefined;
  const actor = actorOf(app, caller);
  await flushAuditOutbox(app.ports, requestId);
  const { after } = await store.update(requestId, (doc) => {
    refusal = undefined;
    transition(flowKey(doc.kind, doc.scope.type), doc.status, "verify"); // 409 unless pending_verification
    const v = doc.verification;
    if (v?.lockedUntil && Date.parse(v.lockedUntil) > now.getTime()) throw lockedError(v.lockedUntil, now);
    if (!v?.codeHash || !v.expiresAt || Date.parse(v.expiresAt) <= now.getTime()) {
      throw invalid("The code has expired. Ask for a new one.", [{ field: "code", message: "expired" }]);
    }
    if (codeMatches(app, doc, code)) {
      outcome = "verified";
      doc.status = "verified";
      doc.verification = { wrongAttempts: 0, sentAt: v.sentAt };
      startClock(doc, now, app.policy);
      stageAuditEvent(doc, { actor, action: "verify", from: "pending_verification", to: "verified" });
      return doc;
    }
    const wrongAttempts = v.wrongAttempts + 1;
    if (wrongAttempts >= verificationRules.maxWrongAttempts) {
      outcome = "locked_now";
      const lockedUntil = app.policy.deadline(now, "verificationLockout").toISOString();
      doc.verification = {
        wrongAttempts: 0,
        sentAt: v.sentAt,
        lockedUntil,
        ...(v.reminderSentAt ? { reminderSentAt: v.reminderSentAt } : {}),
      };
      refusal = lockedError(lockedUntil, now);
    } else {
      outcome = "wrong";
      doc.verification = { ...v, wrongAttempts };
      const left = verificationRules.maxWrongAttempts - wrongAttempts;
      refusal = invalid(`The code is wrong. ${left} attempt${left === 1 ? "" : "s"} left.`, [
        { field: "code", message: "wrong code" },
      ]);
    }
    return doc;
  });
  const audit = new AuditLog(app.ports);
  if (outcome === "verified") {
    await flushAuditOutbox(app.ports, requestId);
    await notifyRequester(app, after, {
      template: "request_received",
      requestId,
      kind: after.kind,
      dueAt: after.dueAt,
    });
    return runExecution(app, requestId);
  }
  await audit.append(requestId, {
    actor,
    action: outcome === "locked_now" ? "verification_locked" : "verification_failed",
  });
  throw refusal ?? invalid("The code is wrong.");
}

/** POST …/verification/resend: a new code (the old one stops working), at most 3 an hour. */
export async function resendVerificationCode(
  app: AppContext,
  caller: Caller,
  requestId: string,
): Promise<RequestDoc> {
  const store = new RequestStore(app.ports);
  requireRequesterOrOwner(caller, await store.get(requestId), true);
  const now = app.ports.clock.now();
  let code = "";
  const { after } = await store.update(requestId, (doc) => {
    if (doc.status !== "pending_verification") {
      throw new DomainError(
        "conflict",
        `The request is ${doc.status.replace(/_/g, " ")}: there is nothing to verify.`,
        [],
        { status: doc.status },
      );
    }
    const v = doc.verification;
    if (v?.lockedUntil && Date.parse(v.lockedUntil) > now.getTime()) throw lockedError(v.lockedUntil, now);
    const windowMs = app.policy.periodMs(now, "verificationResendWindow");
    const recent = (v?.sentAt ?? []).filter((t) => Date.parse(t) > now.getTime() - windowMs);
    if (recent.length >= verificationRules.maxResendsPerWindow) {
      const retryAfterSeconds = Math.max(
        1,
        Math.ceil((Date.parse(recent[0]!) + windowMs - now.getTime()) / 1000),
      );
      throw new DomainError(
        "rate_limited",
        `At most ${verificationRules.maxResendsPerWindow} new codes an hour; try again later.`,
        [],
        { retryAfterSeconds },
      );
    }
    code = armCode(app, doc, now);
    doc.verification = { ...doc.verification!, sentAt: [...recent, now.toISOString()] };
    return doc;
  });
  await new AuditLog(app.ports).append(requestId, {
    actor: actorOf(app, caller),
    action: "verification_resent",
  });
  // Without an address (a public account request naming an unregistered email) nothing is sent, and
  // the answer stays the same, so it does not reveal whether the address was the registered one.
  await sendCode(app, after, code);
  return after;
}
