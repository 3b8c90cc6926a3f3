import { describe, expect, it } from "vitest";
import { newCorrelationId } from "../../src/http/route";
import { safeId } from "../../src/ports/logger";
import {
  CORRELATION_ID,
  correlationIdFrom,
  newTraceId,
  parseTraceParent,
} from "../../src/http/trace-context";
import { mulberry32, seedFrom } from "../support/generators";

/** W3C Trace Context, traceparent (https://www.w3.org/TR/trace-context/#traceparent-header). */

const next = mulberry32(seedFrom("test/unit/trace-context.test.ts"));
const seededBytes = (size: number) => Uint8Array.from({ length: size }, () => Math.floor(next() * 256));
const hex = (bytes: number) => Buffer.from(seededBytes(bytes)).toString("hex");

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT = "00f067aa0ba902b7";
const VALID = `00-${TRACE}-${PARENT}-01`;

describe("parseTraceParent", () => {
  it("reads version 00: trace id, parent id, flags", () => {
    expect(parseTraceParent(VALID)).toEqual({ version: "00", traceId: TRACE, parentId: PARENT, flags: "01" });
    expect(parseTraceParent(`00-${TRACE}-${PARENT}-00`)?.flags).toBe("00");
    // Surrounding whitespace is the header's, not the value's.
    expect(parseTraceParent(`  ${VALID} `)?.traceId).toBe(TRACE);
    for (let i = 0; i < 20; i++) {
      const [t, p] = [hex(16), hex(8)];
      expect(parseTraceParent(`00-${t}-${p}-01`)?.traceId).toBe(t);
    }
  });

  it("ignores what version 00 does not allow", () => {
    for (const invalid of [
      undefined,
      null,
      "",
      `00-${TRACE.toUpperCase()}-${PARENT}-01`, // upper-case hex
      `00-${TRACE}-${PARENT.toUpperCase()}-01`,
      `00-${"0".repeat(32)}-${PARENT}-01`, // all-zero trace id
      `00-${TRACE}-${"0".repeat(16)}-01`, // all-zero parent id
      `00-${TRACE.slice(1)}-${PARENT}-01`, // short trace id
      `00-${TRACE}-${PARENT}-1`, // short flags
      `00-${TRACE}-${PARENT}-01-extra`, // version 00 is exactly 55 characters
      `00-${TRACE}-${PARENT}-0g`,
      `00_${TRACE}_${PARENT}_01`,
      `ff-${TRACE}-${PARENT}-01`, // version ff is invalid
      `0x-${TRACE}-${PARENT}-01`,
      `${VALID}, ${VALID}`, // two headers joined
    ])
      expect(parseTraceParent(invalid), String(invalid)).toBeUndefined();
  });

  it("parses a later version from its version 00 fields, when the rest follows a dash", () => {
    expect(parseTraceParent(`cc-${TRACE}-${PARENT}-01`)).toMatchObject({ version: "cc", traceId: TRACE });
    expect(parseTraceParent(`cc-${TRACE}-${PARENT}-01-what-comes-later`)?.parentId).toBe(PARENT);
    expect(parseTraceParent(`cc-${TRACE}-${PARENT}-01x`)).toBeUndefined();
    expect(parseTraceParent(`cc-${TRACE}-${PARENT}`)).toBeUndefined();
    expect(parseTraceParent(`cc-${"0".repeat(32)}-${PARENT}-01-x`)).toBeUndefined();
  });
});

describe("the correlation id is a trace id", () => {
  it("a new one is 32 lowercase hex digits, never all zero, different each time", () => {
    const ids = Array.from({ length: 50 }, () => newTraceId(seededBytes));
    for (const id of ids) expect(id).toMatch(CORRELATION_ID);
    expect(new Set(ids).size).toBe(ids.length);
    let calls = 0;
    const zerosFirst = (size: number) => (calls++ === 0 ? new Uint8Array(size) : seededBytes(size));
    expect(newTraceId(zerosFirst)).not.toBe("0".repeat(32));
    expect(calls).toBe(2);
    expect(newCorrelationId()).toMatch(CORRELATION_ID);
  });

  it("is the first valid traceparent's trace id, else a new trace", () => {
    const other = hex(16);
    expect(correlationIdFrom([VALID, `00-${other}-${PARENT}-01`])).toBe(TRACE);
    expect(correlationIdFrom([undefined, "garbage", `00-${other}-${PARENT}-01`])).toBe(other);
    const fresh = correlationIdFrom([undefined, null, "00-xyz"], seededBytes);
    expect(fresh).toMatch(CORRELATION_ID);
    expect([TRACE, other]).not.toContain(fresh);
  });

  it("passes over a trace id of digits only, which the logs would redact as a number; a new one never is", () => {
    const digitsOnly = "12345678901234567890123456789012";
    expect(safeId(digitsOnly)).toBe("[redacted]");
    const chosen = `00-${digitsOnly}-${PARENT}-01`;
    expect(parseTraceParent(chosen)?.traceId).toBe(digitsOnly);
    const id = correlationIdFrom([chosen], seededBytes);
    expect(id).not.toBe(digitsOnly);
    expect(safeId(id)).toBe(id);
    expect(correlationIdFrom([chosen, VALID])).toBe(TRACE);
    let calls = 0;
    const digitsFirst = (size: number) =>
      calls++ === 0 ? Uint8Array.from({ length: size }, () => 0x12) : seededBytes(size);
    expect(newTraceId(digitsFirst)).toMatch(/[a-f]/);
    expect(calls).toBe(2);
  });
});

describe("a correlation id in a log line", () => {
  it("passes safeId whole, even when its hex holds ten decimal digits in a row", () => {
    // Such runs are common in random trace ids (about one in six): redacting them would lose the id.
    const digitRun = "a1234567890bcdef1234567890abcdef";
    expect(safeId(digitRun)).toBe(digitRun);
    for (let i = 0; i < 200; i++) {
      const id = newTraceId(seededBytes);
      expect(safeId(id)).toBe(id);
    }
    // A number is still a number: 32 decimal digits are not taken for a trace id.
    expect(safeId("98123456789812345678981234567898")).toBe("[redacted]");
    expect(safeId("+919812345678")).toBe("[redacted]");
  });
});
