/**
 * ISO 8601 durations (P30D, P7Y, PT24H): the unit every retention period and deadline is written in,
 * so counsel reads the same string the code runs on. Years and months are calendar units (UTC).
 */
export interface Duration {
  years: number;
  months: number;
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

const PATTERN =
  /^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

export function parseDuration(text: string): Duration | undefined {
  const m = PATTERN.exec(text);
  if (!m) return undefined;
  const n = (i: number) => Number(m[i] ?? 0);
  return { years: n(1), months: n(2), weeks: n(3), days: n(4), hours: n(5), minutes: n(6), seconds: n(7) };
}

export function addDuration(from: Date, duration: Duration | string): Date {
  const d = typeof duration === "string" ? parseDuration(duration) : duration;
  if (!d) throw new Error(`not an ISO 8601 duration: ${String(duration)}`);
  const t = new Date(from.getTime());
  if (d.years || d.months) t.setUTCMonth(t.getUTCMonth() + d.years * 12 + d.months);
  const ms = (((d.weeks * 7 + d.days) * 24 + d.hours) * 60 + d.minutes) * 60_000 + d.seconds * 1000;
  return new Date(t.getTime() + ms);
}

/**
 * The latest start whose period has surely ended by `now`: `now − duration`, exact for durations in
 * weeks, days and clock units. Calendar months and years are not a fixed length (and JavaScript's month
 * arithmetic overflows a short month), so for those the cutoff moves 3 days later: a start it admits may
 * not be due yet, and the caller checks each one against the exact deadline. No due start is left out.
 */
export function latestDueStart(now: Date, duration: Duration | string): Date {
  const d = typeof duration === "string" ? parseDuration(duration) : duration;
  if (!d) throw new Error(`not an ISO 8601 duration: ${String(duration)}`);
  const fixedMs = (((d.weeks * 7 + d.days) * 24 + d.hours) * 60 + d.minutes) * 60_000 + d.seconds * 1000;
  if (!d.years && !d.months) return new Date(now.getTime() - fixedMs);
  const t = new Date(now.getTime() - fixedMs);
  t.setUTCMonth(t.getUTCMonth() - d.years * 12 - d.months);
  return new Date(t.getTime() + 3 * 86_400_000);
}
