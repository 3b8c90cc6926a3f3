import { describe, expect, it } from "vitest";
import { firstOccurrence, parseSchedule } from "../../scripts/simulate/schedule";
import { functionTable } from "../../src/function-table";

const at = (iso: string) => Date.parse(iso);

describe("the simulation reads timer schedules as the Functions host does (NCRONTAB, six fields, UTC)", () => {
  it("an hourly schedule fires once an hour, on its minute, and not in a minute that misses it", () => {
    const hourly = parseSchedule("0 0 * * * *");
    expect(firstOccurrence(hourly, at("2026-03-01T10:00:00Z"), at("2026-03-01T10:59:00Z"))).toBeUndefined();
    expect(firstOccurrence(hourly, at("2026-03-01T10:00:00Z"), at("2026-03-01T11:00:00Z"))).toBe(
      at("2026-03-01T11:00:00Z"),
    );
    // The interval is open at its start: a run at the last move is not run again.
    expect(firstOccurrence(hourly, at("2026-03-01T11:00:00Z"), at("2026-03-01T11:30:00Z"))).toBeUndefined();
  });

  it("steps and lists: every quarter hour, and a daily time", () => {
    const quarter = parseSchedule("0 */15 * * * *");
    expect(firstOccurrence(quarter, at("2026-03-01T10:01:00Z"), at("2026-03-01T12:00:00Z"))).toBe(
      at("2026-03-01T10:15:00Z"),
    );
    const daily = parseSchedule("0 30 20 * * *");
    expect(firstOccurrence(daily, at("2026-03-01T20:31:00Z"), at("2026-03-02T20:29:59Z"))).toBeUndefined();
    expect(firstOccurrence(daily, at("2026-03-01T20:31:00Z"), at("2026-03-02T21:00:00Z"))).toBe(
      at("2026-03-02T20:30:00Z"),
    );
    const listed = parseSchedule("0 10,40 * * * *");
    expect(firstOccurrence(listed, at("2026-03-01T10:11:00Z"), at("2026-03-01T11:00:00Z"))).toBe(
      at("2026-03-01T10:40:00Z"),
    );
  });

  it("a schedule at a second other than 0 is walked second by second", () => {
    const odd = parseSchedule("30 * * * * *");
    expect(firstOccurrence(odd, at("2026-03-01T10:00:00Z"), at("2026-03-01T10:01:00Z"))).toBe(
      at("2026-03-01T10:00:30Z"),
    );
  });

  it("refuses what it cannot read rather than guess", () => {
    expect(() => parseSchedule("0 0 * * *")).toThrow(/six fields/);
    expect(() => parseSchedule("0 0-5 * * * *")).toThrow(/minute/);
    expect(() => parseSchedule("0 61 * * * *")).toThrow(/minute/);
  });

  it("reads every schedule of the service's timers", () => {
    const timers = functionTable({ includeDev: true }).flatMap((fn) => (fn.trigger === "timer" ? [fn] : []));
    expect(timers.length).toBeGreaterThan(5);
    for (const fn of timers) {
      const next = firstOccurrence(
        parseSchedule(fn.schedule),
        at("2026-03-01T00:00:00Z"),
        at("2026-03-02T00:00:00Z"),
      );
      expect(next, fn.name).toBeDefined();
    }
  });
});
