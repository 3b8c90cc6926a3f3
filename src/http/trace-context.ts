import { randomBytes } from "node:crypto";

/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/): the `traceparent` header and the trace id that
 * is our correlation id. Pure: no I/O, the random source can be given.
 */

export interface TraceParent {
  version: string;
  /** 32 lowercase hex digits, not all zero. */
  traceId: string;
  /** 16 lowercase hex digits, not all zero: the caller's span. */
  parentId: string;
  /** 2 lowercase hex digits; bit 0 is "sampled". */
  flags: string;
}

const HEX2 = /^[0-9a-f]{2}$/;
// Version 00's fields, lowercase hex only (§3.2.2): an upper-case header is not valid, so not honoured.
const FIELDS = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZEROS = /^0+$/;
/** The length of a version 00 header: 2 + 1 + 32 + 1 + 16 + 1 + 2. */
const V00_LENGTH = 55;

/**
 * Reads a `traceparent` header, or undefined when it is not one to honour: version 00 is exactly
 * `00-<trace id>-<parent id>-<flags>`; version ff is invalid; a later version is parsed as 00 from its
 * first 55 characters, which must be followed by the end or a dash (§3.2.4 "Versioning of traceparent").
 * A trace id or parent id of zeros is invalid (§3.2.2.3, §3.2.2.4). Whatever is invalid is ignored: the
 * request then starts a trace of its own (§3.2.4 "restart the trace").
 */
export function parseTraceParent(header: string | null | undefined): TraceParent | undefined {
  if (!header) return undefined;
  const value = header.trim();
  const version = value.slice(0, 2);
  if (!HEX2.test(version) || version === "ff") return undefined;
  if (version === "00" ? value.length !== V00_LENGTH : value.length < V00_LENGTH) return undefined;
  if (value.length > V00_LENGTH && value[V00_LENGTH] !== "-") return undefined;
  const m = FIELDS.exec(value.slice(0, V00_LENGTH));
  if (!m) return undefined;
  const [, , traceId = "", parentId = "", flags = ""] = m;
  if (ZEROS.test(traceId) || ZEROS.test(parentId)) return undefined;
  return { version, traceId, parentId, flags };
}

/**
 * A trace id that can be our correlation id: one with a hex letter in it. The logs redact any run of ten
 * digits as a possible phone number (src/ports/logger.ts safeId), so a trace id of digits only would log as
 * `[redacted]` and the id a caller quotes would find nothing. Random ids lack a letter with probability
 * (10/16)^32, about 3 in 10^7: a tracer's id practically always has one; a caller who picks digits on purpose
 * gets a trace of our own.
 */
const usable = (traceId: string) => !ZEROS.test(traceId) && /[a-f]/.test(traceId);

/** A fresh trace id: 16 random bytes as 32 lowercase hex digits, never all zero (§3.2.2.3), never digits only. */
export function newTraceId(random: (size: number) => Uint8Array = randomBytes): string {
  for (;;) {
    const id = Buffer.from(random(16)).toString("hex");
    if (usable(id)) return id;
  }
}

/**
 * The correlation id of a request: the trace id of the first valid `traceparent` among the candidates (in
 * Azure the host's own trace context, then the request's header; locally the header), else a new trace.
 * A trace id of digits only is passed over (see `usable`).
 * So the id a caller quotes finds the request, its logs and its dependency calls in one trace.
 */
export function correlationIdFrom(
  candidates: readonly (string | null | undefined)[],
  random?: (size: number) => Uint8Array,
): string {
  for (const candidate of candidates) {
    const parsed = parseTraceParent(candidate);
    if (parsed && usable(parsed.traceId)) return parsed.traceId;
  }
  return newTraceId(random);
}

/** A correlation id as this service makes them: a W3C trace id. */
export const CORRELATION_ID = /^[0-9a-f]{32}$/;
