import type { Faults } from "../faults";
import type { Inspector } from "../inspector";
import type { Promises } from "./promises";

const DAY = 86_400_000;

/**
 * Whether each injected fault was recovered: the work it hit finished as the policy says (the request erased or
 * closed, the backup set written or rotated, the partner task escalated and settled), nothing dead-lettered.
 */
export async function checkRecovery(
  inspector: Inspector,
  faults: Faults,
  dead: readonly { body: Record<string, unknown> }[],
  promises: Promises,
  now: number,
  chains: Map<string, Record<string, unknown>[]>,
  retried: ReadonlySet<string>,
): Promise<void> {
  const requests = new Map((await inspector.serviceDocs("requests", "request")).map((d) => [d.id, d]));
  const sets = new Map((await inspector.serviceDocs("backups", "backup-set")).map((d) => [d.id, d]));
  const tasks = new Map((await inspector.serviceDocs("requests", "processor-task")).map((d) => [d.id, d]));
  const deadFor = (id: string) => dead.some((j) => j.body.requestId === id || j.body.setId === id);
  const deadlinesHeld = promises
    .list()
    .filter((p) =>
      [
        "purge_at_day_30",
        "purge_not_before_day_30",
        "number_erasure_30d",
        "request_answered_in_time",
        "grievance_resolved_15d",
        "grievance_acknowledged_24h",
        "breach_board_72h",
        "partner_confirmed_or_escalated",
      ].includes(p.id),
    )
    .every((p) => p.held);
  for (const f of faults.records) {
    let ok: boolean;
    let why = "";
    switch (f.target.type) {
      case "request": {
        const doc = requests.get(f.target.id);
        const status = doc?.status as string | undefined;
        ok =
          doc !== undefined &&
          // Completed is done, even if a failure recorded on the way was left on the document (reported).
          (doc.failure === undefined || status === "completed") &&
          ["completed", "purged", "cancelled", "rejected"].includes(status!) &&
          !deadFor(f.target.id);
        why = `request ${f.target.id} ended ${status ?? "missing"}${doc?.failure ? " with a failure" : ""}`;
        // A failure the executor recorded (it catches what it can) waits for staff: their retry resumed it.
        const failedThenRetried = (chains.get(f.target.id) ?? []).some(
          (e) =>
            typeof e.action === "string" &&
            e.action.includes("fail") &&
            Date.parse(String(e.at)) >= Date.parse(f.at),
        );
        if (ok && failedThenRetried && retried.has(f.target.id))
          f.recoveredBy = "staff retry from checkpoint";
        break;
      }
      case "backup": {
        const set = sets.get(f.target.id);
        const expired = set !== undefined && Date.parse(set.expiresAt as string) + DAY < now;
        ok =
          set !== undefined &&
          (expired ? set.status === "rotated" : ["active", "rotated"].includes(set.status as string)) &&
          !deadFor(f.target.id);
        why = `backup set ${f.target.id} ended ${(set?.status as string) ?? "missing"}`;
        break;
      }
      case "processor-task": {
        const task = tasks.get(f.target.id);
        ok = task !== undefined && task.status !== "open" && task.overdueAt !== undefined;
        why = `partner task ${f.target.id}: ${(task?.status as string) ?? "missing"}, escalated ${task?.overdueAt ? "yes" : "no"}`;
        break;
      }
      case "none":
        ok = dead.length === 0 && (f.kind !== "clock_jump" || deadlinesHeld);
        why = f.kind === "clock_jump" ? "a deadline broke" : "work was dead-lettered";
        break;
    }
    f.recovered = ok;
    promises.check("faults_recovered", ok, () => `fault ${f.id} (${f.kind}, day ${f.day}): ${why}`);
  }
}
