import type {
  CertificateProcessorLine,
  NamedProcessorLine,
  NeutralProcessorLine,
} from "../../domain/audit/certificate-schema";
import type { Relation } from "../requests";
import { DOMESTIC } from "../../domain/processors/register";
import type { RequestDoc } from "../../domain/requests/model";
import type { ProcessorTask } from "../../domain/processors/task";
import type { AppContext } from "../context";
import { isSettled, WAIVER_TEXT } from "../../domain/processors/task";
import { type TaskState, taskState, tasksOf } from "./tasks";

/** What every line says of the partner's part: categories, status, deadline, confirmation or waiver. */
const settlementOf = (task: ProcessorTask) => ({
  categories: task.categories,
  status: task.status,
  deadline: task.deadline,
  ...(task.confirmation ? { confirmedAt: task.confirmation.at, confirmedBy: task.confirmation.by } : {}),
  // The code and its fixed text; staff's free note stays on the task.
  ...(task.waiver
    ? {
        waivedAt: task.waiver.at,
        waivedReasonCode: task.waiver.reason,
        waivedReason: WAIVER_TEXT[task.waiver.reason],
      }
    : {}),
});

/** The certificate's line for a partner, as staff and the account's owner read it: by id and name. */
export function certificateLine(task: ProcessorTask): NamedProcessorLine {
  return {
    processorId: task.processorId,
    name: task.processorName,
    country: task.country,
    ...settlementOf(task),
  };
}

/**
 * The public's line (a number's requester and certificate): Privacy Policy §4 publishes no partner names,
 * and a tenant's dedicated partner would betray the tenant, so its position and whether it is abroad.
 */
export function neutralLine(task: ProcessorTask, index: number): NeutralProcessorLine {
  return { partner: `partner ${index + 1}`, crossBorder: task.country !== DOMESTIC, ...settlementOf(task) };
}

/** The certificate's partner lines, and whether every partner settled (the erasure may complete). */
export interface ProcessorOutcome {
  settled: boolean;
  lines: CertificateProcessorLine[];
}

/**
 * From a fan-out's result (what it just made or found): no second read. A number's certificate is public
 * (its requester is anyone holding the number), so its lines are neutral; an account's names its partners.
 */
export const outcomeOf = ({ planned, tasks }: TaskState, neutral = false): ProcessorOutcome => ({
  settled: tasks.length === planned && tasks.every(isSettled),
  lines: tasks.map((t, i) => (neutral ? neutralLine(t, i) : certificateLine(t))),
});

export async function processorOutcome(
  app: AppContext,
  request: Pick<RequestDoc, "id" | "pk" | "scope">,
): Promise<ProcessorOutcome> {
  return outcomeOf(await taskState(app, request), request.scope.type !== "account");
}

/** Kinds that tell partners, in the statuses where they may have. */
const TELLS = new Set(["erasure", "consent_withdrawal", "correction"]);
const AFTER_START = new Set(["in_progress", "purging", "purged", "completed"]);

/**
 * The request view's `processors` (GET v1/requests/{id}): each partner, where it stands, its deadline and
 * when it confirmed or why it was waived. Staff and the account's owner see the partner and its task by
 * name; anyone else (a requester by token, a tenant member) the neutral line. Nothing for a request that
 * told no partner.
 */
export async function processorsView(
  app: AppContext,
  doc: RequestDoc,
  relation: Relation,
): Promise<Record<string, unknown>> {
  if (!TELLS.has(doc.kind) || !AFTER_START.has(doc.status)) return {};
  const tasks = await tasksOf(app, doc);
  if (tasks.length === 0) return {};
  const now = app.ports.clock.now().getTime();
  const named = relation === "staff" || relation === "tenant_owner";
  return {
    processors: tasks.map((t, i) => ({
      ...(named ? { taskId: t.id, ...certificateLine(t) } : neutralLine(t, i)),
      overdue: t.status === "open" && Date.parse(t.deadline) < now,
    })),
  };
}
