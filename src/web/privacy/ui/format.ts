import { locale, type Language, type Strings } from "../i18n";

/** A date and time in India's time zone, in the page's language. */
export function dateTime(language: Language, iso: string): string {
  return new Intl.DateTimeFormat(locale(language), {
    dateStyle: "long",
    timeStyle: "short",
    timeZone: "Asia/Kolkata",
  }).format(new Date(iso));
}

export function date(language: Language, iso: string): string {
  return new Intl.DateTimeFormat(locale(language), { dateStyle: "long", timeZone: "Asia/Kolkata" }).format(
    new Date(iso),
  );
}

/** An ISO 8601 duration as people say it: P30D → "30 days", PT15M → "15 minutes", P7Y → "7 years". */
export function duration(t: Strings, iso: string): string {
  const m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/.exec(iso);
  if (!m) return iso;
  const parts: string[] = [];
  (["Y", "M", "W", "D", "H", "m"] as const).forEach((unit, i) => {
    const n = Number(m[i + 1] ?? 0);
    const names = t.units[unit];
    if (n > 0 && names) parts.push(`${n} ${n === 1 ? names[0] : names[1]}`);
  });
  return parts.join(" ") || iso;
}
