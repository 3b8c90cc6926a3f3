import { languagePack } from "../../domain/notices";
import { isOpen, type RequestDoc } from "../../domain/requests/model";
import { allowedActions, flowKey } from "../../domain/requests/state-machine";
import { staffActions, type StaffRole } from "../../domain/requests/staff-actions";
import type { Relation } from "./access-control";

const DAY = 86_400_000;

/**
 * The request as the API shows it to a caller of the given relation: no hashes, no sealed contact, no
 * code material.
 */
export function requestView(
  doc: RequestDoc,
  now: Date,
  relation: Relation,
  extra: Record<string, unknown> = {},
  /** A member of staff's role: their `allowedActions` are what that role may do now (staff-actions.ts). */
  staffRole?: StaffRole,
) {
  const due = doc.dueAt ? Date.parse(doc.dueAt) : undefined;
  const overdue = isOpen(doc.status) && due !== undefined && due < now.getTime();
  const scope =
    doc.scope.type === "account"
      ? { type: "account" as const, tenantId: doc.scope.tenantId }
      : doc.scope.type === "whatsapp_number"
        ? { type: "whatsapp_number" as const, phone: doc.scope.masked }
        : { type: "contact" as const };
  return {
    id: doc.id,
    kind: doc.kind,
    status: doc.status,
    scope,
    channel: doc.channel,
    language: doc.language,
    // What staff should write reasons and replies in: the language the notices actually go out in.
    noticeLanguage: languagePack(doc.language).code,
    createdAt: doc.createdAt,
    ...(doc.verifiedAt ? { verifiedAt: doc.verifiedAt } : {}),
    ...(doc.dueAt
      ? { dueAt: doc.dueAt, daysLeft: Math.max(0, Math.ceil((due! - now.getTime()) / DAY)) }
      : {}),
    ...(doc.account
      ? {
          deactivatedAt: doc.account.deactivatedAt,
          purgeDueAt: doc.account.purgeDueAt,
          ...(doc.account.purgedAt ? { purgedAt: doc.account.purgedAt } : {}),
          ...(doc.account.reactivatedAt ? { reactivatedAt: doc.account.reactivatedAt } : {}),
          // While the retention window runs, the days left are the days until the purge.
          ...(doc.status === "deactivated" || doc.status === "on_hold"
            ? { daysLeft: Math.max(0, Math.ceil((Date.parse(doc.account.purgeDueAt) - now.getTime()) / DAY)) }
            : {}),
        }
      : {}),
    ...(doc.acknowledgeDueAt ? { acknowledgeDueAt: doc.acknowledgeDueAt } : {}),
    ...(doc.acknowledgedAt ? { acknowledgedAt: doc.acknowledgedAt } : {}),
    overdue,
    onHold: doc.status === "on_hold",
    // That a legal hold defers the deletion, and since when, the principal is told (Account Deletion §4);
    // why (a court order, a law-enforcement request, often confidential) only the staff who handle it.
    ...(doc.hold
      ? {
          hold: {
            since: doc.hold.since,
            ...(relation === "staff" ? { reason: doc.hold.reason } : {}),
          },
        }
      : {}),
    ...(doc.deadlineExtensions.length
      ? {
          deadlineExtensions: doc.deadlineExtensions.map(({ at, reason, from, to }) => ({
            at,
            reason,
            from,
            to,
          })),
        }
      : {}),
    ...(doc.failure
      ? {
          failure: {
            step: doc.failure.step,
            message: doc.failure.message,
            at: doc.failure.at,
            attempts: doc.failure.attempts,
          },
        }
      : {}),
    ...(doc.closedReason ? { closedReason: doc.closedReason } : {}),
    ...(doc.kind !== "erasure" && Object.keys(doc.details).length ? { details: doc.details } : {}),
    allowedActions: actionsFor(doc, now, relation === "staff" ? staffRole : undefined),
    ...extra,
  };
}

function actionsFor(doc: RequestDoc, now: Date, staffRole: StaffRole | undefined): string[] {
  const machine = allowedActions(flowKey(doc.kind, doc.scope.type), doc.status);
  if (!staffRole) return machine;
  return staffActions(
    {
      kind: doc.kind,
      scopeType: doc.scope.type,
      status: doc.status,
      machine,
      hasDeadline: doc.dueAt !== undefined,
      failed: doc.failure !== undefined,
      ...(doc.account ? { purgeDueAt: doc.account.purgeDueAt } : {}),
      now,
    },
    staffRole,
  );
}
