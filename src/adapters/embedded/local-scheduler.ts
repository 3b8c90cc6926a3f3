import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { z } from "zod";
import type { Clock } from "../../ports/clock";
import { QueueName, type ScheduledMessage, type Scheduler, WORK_QUEUES } from "../../ports/scheduler";

const Job = z.object({
  ticket: z.string(),
  queue: QueueName,
  messageId: z.string(),
  body: z.record(z.string(), z.unknown()),
  deliverAt: z.string(),
  deliveryCount: z.number().int().min(0),
});
type Job = z.infer<typeof Job>;
const State = z.object({ sequence: z.number().int(), pending: z.array(Job), deadLettered: z.array(Job) });
type State = z.infer<typeof State>;

export type Delivery = (
  queue: QueueName,
  body: unknown,
  meta: { messageId: string; deliveryCount: number },
) => Promise<void>;

/**
 * Stands in for Service Bus scheduled messages on one machine: same port, tickets as sequence
 * numbers, jobs persisted to a file so a restart keeps them, delivered when the clock reaches them.
 * A handler that throws is retried up to maxDeliveryCount, then dead-lettered, as Service Bus does.
 *
 * Work queues (WORK_QUEUES: request execution, backup sets) are the exception to "delivered when the
 * clock reaches it": a message on one of them that is due now is delivered at once, inside `schedule`,
 * which waits for its handler. In Azure the HTTP call that sends it answers before the work runs; here
 * it answers after, as it did when the work ran inline, so the local host and the e2e suite need no
 * clock move to see a verified request executed. A handler that throws is a failed delivery exactly as
 * in a pass (counted, left pending for the next pass, dead-lettered at maxDeliveryCount), never an
 * error of `schedule`. Such a delivery runs outside the pass queue (a handler may itself schedule work,
 * even from inside a pass), and a pass skips a message while it is being delivered.
 */
export class LocalScheduler implements Scheduler {
  private state: State;
  private deliver?: Delivery;
  private running: Promise<number> = Promise.resolve(0);
  /** Tickets being delivered right now (a prompt delivery): a pass leaves them alone. */
  private readonly inFlight = new Set<string>();
  private readonly prompt: ReadonlySet<QueueName>;

  constructor(
    private readonly clock: Clock,
    private readonly file?: string,
    private readonly maxDeliveryCount = 10,
    promptQueues: readonly QueueName[] = WORK_QUEUES,
  ) {
    this.state = this.load();
    this.prompt = new Set(promptQueues);
  }

  /** The host wires delivery after the function table exists (the table needs this scheduler). */
  onDeliver(deliver: Delivery): void {
    this.deliver = deliver;
  }

  async schedule(message: ScheduledMessage): Promise<string> {
    this.state.sequence += 1;
    const ticket = String(this.state.sequence);
    const job: Job = {
      ticket,
      queue: message.queue,
      messageId: message.messageId,
      body: message.body,
      deliverAt: message.deliverAt.toISOString(),
      deliveryCount: 0,
    };
    const promptly =
      this.deliver !== undefined &&
      this.prompt.has(message.queue) &&
      message.deliverAt.getTime() <= this.clock.now().getTime();
    // Marked before anything is awaited, so a pass running meanwhile never takes it too.
    if (promptly) this.inFlight.add(ticket);
    this.state.pending.push(job);
    this.save();
    if (promptly) await this.attempt(job);
    return ticket;
  }

  async cancel(queue: QueueName, ticket: string): Promise<"cancelled" | "not_found"> {
    // As on Service Bus, a message that has fired (delivered once, even if it failed and waits for a
    // retry, or is being handled right now) can no longer be cancelled: its ticket is "not_found".
    const i = this.state.pending.findIndex(
      (j) => j.queue === queue && j.ticket === ticket && j.deliveryCount === 0,
    );
    if (i < 0) return "not_found";
    this.state.pending.splice(i, 1);
    this.save();
    return "cancelled";
  }

  pending(): readonly Job[] {
    return this.state.pending;
  }

  deadLettered(): readonly Job[] {
    return this.state.deadLettered;
  }

  /** Delivers every job due by now, one pass at a time (calls queue behind each other). */
  deliverDue(): Promise<number> {
    this.running = this.running.then(
      () => this.pass(),
      () => this.pass(),
    );
    return this.running;
  }

  private async pass(): Promise<number> {
    if (!this.deliver) return 0;
    let delivered = 0;
    // A failing job is tried once per pass, so it neither spins here nor blocks the jobs behind it.
    const tried = new Set<string>();
    for (;;) {
      const now = this.clock.now().getTime();
      const due = this.state.pending
        .filter((j) => Date.parse(j.deliverAt) <= now && !tried.has(j.ticket) && !this.inFlight.has(j.ticket))
        .sort(
          (a, b) => Date.parse(a.deliverAt) - Date.parse(b.deliverAt) || Number(a.ticket) - Number(b.ticket),
        )[0];
      if (!due) return delivered;
      tried.add(due.ticket);
      this.inFlight.add(due.ticket);
      if (await this.attempt(due)) delivered += 1;
    }
  }

  /** One delivery of a job the caller marked in flight: true when its handler returned. */
  private async attempt(job: Job): Promise<boolean> {
    const deliver = this.deliver;
    try {
      if (!deliver) return false;
      job.deliveryCount += 1;
      // Counted before the handler runs, as Service Bus counts a delivery when it hands it out: a
      // handler that takes the process down with it still reaches maxDeliveryCount after restarts.
      this.save();
      try {
        await deliver(job.queue, job.body, { messageId: job.messageId, deliveryCount: job.deliveryCount });
        this.remove(job);
        return true;
      } catch {
        if (job.deliveryCount >= this.maxDeliveryCount) {
          this.remove(job);
          this.state.deadLettered.push(job);
        }
        this.save();
        return false;
      }
    } finally {
      this.inFlight.delete(job.ticket);
    }
  }

  private remove(job: Job): void {
    this.state.pending = this.state.pending.filter((j) => j !== job);
    this.save();
  }

  private load(): State {
    if (!this.file) return { sequence: 0, pending: [], deadLettered: [] };
    try {
      return State.parse(JSON.parse(readFileSync(this.file, "utf8")));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT")
        return { sequence: 0, pending: [], deadLettered: [] };
      throw new Error(`The local scheduler's file ${this.file} is unreadable; delete it to start afresh`, {
        cause: e,
      });
    }
  }

  private save(): void {
    if (!this.file) return;
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.state));
    renameSync(tmp, this.file); // atomic: a crash mid-write never leaves half a file
  }
}
