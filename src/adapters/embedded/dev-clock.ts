import type { Clock } from "../../ports/clock";

/** The local host's clock: real time plus an offset that POST /api/_dev/clock moves forward. */
export class DevClock implements Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advanceTo(target: Date): Date {
    const delta = target.getTime() - this.now().getTime();
    if (delta > 0) this.offsetMs += delta;
    return this.now();
  }
}

export const systemClock: Clock = { now: () => new Date() };
