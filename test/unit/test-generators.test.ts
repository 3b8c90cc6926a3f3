import { describe, expect, it } from "vitest";
import { normaliseWhatsAppNumber } from "../../src/domain/subject";
import { FIXED_EPOCH, testData } from "../support/generators";

/** The seeded test-data generator: the same seed draws the same data, and every number is one the service accepts. */
describe("test data generators", () => {
  it("draws the same sequence for the same seed and another for another seed", () => {
    const draw = (seed: string) => {
      const g = testData(seed);
      return [g.mobile(), g.email(), g.name(), g.clientAddress(), g.time().toISOString()];
    };
    expect(draw("a.test.ts")).toEqual(draw("a.test.ts"));
    expect(draw("a.test.ts")).not.toEqual(draw("b.test.ts"));
  });

  it("mobiles are valid Indian mobile numbers in E.164 that the service normalises to themselves, never repeated", () => {
    for (const seed of [1, 2, 3, "audit-outbox.test.ts"]) {
      const g = testData(seed);
      const numbers = Array.from({ length: 2_000 }, () => g.mobile());
      for (const n of numbers) {
        expect(n).toMatch(/^\+91[6-9]\d{9}$/);
        expect(normaliseWhatsAppNumber(n)).toBe(n);
      }
      expect(new Set(numbers).size).toBe(numbers.length);
    }
  });

  it("emails and client addresses never repeat; times come from the fixed epoch, not the clock", () => {
    const g = testData(7);
    const emails = Array.from({ length: 500 }, () => g.email());
    expect(new Set(emails).size).toBe(500);
    for (const e of emails) expect(e).toMatch(/^[a-z0-9.]+@example\.in$/);
    const addresses = Array.from({ length: 500 }, () => g.clientAddress());
    expect(new Set(addresses).size).toBe(500);
    for (let i = 0; i < 100; i++) {
      const t = g.time(10).getTime();
      expect(t).toBeGreaterThanOrEqual(FIXED_EPOCH.getTime());
      expect(t).toBeLessThanOrEqual(FIXED_EPOCH.getTime() + 10 * 86_400_000);
    }
  });
});
