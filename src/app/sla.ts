import { z } from "zod";
import { addDuration } from "../domain/duration";
import { forbidden } from "../domain/errors";
import { responsePeriods } from "../domain/policy/periods";
import { isOpen, type RequestDoc, RequestStatus } from "../domain/requests/model";
import { BreachStore } from "./breach";
import type { Caller } from "./caller";
import type { AppContext } from "./context";
import { acknowledgementLate, handlingOf } from "./rights";
import { awaitsNomineeReview } from "./rights";

/**
 * The SLA view (GET /sla): every open item with a running clock — each open request with its deadline
 * and each breach whose Board report is still due — with the time left and whether it is overdue, most
 * urgent first. The first thing the privacy officer opens each morning. Requests still waiting for
 * verification have no clock yet (it starts at verification); they are counted, not listed.
 */

export interface SlaItem {
  id: string;
  /** The request kind, or "breach". */
  kind: string;
  status: string;
  /** Which period the deadline is (src/domain/policy/periods.ts), or "extended" after an extension. */
  deadline: string;
  dueAt: string;
  /** Negative once overdue. */
  timeLeftSeconds: number;
  overdue: boolean;
  scope?: { type: string; tenantId?: string };
  onHold?: boolean;
  /** A nominee's request waiting for staff review of the evidence. */
  awaitingReview?: boolean;
  /** Grievances: the 24-hour acknowledgement, and whether it was late (or is still missing, late). */
  acknowledgement?: { dueAt: string; at?: string; late: boolean };
  assignee?: string;
  failure?: { step: string; attempts: number };
}

const FinishedAt = z.object({ finishedAt: z.string() });

const CLOCKED = RequestStatus.options.filter((s) => isOpen(s) && s !== "pending_verification");

/** What a request's clock is counting now. */
function deadlineOf(app: AppContext, doc: RequestDoc): { name: string; dueAt: string } | undefined {
  if (doc.status === "purged") {
    // Primary deletion is done; what runs now is the rotation of the backups that hold it (≤ 90 days).
    const purgedAt =
      doc.account?.purgedAt ?? FinishedAt.safeParse(doc.details.whatsappErasure).data?.finishedAt;
    if (purgedAt)
      return {
        name: "backupRotation",
        dueAt: addDuration(new Date(purgedAt), app.policy.periods.backupRotation.duration).toISOString(),
      };
  }
  if (!doc.dueAt) return undefined;
  if (doc.deadlineExtensions.length) return { name: "extended", dueAt: doc.dueAt };
  const name =
    doc.kind === "grievance" && doc.details.spdi === true
      ? "spdiGrievanceResolution"
      : responsePeriods[doc.kind];
  return { name, dueAt: doc.dueAt };
}

function requestItem(app: AppContext, doc: RequestDoc, now: Date): SlaItem | undefined {
  const deadline = deadlineOf(app, doc);
  if (!deadline) return undefined;
  const left = Date.parse(deadline.dueAt) - now.getTime();
  const handling = doc.kind === "grievance" ? handlingOf(doc) : undefined;
  return {
    id: doc.id,
    kind: doc.kind,
    status: doc.status,
    deadline: deadline.name,
    dueAt: deadline.dueAt,
    timeLeftSeconds: Math.floor(left / 1000),
    overdue: left < 0,
    scope:
      doc.scope.type === "account"
        ? { type: "account", tenantId: doc.scope.tenantId }
        : { type: doc.scope.type },
    ...(doc.status === "on_hold" ? { onHold: true } : {}),
    ...(awaitsNomineeReview(doc) ? { awaitingReview: true } : {}),
    ...(doc.kind === "grievance" && doc.acknowledgeDueAt
      ? {
          acknowledgement: {
            dueAt: doc.acknowledgeDueAt,
            ...(doc.acknowledgedAt ? { at: doc.acknowledgedAt } : {}),
            late: acknowledgementLate(doc, now),
          },
        }
      : {}),
    ...(handling?.assignee ? { assignee: handling.assignee } : {}),
    ...(doc.failure ? { failure: { step: doc.failure.step, attempts: doc.failure.attempts } } : {}),
  };
}

export interface SlaFilter {
  kind?: string;
  overdue?: boolean;
}

export async function slaView(app: AppContext, caller: Caller, filter: SlaFilter = {}) {
  if (caller.kind !== "staff") throw forbidden();
  const now = app.ports.clock.now();
  const store = app.stores.requests;
  const items: SlaItem[] = [];
  if (filter.kind !== "breach") {
    let continuationToken: string | undefined;
    do {
      const page = await store.list({
        where: [
          { field: "status", op: "in", value: CLOCKED },
          ...(filter.kind ? [{ field: "kind", op: "=" as const, value: filter.kind }] : []),
        ],
        limit: 200,
        ...(continuationToken ? { continuationToken } : {}),
      });
      for (const doc of page.items) {
        const item = requestItem(app, doc, now);
        if (item) items.push(item);
      }
      continuationToken = page.continuationToken;
    } while (continuationToken);
  }
  if (filter.kind === undefined || filter.kind === "breach") {
    for (const b of await new BreachStore(app).list({ openOnly: true })) {
      const left = Date.parse(b.boardDueAt) - now.getTime();
      items.push({
        id: b.id,
        kind: "breach",
        status: b.state,
        deadline: "breachBoardReport",
        dueAt: b.boardDueAt,
        timeLeftSeconds: Math.floor(left / 1000),
        overdue: left < 0,
      });
    }
  }
  const awaitingVerification =
    filter.kind === "breach"
      ? 0
      : await store.collection().count({
          where: [
            { field: "docType", op: "=", value: "request" },
            { field: "status", op: "=", value: "pending_verification" },
            ...(filter.kind ? [{ field: "kind", op: "=" as const, value: filter.kind }] : []),
          ],
        });
  const shown = items
    .filter((i) => filter.overdue === undefined || i.overdue === filter.overdue)
    .sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt) || a.id.localeCompare(b.id));
  return {
    now: now.toISOString(),
    items: shown,
    counts: {
      total: shown.length,
      overdue: shown.filter((i) => i.overdue).length,
      acknowledgementsLate: shown.filter((i) => i.acknowledgement?.late).length,
    },
    awaitingVerification,
  };
}
