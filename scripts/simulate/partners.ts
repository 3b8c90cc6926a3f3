import type { Api } from "./api";
import type { ClockDriver } from "./clock";
import { hours } from "./clock";
import type { Faults } from "./faults";
import type { Inspector } from "./inspector";
import type { SimulationOptions } from "./options";
import type { Rng } from "./rng";
import type { World } from "./world";

type Behaviour = "prompt" | "late" | "silent";

/**
 * Service partners and the privacy officer who records what they say (their confirmations come by email or a
 * topic here: the officer records them, POST …/processor-tasks/{id}/resolution). Each partner task, once seen,
 * is answered promptly, late (after its deadline: the service must have escalated it), or never (the officer
 * waives it once it is escalated, with the reason).
 */
export class Partners {
  private readonly seen = new Map<string, Behaviour>();

  constructor(
    private readonly api: Api,
    private readonly world: World,
    private readonly rng: Rng,
    private readonly clock: ClockDriver,
    private readonly inspector: Inspector,
    private readonly faults: Faults,
    private readonly options: SimulationOptions,
  ) {}

  /** One look at the tasks partners have been sent (what their inboxes hold). */
  async pass(): Promise<void> {
    const tasks = await this.inspector.serviceDocs("requests", "processor-task");
    for (const task of tasks) {
      const id = task.id;
      if (task.status !== "open") continue;
      // The partner timer's next run after the task's next due action (its notice, reminder or deadline): where
      // Azure's quarter-hourly timer would do it, whatever the clock's step.
      if (typeof task.nextActionAt === "string")
        this.clock.stopAtNextRun(
          "processorTasks",
          Math.max(Date.parse(task.nextActionAt) - 1, this.clock.now()),
        );
      if (this.seen.has(id)) continue;
      const behaviour = this.behaviour();
      this.seen.set(id, behaviour);
      const deadline = Date.parse(task.deadline as string);
      const resolve = (body: Record<string, unknown>) => async () => {
        const res = await this.api.call("POST", `/v1/processor-tasks/${encodeURIComponent(id)}/resolution`, {
          token: await this.world.token("privacy_officer"),
          body,
        });
        // 409: already settled (the request was cancelled meanwhile): nothing left to record.
        if (res.status !== 200 && res.status !== 409)
          throw new Error(`resolution of a partner task answered ${res.status}: ${JSON.stringify(res.body)}`);
      };
      if (behaviour === "prompt") {
        // Answered early enough that the officer's batch (up to a day later) still records it in time.
        const at =
          this.clock.now() +
          this.rng.int(hours(1), Math.max(hours(1), deadline - this.clock.now() - hours(25)));
        this.clock.at(
          at,
          "partner confirms",
          resolve({ outcome: "confirmed", note: "Partner replied: deleted." }),
        );
      }
      if (behaviour === "late") {
        this.faults.record(
          "partner_late",
          { type: "processor-task", id },
          "overdue escalation, then staff resolution",
        );
        this.clock.at(
          deadline + this.rng.int(hours(1), hours(48)),
          "late partner confirms",
          resolve({ outcome: "confirmed", note: "Partner replied late: deleted." }),
        );
      } else if (behaviour === "silent") {
        this.faults.record(
          "partner_silent",
          { type: "processor-task", id },
          "overdue escalation, then staff resolution",
        );
        this.clock.at(
          deadline + this.rng.int(hours(24), hours(72)),
          "officer waives a silent partner",
          resolve({
            outcome: "waived",
            reason: "partner_ceased_operations",
            note: "No reply to three reminders.",
          }),
        );
      }
    }
  }

  private behaviour(): Behaviour {
    if (this.faults.takeForced("partner_silent")) return "silent";
    if (this.faults.takeForced("partner_late")) return "late";
    const r = this.rng.next();
    if (r < this.options.partnerSilentRate) return "silent";
    if (r < this.options.partnerSilentRate + this.options.partnerLateRate) return "late";
    return "prompt";
  }
}
