import { parsePhoneNumberFromString } from "libphonenumber-js/max";

/**
 * Test data from a seed, never from the wall clock or `Math.random`: a failing run replays exactly.
 * (A number built from the time was invalid about one run in ten, when its digits started with zeros.)
 *
 * Values are unique within one generator (a counter beside the PRNG), which is all a test file needs:
 * every file runs on its own databases (test/support/env.ts), so nothing is shared across files or runs.
 */

/** A fixed instant for records, packages and certificates that need "a time", not "now". */
export const FIXED_EPOCH = new Date("2026-01-15T04:30:00.000Z");

/** mulberry32: a tiny 32-bit PRNG, good enough to spread test data, and the same for the same seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A seed from a name (the test file's, say), so each file draws its own sequence. */
export function seedFrom(name: string): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return h >>> 0;
}

export interface TestData {
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  /** A valid Indian mobile number in E.164, `+91` then 10 digits starting 6–9; never the same twice. */
  mobile(): string;
  /** An email at a reserved domain; never the same twice. */
  email(label?: string): string;
  /** A person's name from a small list (not unique). */
  name(): string;
  /** A client address for `X-Forwarded-For`, in 10.0.0.0/8; never the same twice. */
  clientAddress(): string;
  /** `FIXED_EPOCH` plus a drawn number of minutes within `withinDays` days. */
  time(withinDays?: number): Date;
}

const FIRST = ["Aarav", "Diya", "Ishaan", "Kavya", "Meera", "Rohan", "Saanvi", "Vihaan", "Ananya", "Kabir"];
const LAST = ["Sharma", "Iyer", "Patel", "Reddy", "Das", "Nair", "Singh", "Gupta", "Menon", "Khan"];

/** A generator of test data for one seed (use `seedFrom("<file name>")` for a file's own sequence). */
export function testData(seed: number | string): TestData {
  const next = mulberry32(typeof seed === "string" ? seedFrom(seed) : seed);
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const seen = new Set<string>();
  let counter = 0;
  const unique = (make: () => string): string => {
    for (;;) {
      const value = make();
      if (!seen.has(value)) {
        seen.add(value);
        return value;
      }
    }
  };
  return {
    int,
    mobile: () =>
      unique(() => {
        // Drawn until the check the service makes (libphonenumber-js, full metadata) accepts it: a few
        // series under 6–9 are unallocated, and a test number must never be one of them.
        for (;;) {
          const number = `+91${int(6, 9)}${String(int(0, 999_999_999)).padStart(9, "0")}`;
          if (parsePhoneNumberFromString(number)?.isValid()) return number;
        }
      }),
    email: (label = "person") =>
      unique(() => `${label}.${(counter++).toString(36)}${int(100, 999)}@example.in`),
    name: () => `${FIRST[int(0, FIRST.length - 1)]} ${LAST[int(0, LAST.length - 1)]}`,
    clientAddress: () => unique(() => `10.${int(0, 255)}.${int(0, 255)}.${int(1, 254)}`),
    time: (withinDays = 30) => new Date(FIXED_EPOCH.getTime() + int(0, withinDays * 24 * 60) * 60_000),
  };
}
