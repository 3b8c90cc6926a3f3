import { BREACH_ID } from "../../src/app/breach/model";
import { REQUEST_ID_PATTERN } from "../../src/domain/requests/request-id";

/**
 * The Latin-script words a notice in another script may carry, and nothing else (docs/notices.md):
 *
 * - names: the company's legal name and brand, the Board's English name given once in brackets so the
 *   person can find it, WhatsApp, and "OTP" (the name Indian users know a one-time code by);
 * - addresses: an email address, an http(s) URL (the DPO contact, the Board's channel);
 * - ids: a request id (REQUEST_ID_PATTERN), a breach id (BREACH_ID);
 * - codes: digits (the one-time code, minutes, days; dates are in the reader's script or digits).
 *
 * Anything else written in Latin letters, even one word, is English (or another language's words) in
 * a notice that should have none: `latinRuns` returns each such run, so a test can name it.
 */
export const LATIN_NAMES = [
  "CallMissed Technologies Pvt. Ltd.",
  "Data Protection Board of India",
  "CallMissed",
  "WhatsApp",
  "OTP",
] as const;

const unanchored = (re: RegExp) => new RegExp(re.source.replace(/^\^/, "").replace(/\$$/, ""), "g");

const ALLOWED: RegExp[] = [
  unanchored(REQUEST_ID_PATTERN),
  unanchored(BREACH_ID),
  /https?:\/\/[^\s)]+/g,
  /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g,
  ...LATIN_NAMES.map((n) => new RegExp(n.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "g")),
];

/** Runs of Latin-script words left once the allowed names, addresses, ids and codes are taken out. */
export function latinRuns(text: string): string[] {
  let rest = text;
  for (const re of ALLOWED) rest = rest.replace(re, " ");
  return rest.match(/[A-Za-z][A-Za-z'’]*(?:[\s,;:.()\-–—]+[A-Za-z][A-Za-z'’]*)*/g) ?? [];
}

/** The text with people's own words (typed reasons, breach texts) taken out: they are checked apart. */
export function withoutQuoted(text: string, quoted: readonly string[]): string {
  return quoted.reduce((t, q) => t.split(q).join(" "), text);
}
