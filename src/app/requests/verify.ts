import { DomainError, invalid } from "../../domain/errors";
import { verificationRules } from "../../domain/policy/periods";
import type { Actor, RequestDoc } from "../../domain/requests/model";
import { flowKey, transition } from "../../domain/requests/state-machine";
import type { Caller } from "../caller";
import type { AppContext } from "../context";
import { readForRequesterOrOwner } from "./access-control";
import { AuditLog } from "../audit";
import { flushAuditOutbox, stageAuditEvent } from "./audit-outbox";
import { startClock } from "./deadlines";
import { runExecution } from "./execution";
import { handlerOf } from "./kind-handler";
import { notifyRequester } from "./notify";
import { SubjectVerification } from "./subject-verification";
import { actorOf, applyAction } from "./transition";
import { clientRef, issueCode } from "./verification-code";

/** Tokens a request keeps: its first requester's always, then the newest of those who proved control since. */
const MAX_TOKENS = 20;

/**
 * POST …/verification: the code sent to the subject's channel (src/app/requests/subject-verification.ts).
 * A wrong code counts against the subject across all its requests; the right one verifies this request,
 * which then holds the subject's open slot for its kind, or, when another request of that kind is open
 * for the subject, joins it: the filer proved control of the channel, so their token now reads the open
 * request, and this filing closes pointing at it. The answer is the request the caller can now follow.
 */
export async function submitVerificationCode(
  app: AppContext,
  caller: Caller,
  requestId: string,
  code: string,
): Promise<RequestDoc> {
  const { doc: current, etag } = await readForRequesterOrOwner(app, caller, requestId, true);
  transition(flowKey(current.kind, current.scope.type), current.status, "verify"); // 409 unless pending
  const actor = actorOf(app, caller);
  const check = await new SubjectVerification(app, current.pk).check(
    requestId,
    current.contact?.hash,
    clientRef(app, caller),
    code,
  );
  if (check.outcome === "verified") return verifyFiling(app, { doc: current, etag }, actor);
  if (check.outcome !== "expired") {
    await new AuditLog(app).append(requestId, {
      actor,
      action: check.outcome === "locked_now" ? "verification_locked" : "verification_failed",
    });
  }
  throw check.error ?? invalid("The code is wrong.");
}

/**
 * The filing as read when the call began, with its ETag: the first write decides on it instead of reading
 * it again (a change since makes that write fail its If-Match, and it then reads and decides afresh).
 */
async function verifyFiling(
  app: AppContext,
  read: { doc: RequestDoc; etag: string },
  actor: Actor,
): Promise<RequestDoc> {
  const filing = read.doc;
  const store = app.stores.requests;
  // A nominee's filing lives in the principal's partition but was proved on the nominee's own address,
  // never the principal's channel: it neither joins nor holds the principal's open request (staff review
  // its evidence before it runs, src/app/rights/on-behalf.ts).
  const claimsSlot = !handlerOf(app, filing).filedByAnyone && filing.details.onBehalfOf === undefined;
  const openId = claimsSlot ? await store.claimOpenSlot(filing.pk, filing.kind, filing.id) : undefined;
  if (openId) return joinOpenRequest(app, filing, openId, actor);
  const now = app.ports.clock.now();
  // Events a crash left staged on the filing go first (nothing to do when the copy read holds none: one
  // staged since is written by the flush after this change, in its order).
  await flushAuditOutbox(app, filing.id, { request: read });
  // The newest link of the filing's chain this process saw, taken before the event is staged.
  const seen = new AuditLog(app).lastSeen(filing.id);
  let key = "";
  const { after, etag } = await store.update(
    filing.id,
    (doc) => {
      transition(flowKey(doc.kind, doc.scope.type), doc.status, "verify"); // of two racing calls, one wins
      doc.status = "verified";
      startClock(doc, now, app.policy);
      key = stageAuditEvent(doc, { actor, action: "verify", from: "pending_verification", to: "verified" });
      return doc;
    },
    read,
  );
  const flushed = await flushAuditOutbox(app, filing.id, {
    request: { doc: after, etag },
    staged: { keys: [key], ...(seen ? { after: seen } : {}) },
  });
  await notifyRequester(app, after, {
    template: "request_received",
    requestId: filing.id,
    kind: after.kind,
    dueAt: after.dueAt,
  });
  return runExecution(app, filing.id, flushed?.doc);
}

async function joinOpenRequest(
  app: AppContext,
  filing: RequestDoc,
  openId: string,
  actor: Actor,
): Promise<RequestDoc> {
  const store = app.stores.requests;
  await flushAuditOutbox(app, openId);
  const { after } = await store.update(openId, (doc) => {
    const [first, ...others] = doc.tokenHashes;
    const added = filing.tokenHashes.filter((h) => !doc.tokenHashes.includes(h));
    const rest = [...others, ...added].slice(-(MAX_TOKENS - 1));
    doc.tokenHashes = first === undefined ? rest : [first, ...rest];
    stageAuditEvent(doc, { actor, action: "requester_joined", data: { filing: filing.id } });
    return doc;
  });
  await flushAuditOutbox(app, openId);
  try {
    await applyAction(app, filing.id, "cancel", actor, {
      reason: `Verified: joined the open request ${openId}`,
      notify: false,
      change: (doc) => {
        doc.details = { ...doc.details, joinedRequestId: openId };
      },
    });
  } catch (e) {
    // A second delivery of the same verification finds the filing closed already: same outcome.
    if (!(e instanceof DomainError && e.kind === "conflict")) throw e;
  }
  return after;
}

/**
 * POST …/verification/resend: a new code (the old one stops working), at most 3 for one request an hour
 * and within the channel's budget; past the budget no new code goes, and the newest code sent still works.
 */
export async function resendVerificationCode(
  app: AppContext,
  caller: Caller,
  requestId: string,
): Promise<RequestDoc> {
  const store = app.stores.requests;
  const { doc: current } = await readForRequesterOrOwner(app, caller, requestId, true);
  const now = app.ports.clock.now();
  if (current.status === "pending_verification")
    await new SubjectVerification(app, current.pk).assertNotLocked(clientRef(app, caller));
  const { after } = await store.update(requestId, (doc) => {
    if (doc.status !== "pending_verification") {
      throw new DomainError(
        "conflict",
        `The request is ${doc.status.replace(/_/g, " ")}: there is nothing to verify.`,
        [],
        { status: doc.status },
      );
    }
    const windowMs = app.policy.periodMs(now, "verificationResendWindow");
    const recent = (doc.verification?.sentAt ?? []).filter((t) => Date.parse(t) > now.getTime() - windowMs);
    if (recent.length >= verificationRules.maxResendsPerWindow) {
      throw new DomainError(
        "rate_limited",
        `At most ${verificationRules.maxResendsPerWindow} new codes an hour; try again later.`,
        [],
        {
          retryAfterSeconds: Math.max(
            1,
            Math.ceil((Date.parse(recent[0]!) + windowMs - now.getTime()) / 1000),
          ),
        },
      );
    }
    doc.verification = { ...doc.verification, sentAt: [...recent, now.toISOString()] };
    return doc;
  });
  // The answer is the same whether a code went out, the channel's budget was spent (the newest code sent
  // still works), or the request names no address a code could go to (a public account request naming
  // another address than the registered one): it must not tell a stranger which.
  await issueCode(app, after);
  await new AuditLog(app).append(requestId, {
    actor: actorOf(app, caller),
    action: "verification_resent",
  });
  return after;
}
