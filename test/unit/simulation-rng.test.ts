import { describe, expect, it } from "vitest";
import { Rng } from "../../scripts/simulate/rng";
import { mobileNumber, spellings } from "../../scripts/simulate/numbers";
import { normaliseWhatsAppNumber } from "../../src/domain/subject";

const draws = (rng: Rng, n: number) => Array.from({ length: n }, () => rng.next());

describe("the simulation's chance: reproducible from its seed, one stream per concern", () => {
  it("the same seed gives the same draws; another seed, others", () => {
    expect(draws(new Rng(7), 20)).toEqual(draws(new Rng(7), 20));
    expect(draws(new Rng(7), 20)).not.toEqual(draws(new Rng(8), 20));
  });

  it("a stream's draws do not depend on how many draws another stream made", () => {
    const a = new Rng(20260101);
    const b = new Rng(20260101);
    const faultsA = a.stream("faults");
    draws(faultsA, 1000); // a year with many background writes, each a fault chance
    const faultsB = b.stream("faults");
    draws(faultsB, 3); // a year with few
    expect(draws(a.stream("traffic"), 50)).toEqual(draws(b.stream("traffic"), 50));
    expect(draws(a.stream("traffic"), 5)).not.toEqual(draws(a.stream("faults"), 5));
  });

  it("every way a number is typed names the same number", () => {
    const rng = new Rng(3);
    for (let i = 0; i < 50; i++) {
      const n = mobileNumber(rng);
      for (const typed of spellings(n)) expect(normaliseWhatsAppNumber(typed), typed).toBe(n);
    }
  });
});
