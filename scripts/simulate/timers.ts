import { DevClock } from "../../src/adapters/embedded/dev-clock";
import { functionTable } from "../../src/function-table";
import type { Runtime } from "../../src/runtime";
import { firstOccurrence, parseSchedule, type Schedule } from "./schedule";

interface Timer {
  name: string;
  schedule: Schedule;
  run: () => Promise<void>;
}

/**
 * The timers as Azure runs them. The local host's dev clock runs every timer on every move; here a move runs
 * a timer only when its schedule fires between the last move and this one (once, however many times it
 * fired: the host does not replay missed runs either), after the due messages are delivered, as the dev
 * clock does. A move of a minute then costs what it costs in Azure (usually nothing), and a reconciliation
 * found late is late by the schedule, not hidden by a timer that ran early.
 */
export class ScheduledTimers {
  private readonly timers: Timer[];
  private last: number;
  /** Runs made and wall time taken, per timer (where a run's time went). */
  readonly runs: Record<string, { runs: number; ms: number }> = {};

  constructor(private readonly rt: Runtime) {
    const clock = rt.app.ports.clock;
    if (!(clock instanceof DevClock)) throw new Error("the simulation needs the local host's dev clock");
    this.timers = functionTable({ includeDev: true }).flatMap((fn) =>
      fn.trigger === "timer"
        ? [{ name: fn.name, schedule: parseSchedule(fn.schedule), run: () => fn.handle(rt) }]
        : [],
    );
    this.last = clock.now().getTime();
  }

  /** Takes the dev clock's move over: POST /api/_dev/clock then runs only the timers due by schedule. */
  install(): void {
    const dev = this.rt.dev!;
    const clock = this.rt.app.ports.clock as DevClock;
    dev.advanceClock = async (to) => {
      clock.advanceTo(to);
      await dev.deliverDue();
      const now = clock.now().getTime();
      for (const t of this.timers) {
        if (firstOccurrence(t.schedule, this.last, now) === undefined) continue;
        const t0 = performance.now();
        await t.run();
        const seen = (this.runs[t.name] ??= { runs: 0, ms: 0 });
        seen.runs += 1;
        seen.ms += performance.now() - t0;
      }
      this.last = now;
      return clock.now();
    };
  }

  /** The first run of timer `name` after `after`: where the clock must stop for that run to happen on time. */
  nextRun(name: string, after: number): number {
    const timer = this.timers.find((t) => t.name === name);
    if (!timer) throw new Error(`no timer named ${name}`);
    const at = firstOccurrence(timer.schedule, after, after + 32 * 86_400_000);
    if (at === undefined)
      throw new Error(`${name} does not run within a month of ${new Date(after).toISOString()}`);
    return at;
  }
}
