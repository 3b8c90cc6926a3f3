import type { Rng } from "./rng";

/** An Indian mobile number in E.164, from the simulation's PRNG. */
export function mobileNumber(rng: Rng): string {
  return `+91${rng.pick(["98", "97", "90", "88", "70"])}${String(rng.int(0, 99_999_999)).padStart(8, "0")}`;
}

/** The same number typed the ways people type it: with spaces, dashes, a trunk 0, no country code. */
export function spellings(e164: string): string[] {
  const n = e164.slice(3); // ten digits after +91
  return [
    e164,
    `+91 ${n.slice(0, 5)} ${n.slice(5)}`,
    `0${n.slice(0, 5)} ${n.slice(5)}`,
    n,
    `91-${n.slice(0, 4)}-${n.slice(4, 7)}-${n.slice(7)}`,
    `(+91) ${n.slice(0, 5)}-${n.slice(5)}`,
    `+91${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`,
  ];
}

export const typed = (rng: Rng, e164: string) => rng.pick(spellings(e164));
