import { z } from "zod";
import { conflict, forbidden } from "../../domain/errors";
import { isOpen, type RequestDoc } from "../../domain/requests/model";
import { keyedHash } from "../../domain/subject";
import type { Caller } from "../caller";
import type { AppContext } from "../context";
import { AuditLog } from "../audit";
import { notifyRequester, staffWords } from "../requests";
import { notifyWithinBudget } from "../requests";
import { actorOf, applyAction } from "../requests";
import { SYSTEM } from "./support";

/**
 * Grievances (Privacy Policy §14; IT Rules 2021 r.3(2); DPDP Rules 2025 Rule 14(3)): anyone files one;
 * it is acknowledged at once (within 24 hours at the latest), resolved within 15 days (a month under
 * the SPDI Rules, never over 90 days), and staff assign, answer and resolve it. The resolution notice
 * says how to escalate to the Data Protection Board. How it is handled is kept on the request
 * (`details.handling`); the audit trail keeps keyed hashes of what staff wrote, not the text.
 */

export const GrievanceHandling = z.object({
  assignee: z.string().optional(),
  assignedAt: z.string().optional(),
  responses: z.number().int().default(0),
  firstResponseAt: z.string().optional(),
  lastResponseAt: z.string().optional(),
  resolution: z.string().optional(),
  resolvedAt: z.string().optional(),
});
export type GrievanceHandling = z.infer<typeof GrievanceHandling>;

export function handlingOf(doc: RequestDoc): GrievanceHandling {
  const parsed = GrievanceHandling.safeParse(doc.details.handling ?? {});
  return parsed.success ? parsed.data : { responses: 0 };
}

/**
 * True when the acknowledgement did not go out within its period (24 hours): acknowledged late, or
 * still not acknowledged once the period is over. The SLA view shows it.
 */
export function acknowledgementLate(doc: RequestDoc, now: Date): boolean {
  if (doc.kind !== "grievance" || !doc.acknowledgeDueAt) return false;
  const due = Date.parse(doc.acknowledgeDueAt);
  return doc.acknowledgedAt ? Date.parse(doc.acknowledgedAt) > due : now.getTime() > due;
}

/**
 * Sends the acknowledgement and records when it went out. A notice that cannot be sent leaves the
 * grievance unacknowledged (the audit says so) and the rights timer tries again every hour. A
 * grievance without an address (a dashboard user with none) is acknowledged by the answer itself.
 */
export async function acknowledgeGrievance(app: AppContext, doc: RequestDoc): Promise<RequestDoc> {
  if (doc.kind !== "grievance" || doc.acknowledgedAt || !isOpen(doc.status) || !doc.dueAt) return doc;
  const audit = new AuditLog(app);
  let channel: string;
  try {
    // Anyone can file a grievance naming any number or address: from the public, the notice spends the
    // channel's small budget of messages without a code, and past it the answer is the acknowledgement.
    const notice = { template: "grievance_acknowledged", requestId: doc.id, dueAt: doc.dueAt } as const;
    const sent =
      doc.requester.kind === "public"
        ? await notifyWithinBudget(app, doc, notice)
        : await notifyRequester(app, doc, notice);
    channel = sent && doc.contact ? doc.contact.channel : "response";
  } catch (e) {
    await audit.append(doc.id, {
      actor: SYSTEM,
      action: "acknowledge_failed",
      data: { error: e instanceof Error ? e.name : "unknown" },
    });
    return doc;
  }
  const at = app.ports.clock.now().toISOString();
  const { after } = await app.stores.requests.update(doc.id, (d) => {
    d.acknowledgedAt ??= at;
    return d;
  });
  await audit.append(doc.id, {
    actor: SYSTEM,
    action: "acknowledge",
    data: { at: after.acknowledgedAt, channel, late: acknowledgementLate(after, new Date(at)) },
  });
  return after;
}

/** For the rights timer: every open grievance whose acknowledgement has not gone out, tried again. */
export async function acknowledgePendingGrievances(
  app: AppContext,
): Promise<{ pending: number; acknowledged: number }> {
  const store = app.stores.requests;
  let pending = 0;
  let acknowledged = 0;
  let continuationToken: string | undefined;
  do {
    const page = await store.list({
      where: [
        { field: "kind", op: "=", value: "grievance" },
        { field: "status", op: "=", value: "in_progress" },
        { field: "acknowledgedAt", op: "undefined" },
      ],
      limit: 100,
      ...(continuationToken ? { continuationToken } : {}),
    });
    for (const doc of page.items) {
      pending++;
      if ((await acknowledgeGrievance(app, doc)).acknowledgedAt) acknowledged++;
    }
    continuationToken = page.continuationToken;
  } while (continuationToken);
  return { pending, acknowledged };
}

const requireStaff = (caller: Caller) => {
  if (caller.kind !== "staff") throw forbidden("Only staff handle grievances.");
  return caller;
};

/** Loads an open grievance, or 409 naming what it is instead. */
async function openGrievance(app: AppContext, id: string): Promise<RequestDoc> {
  const doc = await app.stores.requests.get(id);
  if (doc.kind !== "grievance")
    throw conflict(`This is a ${doc.kind.replace(/_/g, " ")} request, not a grievance.`, {
      status: doc.status,
    });
  if (!isOpen(doc.status))
    throw conflict(`The grievance is ${doc.status}: it can no longer be handled.`, { status: doc.status });
  return doc;
}

/** POST …/assign: the staff member who handles the grievance (replacing any earlier one). */
export async function assignGrievance(
  app: AppContext,
  caller: Caller,
  id: string,
  assignee: string,
): Promise<RequestDoc> {
  const staff = requireStaff(caller);
  await openGrievance(app, id);
  const at = app.ports.clock.now().toISOString();
  const { before, after } = await app.stores.requests.update(id, (doc) => {
    if (doc.kind !== "grievance" || !isOpen(doc.status))
      throw conflict(`The grievance is ${doc.status}: it can no longer be handled.`, { status: doc.status });
    doc.details = { ...doc.details, handling: { ...handlingOf(doc), assignee, assignedAt: at } };
    return doc;
  });
  const previous = handlingOf(before).assignee;
  await new AuditLog(app).append(id, {
    actor: actorOf(app, staff),
    action: "assign",
    data: {
      assigneeRef: keyedHash(app.keys.hash, `assignee:${assignee}`),
      ...(previous ? { previousRef: keyedHash(app.keys.hash, `assignee:${previous}`) } : {}),
    },
  });
  return after;
}

/** POST …/respond: an answer to the complainant while the grievance stays open. */
export async function respondToGrievance(
  app: AppContext,
  caller: Caller,
  id: string,
  message: string,
  textLanguage?: string,
): Promise<RequestDoc> {
  const staff = requireStaff(caller);
  await openGrievance(app, id);
  const at = app.ports.clock.now().toISOString();
  const { after } = await app.stores.requests.update(id, (doc) => {
    if (doc.kind !== "grievance" || !isOpen(doc.status))
      throw conflict(`The grievance is ${doc.status}: it can no longer be handled.`, { status: doc.status });
    const h = handlingOf(doc);
    doc.details = {
      ...doc.details,
      handling: {
        ...h,
        responses: h.responses + 1,
        firstResponseAt: h.firstResponseAt ?? at,
        lastResponseAt: at,
      },
    };
    return doc;
  });
  await new AuditLog(app).append(id, {
    actor: actorOf(app, staff),
    action: "respond",
    data: { messageHash: keyedHash(app.keys.hash, `grievance-response:${message}`) },
  });
  await notifyRequester(app, after, {
    template: "grievance_response",
    requestId: id,
    message: staffWords(message, textLanguage),
  });
  return after;
}

/**
 * POST …/resolve: the grievance is completed with its resolution; the complainant gets it with how to
 * escalate to the Data Protection Board if not satisfied.
 */
export async function resolveGrievance(
  app: AppContext,
  caller: Caller,
  id: string,
  resolution: string,
  textLanguage?: string,
): Promise<RequestDoc> {
  const staff = requireStaff(caller);
  await openGrievance(app, id);
  const after = await applyAction(app, id, "complete", actorOf(app, staff), {
    reason: "Resolved by the Grievance Officer",
    notify: false,
    data: { resolutionHash: keyedHash(app.keys.hash, `grievance-resolution:${resolution}`) },
    change: (doc, now) => {
      doc.details = {
        ...doc.details,
        handling: { ...handlingOf(doc), resolution, resolvedAt: now.toISOString() },
      };
    },
  });
  await notifyRequester(app, after, {
    template: "grievance_resolved",
    requestId: id,
    resolution: staffWords(resolution, textLanguage),
  });
  return after;
}
