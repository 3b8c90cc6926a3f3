import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { addDuration, latestDueStart, parseDuration } from "../../src/domain/duration";
import { hashWhatsAppNumber, normaliseWhatsAppNumber, subjectPartition } from "../../src/domain/subject";

describe("normaliseWhatsAppNumber", () => {
  it.each([
    "+91 98123 45678",
    "098123 45678",
    "9812345678",
    "919812345678",
    "0091 98123 45678",
    "+91-98123-45678",
    "  +91 (981) 234-5678  ",
  ])("reads %j as +919812345678", (raw) => {
    expect(normaliseWhatsAppNumber(raw)).toBe("+919812345678");
  });

  it("keeps other countries' numbers in E.164", () => {
    expect(normaliseWhatsAppNumber("+44 20 7946 0958")).toBe("+442079460958");
  });

  it.each(["", "   ", "abc", "12345", "+91 98123 4567", "98123456789", "0000000000", "+91", "+999 1234567"])(
    "refuses %j",
    (raw) => {
      expect(normaliseWhatsAppNumber(raw)).toBeUndefined();
    },
  );
});

describe("hashWhatsAppNumber", () => {
  const key = randomBytes(32);

  it("is stable for one key and number", () => {
    const a = hashWhatsAppNumber(key, "+919812345678");
    expect(hashWhatsAppNumber(Buffer.from(key), "+919812345678")).toBe(a);
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/); // HMAC-SHA256, base64url
  });

  it("is keyed: another key gives another hash", () => {
    const other = Buffer.from(key);
    other[0] = other[0]! ^ 1;
    expect(hashWhatsAppNumber(other, "+919812345678")).not.toBe(hashWhatsAppNumber(key, "+919812345678"));
  });

  it("separates numbers, and never contains the number", () => {
    const a = hashWhatsAppNumber(key, "+919812345678");
    expect(hashWhatsAppNumber(key, "+919812345679")).not.toBe(a);
    expect(a).not.toContain("9812345678");
  });

  it("gives every spelling of one number the same hash once normalised", () => {
    const hashes = new Set(
      ["+91 98123 45678", "098123 45678", "0091 98123 45678"].map((raw) =>
        hashWhatsAppNumber(key, normaliseWhatsAppNumber(raw)!),
      ),
    );
    expect(hashes.size).toBe(1);
  });

  it("partitions subjects by tenant or by number hash", () => {
    const h = hashWhatsAppNumber(key, "+919812345678");
    expect(subjectPartition({ type: "tenant", tenantId: "t-123" })).toBe("tenant:t-123");
    expect(subjectPartition({ type: "whatsapp", numberHash: h })).toBe(`wa:${h}`);
  });
});

describe("ISO 8601 durations", () => {
  const zero = { years: 0, months: 0, weeks: 0, days: 0, hours: 0, minutes: 0, seconds: 0 };

  it.each([
    ["P30D", { days: 30 }],
    ["P7Y", { years: 7 }],
    ["PT24H", { hours: 24 }],
    ["P1DT2H", { days: 1, hours: 2 }],
    ["P90D", { days: 90 }],
    ["PT2H30M15S", { hours: 2, minutes: 30, seconds: 15 }],
    ["P1Y2M3W4DT5H6M7S", { years: 1, months: 2, weeks: 3, days: 4, hours: 5, minutes: 6, seconds: 7 }],
  ])("parses %s", (text, parts) => {
    expect(parseDuration(text)).toEqual({ ...zero, ...parts });
  });

  it.each(["", "P", "PT", "30D", "P1.5D", "P-1D", "p30d", "P1H", "PT1D", " P30D", "P30D ", "P1DT"])(
    "refuses %j",
    (text) => {
      expect(parseDuration(text)).toBeUndefined();
    },
  );

  const from = new Date("2024-03-15T10:20:30.000Z");

  it("adds days and hours as exact spans", () => {
    expect(addDuration(from, "P30D").toISOString()).toBe("2024-04-14T10:20:30.000Z");
    expect(addDuration(from, "PT24H").toISOString()).toBe("2024-03-16T10:20:30.000Z");
    expect(addDuration(from, "P1DT2H").toISOString()).toBe("2024-03-16T12:20:30.000Z");
    expect(addDuration(from, "P2W").toISOString()).toBe("2024-03-29T10:20:30.000Z");
  });

  it("adds years and months on the calendar, not as fixed spans", () => {
    // 7 × 365 days would land on 2031-03-14 (2028 is a leap year): the calendar keeps the date.
    expect(addDuration(from, "P7Y").toISOString()).toBe("2031-03-15T10:20:30.000Z");
    expect(addDuration(from, "P1M").toISOString()).toBe("2024-04-15T10:20:30.000Z");
    expect(addDuration(new Date("2024-12-10T00:00:00Z"), "P1M").toISOString()).toBe(
      "2025-01-10T00:00:00.000Z",
    );
  });

  it("accepts a parsed duration and leaves its input date alone", () => {
    const input = new Date(from.getTime());
    expect(addDuration(input, parseDuration("P30D")!).toISOString()).toBe("2024-04-14T10:20:30.000Z");
    expect(input.getTime()).toBe(from.getTime());
  });

  it("throws on a string that is not a duration", () => {
    expect(() => addDuration(from, "30 days")).toThrow(/ISO 8601/);
  });
});

describe("latestDueStart (the cutoff a timer asks the index for)", () => {
  const now = new Date("2026-03-31T10:00:00.000Z");
  it("is now minus the period for clock and day units", () => {
    expect(latestDueStart(now, "PT24H").toISOString()).toBe("2026-03-30T10:00:00.000Z");
    expect(latestDueStart(now, "P7D").toISOString()).toBe("2026-03-24T10:00:00.000Z");
  });

  it("never leaves out a start whose period has ended, calendar months included", () => {
    const durations = ["PT24H", "P7D", "P1M", "P3M", "P1Y", "P1M2D", "P2W"];
    fc.assert(
      fc.property(
        fc.constantFrom(...durations),
        fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2027, 0, 1) }),
        fc.integer({ min: 0, max: 800 * 86_400_000 }),
        (duration, startMs, waitMs) => {
          const start = new Date(startMs);
          const at = new Date(startMs + waitMs);
          if (addDuration(start, duration) <= at) expect(start <= latestDueStart(at, duration)).toBe(true);
        },
      ),
    );
  });
});
