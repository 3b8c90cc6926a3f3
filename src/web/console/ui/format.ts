/** Dates and durations as staff read them: India time, day first, and time left in words. */
const DATE_TIME = new Intl.DateTimeFormat("en-IN", {
  dateStyle: "medium",
  timeStyle: "short",
  timeZone: "Asia/Kolkata",
});

export function when(iso: string | undefined): string {
  if (!iso) return "—";
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : `${DATE_TIME.format(t)} IST`;
}

/** "2 d 4 h", "5 h 12 min", "40 s": the largest two units. */
export function span(seconds: number): string {
  const s = Math.abs(Math.round(seconds));
  const d = Math.floor(s / 86_400);
  const hr = Math.floor((s % 86_400) / 3600);
  const min = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d} d ${hr} h`;
  if (hr > 0) return `${hr} h ${min} min`;
  if (min > 0) return `${min} min`;
  return `${s % 60} s`;
}

/** Time left, or how late: never by colour alone (the words say "overdue"). */
export function timeLeft(seconds: number): string {
  return seconds < 0 ? `Overdue by ${span(seconds)}` : `${span(seconds)} left`;
}

/** A countdown to the second (the Board's 72 hours). */
export function clock(seconds: number): string {
  const s = Math.abs(Math.floor(seconds));
  const hh = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, "0");
  const ss = String(s % 60).padStart(2, "0");
  return `${hh} h ${mm} min ${ss} s`;
}

/** A code as words: `on_hold` → "on hold", `grievanceResolution` → "grievance resolution". */
export const words = (code: string) =>
  code
    .replace(/_/g, " ")
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .toLowerCase();

export const LANGUAGES: Record<string, string> = { en: "English", hi: "Hindi (हिन्दी)" };
export const languageName = (code: string) => LANGUAGES[code] ?? code;
