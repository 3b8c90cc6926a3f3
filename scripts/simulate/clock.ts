import type { Runtime } from "../../src/runtime";
import type { Api } from "./api";
import type { ScheduledTimers } from "./timers";

const HOUR = 3_600_000;
/** The queues whose messages carry a promise timed to the minute: the purge at day 30, a set's rotation. */
const TIMED_QUEUES = new Set(["account-purge", "backup-rotation"]);

export interface AgendaItem {
  at: number;
  what: string;
  run: () => Promise<void>;
}

/**
 * The dev clock, moved only through POST /api/_dev/clock (which delivers what is due and runs every timer), and
 * the agenda of things people do (traffic, staff, partners). Each move runs every timer, so moves are what a run
 * costs: the clock moves a step at a time, and stops between steps only where a promise is timed to the minute:
 * exactly when a scheduled account purge falls due (as Service Bus delivers it), at the reconciliation run after
 * a purge whose message went astray, at the partner timer's run after a partner's deadline. A move runs the
 * timers whose schedules fired on the way (./timers.ts).
 * People act at the first stop at or after the time they planned: in batches, as an office does.
 */
export class ClockDriver {
  private agenda: AgendaItem[] = [];
  /** Times the clock call failed (a timer threw) and was asked again. */
  retries = 0;
  /** Clock moves made, and the wall time they took (every timer runs on each). */
  moves = 0;
  moveMs = 0;
  /** Clock calls, redeliveries included. */
  calls = 0;
  /** Stops the clock must make whatever the step: reconciliation passes after a due purge, partner deadlines. */
  private stops: number[] = [];

  constructor(
    private readonly api: Api,
    private readonly rt: Runtime,
    private readonly stepMs: number,
    private readonly timers: ScheduledTimers,
    private readonly onError: (what: string, e: unknown) => void,
  ) {}

  now(): number {
    return this.rt.app.ports.clock.now().getTime();
  }

  at(at: number, what: string, run: () => Promise<void>): void {
    this.agenda.push({ at, what, run });
  }

  /** Moves the clock to `to`: a timer that threw (an injected fault) is run again by asking again. */
  async moveTo(to: number): Promise<void> {
    const t0 = performance.now();
    this.moves += 1;
    try {
      await this.move(to);
      await this.redeliver();
      await this.afterMove?.().catch((e: unknown) => this.onError("after a clock move", e));
    } finally {
      this.moveMs += performance.now() - t0;
    }
  }

  /**
   * Service Bus hands a message whose delivery failed out again within about a minute (its lock abandoned):
   * while a failed delivery is due, the clock moves on by a minute and the scheduler delivers it again.
   */
  private async redeliver(): Promise<void> {
    for (let i = 0; i < 12; i++) {
      const now = this.now();
      const failed = this.rt
        .dev!.scheduler.pending()
        .some((j) => j.deliveryCount > 0 && Date.parse(j.deliverAt) <= now);
      if (!failed) return;
      await this.move(now + 60_000);
    }
  }

  /** A stop the clock makes on its way whatever its step (a reactivation planned for a day of the window). */
  stopAt(at: number): void {
    if (!this.stops.includes(at)) this.stops.push(at);
  }

  /**
   * A stop at the first run of timer `name` after `after` (the reconciliation after a purge whose message went
   * astray, the partner timer after a deadline): the clock passes that run as Azure's host would make it.
   */
  stopAtNextRun(name: string, after: number): void {
    this.stopAt(this.timers.nextRun(name, after));
  }

  private async move(to: number): Promise<void> {
    this.calls += 1;
    for (let attempt = 1; ; attempt++) {
      const res = await this.api.call("POST", "/_dev/clock", { body: { to: new Date(to).toISOString() } });
      if (res.status === 200) return;
      if (attempt >= 5)
        throw new Error(`the dev clock answered ${res.status} five times: ${JSON.stringify(res.body)}`);
      this.retries += 1;
    }
  }

  /**
   * The next account purge or backup rotation the scheduler holds, if before `limit`: the clock stops exactly
   * there, as Service Bus delivers it. One that fell due since the last move (the dev clock runs in real time
   * between moves, so a message due a moment after a stop is passed while people act there) is due now: the
   * clock moves at once.
   */
  private nextTimedMessage(now: number, limit: number): number | undefined {
    let next: number | undefined;
    for (const job of this.rt.dev!.scheduler.pending()) {
      if (!TIMED_QUEUES.has(job.queue)) continue;
      const at = Math.max(Date.parse(job.deliverAt), now + 1);
      if (at < limit && (next === undefined || at < next)) next = at;
    }
    return next;
  }

  /** Runs the clock to `until`, stopping for every agenda item, step and due purge on the way. */
  async runUntil(until: number): Promise<void> {
    for (;;) {
      const now = this.now();
      await this.runDue(now);
      if (now >= until) return;
      let next = Math.min(until, now + this.stepMs);
      for (const at of this.stops) if (at > now && at < next) next = at;
      this.stops = this.stops.filter((at) => at > now);
      next = this.nextTimedMessage(now, next) ?? next;
      await this.moveTo(Math.max(next, now + 1));
    }
  }

  /** Jumps straight to `to`: every timer due on the way fires in one clock move (a fault the service must absorb). */
  async jump(to: number): Promise<void> {
    await this.moveTo(to);
    await this.runDue(this.now());
  }

  private async runDue(now: number): Promise<void> {
    for (;;) {
      const due = this.agenda.filter((i) => i.at <= now).sort((a, b) => a.at - b.at);
      if (due.length === 0) return;
      this.agenda = this.agenda.filter((i) => i.at > now);
      for (const item of due) {
        try {
          await item.run();
        } catch (e) {
          this.onError(item.what, e);
        }
      }
    }
  }

  /** Runs after every move (a partner's inbox is looked at each time). */
  afterMove?: () => Promise<void>;

  pendingAgenda(): number {
    return this.agenda.length;
  }
}

export const hours = (n: number) => n * HOUR;
