/**
 * The Functions host's timer schedules (six-field NCRONTAB: second minute hour day month day-of-week), read
 * the way the host reads them, so the simulation runs a timer only when Azure would have: the reconciliation
 * bounds the checks hold the service to (an hour for a purge, a quarter hour for a partner) are then the
 * schedules' own, not an artefact of the dev clock running every timer on every move.
 * https://learn.microsoft.com/azure/azure-functions/functions-bindings-timer#ncrontab-expressions
 * Supported: `*`, `*\/n`, a number, and comma lists of those: all the service's schedules use.
 */
export interface Schedule {
  matches(at: Date): boolean;
  /** Fires only at second 0 (every schedule of the service): a walk can go a minute at a time. */
  onTheMinute: boolean;
}

const FIELDS = [
  { name: "second", min: 0, max: 59, of: (d: Date) => d.getUTCSeconds() },
  { name: "minute", min: 0, max: 59, of: (d: Date) => d.getUTCMinutes() },
  { name: "hour", min: 0, max: 23, of: (d: Date) => d.getUTCHours() },
  { name: "day", min: 1, max: 31, of: (d: Date) => d.getUTCDate() },
  { name: "month", min: 1, max: 12, of: (d: Date) => d.getUTCMonth() + 1 },
  { name: "day-of-week", min: 0, max: 6, of: (d: Date) => d.getUTCDay() },
] as const;

function field(text: string, min: number, max: number, name: string): (v: number) => boolean {
  const parts = text.split(",").map((part) => {
    if (part === "*") return () => true;
    const step = /^\*\/(\d+)$/.exec(part);
    if (step) {
      const n = Number(step[1]);
      if (n < 1) throw new Error(`${name}: a step of ${n}`);
      return (v: number) => (v - min) % n === 0;
    }
    if (/^\d+$/.test(part) && Number(part) >= min && Number(part) <= max)
      return (v: number) => v === Number(part);
    throw new Error(`${name}: "${part}" is not a form this reader supports`);
  });
  return (v) => parts.some((p) => p(v));
}

export function parseSchedule(expression: string): Schedule {
  const texts = expression.trim().split(/\s+/);
  if (texts.length !== 6) throw new Error(`"${expression}": six fields expected (NCRONTAB with seconds)`);
  const tests = FIELDS.map((f, i) => ({ of: f.of, test: field(texts[i]!, f.min, f.max, f.name) }));
  return { matches: (at) => tests.every((t) => t.test(t.of(at))), onTheMinute: texts[0] === "0" };
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;

/**
 * The first time in (from, to] the schedule fires, if any; the walk stops at the first match.
 */
export function firstOccurrence(schedule: Schedule, from: number, to: number): number | undefined {
  const stepMs = schedule.onTheMinute ? MINUTE : SECOND;
  let t = Math.floor(from / stepMs) * stepMs + stepMs;
  for (; t <= to; t += stepMs) if (schedule.matches(new Date(t))) return t;
  return undefined;
}
