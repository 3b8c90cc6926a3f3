import { addDuration } from "../../../src/domain/duration";
import type { PeriodTable } from "../../../src/domain/policy/periods";
import type { Inspector } from "../inspector";
import type { World } from "../world";
import type { Promises, SlackSample } from "./promises";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
type Doc = { id: string } & Record<string, unknown>;

const t = (iso: unknown) => (typeof iso === "string" ? Date.parse(iso) : undefined);
/** The partner timer runs every 15 minutes in Azure (and the clock stops at its first run past each deadline). */
const ESCALATION_MS = 16 * 60_000;
const CLOSED = new Set(["completed", "rejected", "cancelled"]);

export interface DeadlineInput {
  inspector: Inspector;
  world: World;
  now: number;
  start: number;
  /** How late a purge may start: the simulation's reconciliation bound (its clock step). */
  purgeToleranceMs: number;
  periods: PeriodTable;
}

/** When the chain says the request first reached one of `statuses`. */
function reached(events: Doc[], statuses: string[]): number | undefined {
  const e = events.find((ev) => typeof ev.to === "string" && statuses.includes(ev.to));
  return e ? t(e.at) : undefined;
}

/**
 * Every clock of every request, breach and partner task, read from the stored documents and their audit chains
 * (the time each transition was recorded), against the policy's periods.
 */
export async function checkDeadlines(
  input: DeadlineInput,
  promises: Promises,
  events: Map<string, Doc[]>,
): Promise<SlackSample[]> {
  const { inspector, world, now, start } = input;
  const slack: SlackSample[] = [];
  const dayOf = (ms: number) => Math.floor((ms - start) / DAY);
  const sample = (kind: string, dueMs: number, doneMs: number, ref: string) =>
    slack.push({ kind, day: dayOf(doneMs), slackHours: (dueMs - doneMs) / HOUR, ref });
  const requests = await inspector.serviceDocs("requests", "request");
  const tasks = await inspector.serviceDocs("requests", "processor-task");
  const partnersSettled = partnersSettledAt(tasks);
  for (const doc of requests) {
    const sim = world.requests.get(doc.id);
    const chain = events.get(doc.id) ?? [];
    const kind = doc.kind as string;
    const closedAt = reached(chain, [...CLOSED]);
    if (kind === "grievance") {
      const ackDue = world.reachable(t(doc.acknowledgeDueAt)!);
      const ackAt = t(doc.acknowledgedAt);
      promises.check(
        "grievance_acknowledged_24h",
        ackAt !== undefined ? ackAt <= ackDue : now <= ackDue,
        () =>
          `${doc.id}: acknowledged ${ackAt ? new Date(ackAt).toISOString() : "never"}, due ${doc.acknowledgeDueAt as string}`,
      );
      if (ackAt !== undefined) sample("grievance acknowledgement", ackDue, ackAt, doc.id);
    }
    const dueAt = t(doc.dueAt);
    if (dueAt === undefined) continue; // not verified: no clock yet
    const due = world.reachable(dueAt);
    if (kind === "erasure" && (doc.scope as { type: string }).type === "account") {
      checkPurge(doc, chain, input, promises, sample, partnersSettled.get(doc.id) ?? 0);
      continue;
    }
    if (kind === "erasure") {
      const done = reached(chain, ["purged", "completed"]);
      promises.check(
        "number_erasure_30d",
        done !== undefined ? done <= due : now <= due,
        () =>
          `${doc.id}: erased ${done ? new Date(done).toISOString() : "not yet"}, due ${doc.dueAt as string}`,
      );
      if (done !== undefined) sample("number erasure", due, done, doc.id);
      continue;
    }
    const id = kind === "grievance" ? "grievance_resolved_15d" : "request_answered_in_time";
    promises.check(
      id,
      closedAt !== undefined ? closedAt <= due : now <= due,
      () =>
        `${doc.id} (${kind}${sim?.onBehalf ? ", by a nominee" : ""}): closed ${closedAt ? new Date(closedAt).toISOString() : `not yet (${String(doc.status)}${doc.failure ? `, failure ${JSON.stringify(doc.failure)}` : ""}; chain: ${chain.map((e) => `${String(e.action)}@${String(e.at)}`).join(", ")})`}, due ${doc.dueAt as string}`,
    );
    if (closedAt !== undefined)
      sample(kind === "grievance" ? "grievance resolution" : kind, due, closedAt, doc.id);
  }
  for (const b of await inspector.serviceDocs("requests", "breach")) {
    const dueAt = world.reachable(t(b.boardDueAt)!);
    const reportedAt = t((b.board as { reportedAt?: string } | undefined)?.reportedAt);
    promises.check(
      "breach_board_72h",
      reportedAt !== undefined ? reportedAt <= dueAt : now <= dueAt,
      () =>
        `${b.id}: reported ${reportedAt ? new Date(reportedAt).toISOString() : "not yet"}, due ${b.boardDueAt as string}`,
    );
    if (reportedAt !== undefined) sample("breach board report", dueAt, reportedAt, b.id);
  }
  for (const task of tasks) {
    const deadline = world.reachable(t(task.deadline)!);
    const confirmedAt = t((task.confirmation as { at?: string } | undefined)?.at);
    const overdueAt = t(task.overdueAt);
    const inTime = confirmedAt !== undefined && confirmedAt <= deadline;
    // Confirmed after the deadline but before the timer's next run: in Azure too, nothing was left to escalate.
    const beforeEscalation = confirmedAt !== undefined && confirmedAt <= deadline + ESCALATION_MS;
    // Escalated at its deadline (the timer's pass, within the reconciliation bound), and settled since.
    const escalated = overdueAt !== undefined && overdueAt - deadline <= ESCALATION_MS;
    const pastDeadline = now > deadline;
    promises.check(
      "partner_confirmed_or_escalated",
      inTime || beforeEscalation || (pastDeadline ? escalated : true),
      () =>
        `${task.id}: deadline ${task.deadline as string}, confirmed ${confirmedAt ? new Date(confirmedAt).toISOString() : "no"}, escalated ${overdueAt ? new Date(overdueAt).toISOString() : "never"}`,
    );
    if (inTime) sample("partner confirmation", deadline, confirmedAt!, task.id);
    else if (overdueAt !== undefined)
      sample("partner escalation", deadline + ESCALATION_MS, overdueAt, task.id);
  }
  return slack;
}

/** When the last partner told of each request settled (confirmed or waived); Infinity while one is open. */
function partnersSettledAt(tasks: Doc[]): Map<string, number> {
  const settled = new Map<string, number>();
  for (const task of tasks) {
    const at =
      t((task.confirmation as { at?: string } | undefined)?.at) ??
      t((task.waiver as { at?: string } | undefined)?.at) ??
      Infinity;
    const requestId = task.requestId as string;
    settled.set(requestId, Math.max(settled.get(requestId) ?? 0, at));
  }
  return settled;
}

function checkPurge(
  doc: Doc,
  chain: Doc[],
  input: DeadlineInput,
  promises: Promises,
  sample: (kind: string, dueMs: number, doneMs: number, ref: string) => void,
  partnersSettled: number,
): void {
  const account = doc.account as { purgeDueAt: string; purgeStartedAt?: string; purgedAt?: string };
  const sim = input.world.requests.get(doc.id);
  const dueAt = Date.parse(account.purgeDueAt);
  // A legal hold moves the earliest purge to its release.
  const release = sim?.hold?.releasedAt;
  const holdOver = sim?.hold ? (release ?? Infinity) : 0;
  const earliest = Math.max(dueAt, sim?.hold && sim.hold.placedAt < dueAt ? holdOver : 0);
  const started = t(account.purgeStartedAt) ?? reached(chain, ["purging"]);
  if (started !== undefined) {
    promises.check(
      "purge_not_before_day_30",
      started >= earliest,
      () =>
        `${doc.id}: purge started ${new Date(started).toISOString()}, not before ${new Date(earliest).toISOString()}`,
    );
    const reachable = input.world.reachable(earliest);
    promises.check(
      "purge_at_day_30",
      started - reachable <= input.purgeToleranceMs,
      () =>
        `${doc.id}: purge started ${((started - reachable) / HOUR).toFixed(1)} h after it fell due (chain: ${chain
          .map((e) => `${String(e.action)}@${String(e.at)}`)
          .join(", ")})`,
    );
    // Against the bound the check holds it to: due, plus the reconciliation's hour for a message gone astray.
    sample(
      "account purge start (due + reconciliation hour)",
      reachable + input.purgeToleranceMs,
      started,
      doc.id,
    );
  } else if (doc.status !== "cancelled" && earliest !== Infinity) {
    promises.check(
      "purge_at_day_30",
      input.now - earliest <= input.purgeToleranceMs,
      () => `${doc.id}: never purged, due ${new Date(earliest).toISOString()}`,
    );
  }
  const purgedAt = t(account.purgedAt);
  if (purgedAt !== undefined) {
    // Complete once the backups holding it rotated out (the rotation runs at the set's expiry, within a day
    // of the purge's own rotation period) and every partner settled (a late one settles after its deadline).
    const rotatedBy = addDuration(new Date(purgedAt), input.periods.backupRotation.duration).getTime() + DAY;
    const limit = Math.max(rotatedBy, partnersSettled + HOUR);
    const completed = reached(chain, ["completed"]);
    promises.check(
      "account_erasure_completed",
      completed !== undefined ? completed <= limit : input.now <= limit,
      () =>
        `${doc.id}: purged ${account.purgedAt}, completed ${completed ? new Date(completed).toISOString() : `not yet (${String(doc.status)}${doc.failure ? `, failure ${JSON.stringify(doc.failure)}` : ""}, partners settled ${Number.isFinite(partnersSettled) ? new Date(partnersSettled).toISOString() : "no"}; chain: ${chain.map((e) => `${String(e.action)}→${String(e.to)}@${String(e.at)}`).join(", ")})`}`,
    );
    if (completed !== undefined) sample("account erasure completion", limit, completed, doc.id);
  }
}
