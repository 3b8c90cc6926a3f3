import { appendFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
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
/** The snapshot file. `journaled`: the last journal entry it includes (entries up to it are skipped). */
const State = z.object({
  sequence: z.number().int(),
  pending: z.array(Job),
  deadLettered: z.array(Job),
  journaled: z.number().int().min(0).default(0),
});
/** One change, a line of the journal beside the snapshot; `n` counts entries across compactions. */
const Entry = z.discriminatedUnion("op", [
  z.object({ n: z.number().int(), op: z.literal("add"), job: Job }),
  z.object({
    n: z.number().int(),
    op: z.literal("count"),
    ticket: z.string(),
    deliveryCount: z.number().int(),
  }),
  z.object({ n: z.number().int(), op: z.literal("remove"), ticket: z.string() }),
  z.object({ n: z.number().int(), op: z.literal("dead"), ticket: z.string() }),
]);
type Change =
  | { op: "add"; job: Job }
  | { op: "count"; ticket: string; deliveryCount: number }
  | { op: "remove"; ticket: string }
  | { op: "dead"; ticket: string };

/** Journal entries written before the snapshot is rewritten: at least this, and 2× what the snapshot holds. */
const MIN_COMPACT_ENTRIES = 1024;

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
 * Persistence costs O(1) per change, however many timers wait: each change (a message scheduled, a
 * delivery counted, a message removed or dead-lettered) is one line appended synchronously to a journal
 * (`<file>.journal`) before the call returns, so a crash or a restart loses nothing already answered.
 * The snapshot (`<file>`, written whole and renamed into place) is rewritten only once the journal holds
 * more than max(1 024, 2 × the jobs it holds) entries, and at start; it names the last entry it includes, so a
 * crash between the two files replays nothing twice. A start replays the journal over the snapshot
 * (a last line cut short by a crash mid-append is ignored: that change was never answered).
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
  private sequence = 0;
  /** What waits, by ticket (in the order scheduled): cancel and removal are O(1). */
  private readonly jobs = new Map<string, Job>();
  private readonly dead: Job[] = [];
  /** The last journal entry written (or replayed), and how many the journal file holds now. */
  private entries = 0;
  private journalLength = 0;
  /** An append failed part-way: the journal may end in part of a line until it is rewritten. */
  private journalTorn = false;
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
    this.load();
    this.prompt = new Set(promptQueues);
  }

  private get journal(): string | undefined {
    return this.file === undefined ? undefined : `${this.file}.journal`;
  }

  /** The host wires delivery after the function table exists (the table needs this scheduler). */
  onDeliver(deliver: Delivery): void {
    this.deliver = deliver;
  }

  async schedule(message: ScheduledMessage): Promise<string> {
    this.sequence += 1;
    const ticket = String(this.sequence);
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
    this.record({ op: "add", job });
    if (promptly) await this.attempt(job);
    return ticket;
  }

  async cancel(queue: QueueName, ticket: string): Promise<"cancelled" | "not_found"> {
    // As on Service Bus, a message that has fired (delivered once, even if it failed and waits for a
    // retry, or is being handled right now) can no longer be cancelled: its ticket is "not_found".
    const job = this.jobs.get(ticket);
    if (!job || job.queue !== queue || job.deliveryCount !== 0) return "not_found";
    this.record({ op: "remove", ticket });
    return "cancelled";
  }

  pending(): readonly Job[] {
    return [...this.jobs.values()];
  }

  deadLettered(): readonly Job[] {
    return this.dead;
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
      // The earliest due (then the first scheduled): one look at each waiting job, no sort.
      let due: Job | undefined;
      let dueAt = Infinity;
      for (const j of this.jobs.values()) {
        const at = Date.parse(j.deliverAt);
        if (at > now || at >= dueAt || tried.has(j.ticket) || this.inFlight.has(j.ticket)) continue;
        due = j;
        dueAt = at;
      }
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
      // Counted before the handler runs, as Service Bus counts a delivery when it hands it out: a
      // handler that takes the process down with it still reaches maxDeliveryCount after restarts.
      job.deliveryCount += 1;
      this.record({ op: "count", ticket: job.ticket, deliveryCount: job.deliveryCount });
      try {
        await deliver(job.queue, job.body, { messageId: job.messageId, deliveryCount: job.deliveryCount });
        this.record({ op: "remove", ticket: job.ticket });
        return true;
      } catch {
        if (job.deliveryCount >= this.maxDeliveryCount) this.record({ op: "dead", ticket: job.ticket });
        return false;
      }
    } finally {
      this.inFlight.delete(job.ticket);
    }
  }

  /**
   * Journals a change, then applies it in memory (before the caller goes on): a change the journal
   * refused (a full disk) is not applied, so the caller's error and the state agree. A refused append may
   * have left part of a line: the journal is rewritten from the state first, so nothing is appended to it.
   */
  private record(change: Change): void {
    const journal = this.journal;
    if (!journal) {
      this.apply(change);
      return;
    }
    if (this.journalTorn) this.compact();
    if (this.journalLength === 0) mkdirSync(dirname(journal), { recursive: true });
    try {
      appendFileSync(journal, `${JSON.stringify({ n: this.entries + 1, ...change })}\n`);
    } catch (e) {
      this.journalTorn = true;
      throw e;
    }
    this.entries += 1;
    this.apply(change);
    this.journalLength += 1;
    if (this.journalLength > Math.max(MIN_COMPACT_ENTRIES, 2 * (this.jobs.size + this.dead.length)))
      this.compact();
  }

  private apply(change: Change): void {
    switch (change.op) {
      case "add":
        this.jobs.set(change.job.ticket, change.job);
        this.sequence = Math.max(this.sequence, Number(change.job.ticket));
        return;
      case "count": {
        const job = this.jobs.get(change.ticket);
        if (job) job.deliveryCount = change.deliveryCount;
        return;
      }
      case "remove":
        this.jobs.delete(change.ticket);
        return;
      case "dead": {
        const job = this.jobs.get(change.ticket);
        if (!job) return;
        this.jobs.delete(change.ticket);
        this.dead.push(job);
        return;
      }
    }
  }

  private load(): void {
    if (!this.file) return;
    const unreadable = (file: string, cause: unknown) =>
      new Error(`The local scheduler's file ${file} is unreadable; delete it to start afresh`, { cause });
    const snapshot = readIfExists(this.file);
    if (snapshot !== undefined) {
      try {
        const state = State.parse(JSON.parse(snapshot));
        this.sequence = state.sequence;
        for (const job of state.pending) this.jobs.set(job.ticket, job);
        this.dead.push(...state.deadLettered);
        this.entries = state.journaled;
      } catch (e) {
        throw unreadable(this.file, e);
      }
    }
    const journal = this.journal!;
    const text = readIfExists(journal);
    if (!text) return;
    const lines = text.split("\n");
    for (const [i, line] of lines.entries()) {
      if (line === "") continue;
      let entry: z.infer<typeof Entry>;
      try {
        entry = Entry.parse(JSON.parse(line));
      } catch (e) {
        // The last line without its newline: an append cut short by a crash, never acknowledged.
        if (i === lines.length - 1) break;
        throw unreadable(journal, e);
      }
      // Already in the snapshot (a crash came between writing it and emptying the journal).
      if (entry.n <= this.entries) continue;
      const { n, ...change } = entry;
      this.apply(change);
      this.entries = n;
    }
    // Starts from a snapshot of all of it and an empty journal (so a cut line is never appended to).
    this.compact();
  }

  /** Writes the whole state as the snapshot (atomically: a crash mid-write never leaves half a file), then empties the journal. */
  private compact(): void {
    if (!this.file) return;
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    writeFileSync(
      tmp,
      JSON.stringify({
        sequence: this.sequence,
        pending: [...this.jobs.values()],
        deadLettered: this.dead,
        journaled: this.entries,
      }),
    );
    renameSync(tmp, this.file);
    writeFileSync(this.journal!, "");
    this.journalLength = 0;
    this.journalTorn = false;
  }
}

function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}
