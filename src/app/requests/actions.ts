import { conflict, DomainError, forbidden } from "../../domain/errors";
import { addDuration } from "../../domain/duration";
import { isOpen, type RequestDoc } from "../../domain/requests/model";
import type { Caller } from "../caller";
import type { AppContext } from "../context";
import { readForRequesterOrOwner, readRequestAs } from "./access-control";
import { AuditLog } from "../audit";
import { runExecution } from "./execution";
import { handlerOf } from "./kind-handler";
import { notifyRequester, staffWords } from "./notify";
import { actorOf, applyAction, auditReason } from "./transition";

const requireStaff = (caller: Caller, roles: readonly string[] = ["support", "privacy_officer"]) => {
  if (caller.kind !== "staff" || !roles.includes(caller.role)) throw forbidden();
};

/** POST …/cancel: the requester or the account owner withdraws a request before it executes. */
export async function cancelRequest(
  app: AppContext,
  caller: Caller,
  id: string,
  reason?: string,
): Promise<RequestDoc> {
  const { doc } = await readForRequesterOrOwner(app, caller, id);
  // The kind may answer the cancel itself (a recorded nomination is revoked) or refuse it.
  const answered = await handlerOf(app, doc).beforeCancel?.(app, caller, doc, reason);
  if (answered) return answered;
  return applyAction(app, id, "cancel", actorOf(app, caller), {
    reason: reason ?? "Withdrawn by the requester",
    // The notice says it in the reader's language; their own words stay on the request.
    noticeReason: { code: "withdrawn_by_requester" },
  });
}

/**
 * POST …/approve: staff review passed; the request runs. The review note (on a nominee's evidence, say)
 * is staff's record of the decision, kept on the request: the requester's "in progress" notice does not
 * quote it.
 */
export async function approveRequest(
  app: AppContext,
  caller: Caller,
  id: string,
  reason?: string,
): Promise<RequestDoc> {
  requireStaff(caller);
  const { doc } = await readRequestAs(app, caller, id);
  const { approvalCheck } = handlerOf(app, doc);
  if (!approvalCheck)
    throw conflict("This request needs no review: it runs once verified.", { status: doc.status });
  await approvalCheck(app, doc, reason); // a nominee's request: the review note on the evidence is required
  await applyAction(app, id, "approve", actorOf(app, caller), {
    ...(reason ? { reason } : {}),
    change: (doc, now) => {
      doc.review = {
        by: actorOf(app, caller),
        at: now.toISOString(),
        decision: "approved",
        ...(reason ? { reason } : {}),
      };
    },
  });
  return runExecution(app, id);
}

/** POST …/reject: the requester is told the reason, in the language staff say they wrote it in. */
export async function rejectRequest(
  app: AppContext,
  caller: Caller,
  id: string,
  reason: string,
  textLanguage?: string,
): Promise<RequestDoc> {
  requireStaff(caller);
  return applyAction(app, id, "reject", actorOf(app, caller), {
    reason,
    noticeReason: staffWords(reason, textLanguage),
    change: (doc, now) => {
      doc.review = { by: actorOf(app, caller), at: now.toISOString(), decision: "rejected", reason };
    },
  });
}

/** POST …/hold: a legal hold (court order, law enforcement) defers deletion for as long as it lasts. */
export async function holdRequest(
  app: AppContext,
  caller: Caller,
  id: string,
  reason: string,
): Promise<RequestDoc> {
  requireStaff(caller, ["privacy_officer"]);
  const held = await applyAction(app, id, "hold", actorOf(app, caller), { reason, notify: false });
  // What must not happen while the hold lasts is called off (an account's purge); release resumes it.
  await handlerOf(app, held).afterHold?.(app, held);
  return app.stores.requests.get(id);
}

export async function releaseRequest(
  app: AppContext,
  caller: Caller,
  id: string,
  reason: string,
): Promise<RequestDoc> {
  requireStaff(caller, ["privacy_officer"]);
  await applyAction(app, id, "release", actorOf(app, caller), { reason, notify: false });
  return runExecution(app, id);
}

/**
 * POST …/extend: staff move a deadline out, only with a recorded reason and never past the legal
 * ceiling counted from receipt (DPDP Rules 2025 Rule 14(3): 90 days).
 */
export async function extendDeadline(
  app: AppContext,
  caller: Caller,
  id: string,
  until: Date,
  reason: string,
  textLanguage?: string,
): Promise<RequestDoc> {
  requireStaff(caller);
  const actor = actorOf(app, caller);
  const now = app.ports.clock.now();
  let from = "";
  const { after } = await app.stores.requests.update(id, (doc) => {
    if (!isOpen(doc.status))
      throw new DomainError("conflict", `The request is ${doc.status}: its deadline no longer runs.`, [], {
        status: doc.status,
      });
    if (!doc.dueAt)
      throw new DomainError("conflict", "The request has no deadline yet: it starts at verification.", [], {
        status: doc.status,
      });
    const ceiling = addDuration(
      new Date(doc.verifiedAt ?? doc.createdAt),
      app.policy.periods.extensionCeiling.duration,
    );
    if (until.getTime() <= Date.parse(doc.dueAt)) {
      throw new DomainError("invalid", "The new deadline must be later than the current one.", [
        { field: "until", message: `must be after ${doc.dueAt}` },
      ]);
    }
    if (until.getTime() > ceiling.getTime()) {
      throw new DomainError(
        "invalid",
        `No deadline may pass ${ceiling.toISOString()} (${app.policy.periods.extensionCeiling.basis}).`,
        [{ field: "until", message: `at most ${ceiling.toISOString()}` }],
      );
    }
    from = doc.dueAt;
    doc.deadlineExtensions.push({
      at: now.toISOString(),
      by: actor,
      reason,
      from: doc.dueAt,
      to: until.toISOString(),
    });
    doc.dueAt = until.toISOString();
    return doc;
  });
  // Staff's words stay on the request (the requester is told them); the chain keeps their keyed hash.
  const { reasonHash } = auditReason(app, actor, reason);
  await new AuditLog(app).append(id, {
    actor,
    action: "extend_deadline",
    data: { from, to: after.dueAt, ...(reasonHash ? { reasonHash } : {}) },
  });
  // The new date as data, written for people in the reader's language (never inside the reason).
  await notifyRequester(app, after, {
    template: "deadline_extended",
    requestId: id,
    kind: after.kind,
    dueAt: after.dueAt!,
    reason: staffWords(reason, textLanguage),
  });
  return after;
}

/** POST …/retry: resume a failed execution from the step it reached. */
export async function retryRequest(app: AppContext, caller: Caller, id: string): Promise<RequestDoc> {
  requireStaff(caller);
  const doc = await app.stores.requests.get(id);
  if (!doc.failure)
    throw new DomainError("conflict", "Nothing has failed on this request: there is nothing to retry.", [], {
      status: doc.status,
    });
  await applyAction(app, id, "retry", actorOf(app, caller), {
    data: { fromStep: doc.failure.step },
    notify: false,
  });
  return runExecution(app, id);
}
