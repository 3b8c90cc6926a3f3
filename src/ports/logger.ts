/**
 * Structured logs, one logger per invocation (its id and the function's name are on every line).
 *
 * THE RULE: a log line holds ids, counts, outcomes, durations and error CLASS names. Never personal data:
 * no phone number, email, name, address, code, token, free text, and never an error's message (it may
 * quote a number or an address). Logs leave the service (Application Insights, a terminal) and outlive
 * every retention period the service keeps for its own records.
 *
 * The types make the rule hard to break by accident: a string reaches a log only as a {@link SafeId}
 * (made by {@link safeId}, which refuses anything shaped like a number or an address) and an error only
 * as its class ({@link errorClass}); everything else is a number or a boolean.
 */

declare const safe: unique symbol;
/** A string checked to hold no personal data: an id, an outcome, a step or a class name. */
export type SafeId = string & { readonly [safe]: true };

export type LogValue = SafeId | number | boolean;
/** Named counts (per kind, per category): numbers only. */
export type LogCounts = Readonly<Record<string, number>>;
export type LogFields = Readonly<Record<string, LogValue | LogCounts | undefined>>;

export type LogLevel = "debug" | "info" | "warn" | "error";

export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
  /** The same logger with these fields on every line (a run's id, the item in hand). */
  with(fields: LogFields): Logger;
}

/** Who is logging: the function of the table and the host's invocation (or correlation) id. */
export interface LogScope {
  fn: string;
  invocationId: string;
}

/** Process-wide: makes the logger of one invocation. */
export type LoggerFactory = (scope: LogScope) => Logger;

const REDACTED = "[redacted]" as SafeId;
const SAFE = /^[A-Za-z0-9._:/=-]{1,200}$/;
// Ten digits in a row, the first not 0, are a national phone number (India's, and most others): never an id
// of ours (zero-padded counters such as anchor names start with 0). UUIDs (in request and job ids) and W3C
// trace ids (32 hex digits with a letter among them: correlation ids) are set aside first: their hex may hold
// such a run by chance.
const DIGIT_RUN = /[1-9]\d{9}/;
const SEPARATORS = /[-._:/=]/g;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\b(?=\d*[a-f])[0-9a-f]{32}\b/gi;

/**
 * The one way a string enters a log. Characters outside ids' own alphabet (`@`, `+`, spaces…) or a run of
 * ten digits give `[redacted]` instead of the value: a mistake costs a useless line, not a leaked number.
 */
export function safeId(value: string): SafeId {
  // Separators are dropped before looking for a number: 98123-45678, 022.1234.5678 and 0981/234/5678 are
  // numbers too.
  const digitsJoined = value.replace(UUID, "~").replace(SEPARATORS, "");
  return SAFE.test(value) && !DIGIT_RUN.test(digitsJoined) ? (value as SafeId) : REDACTED;
}

/**
 * An error as a log or run record may hold it: its class name, and its kind where it has one
 * (`DomainError:conflict`). Never its message.
 */
export function errorClass(e: unknown): SafeId {
  if (!(e instanceof Error)) return "unknown" as SafeId;
  const kind = (e as { kind?: unknown }).kind;
  return safeId(typeof kind === "string" ? `${e.name}:${kind}` : e.name);
}

/** Says nothing: for use cases called without an invocation (scripts, tests that do not read logs). */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  with: () => silentLogger,
};
