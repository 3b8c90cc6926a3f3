import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CapacityData, renderCapacity, runsPerDay } from "../../scripts/capacity/model";

/**
 * docs/capacity.md is generated (`npm run capacity`) from the counts in docs/capacity.json; the counts
 * themselves are held to the code by test/e2e/operation-budgets.test.ts. Here: the document is exactly
 * what the model gives for those counts, so it cannot be edited apart from them.
 */
const docs = join(__dirname, "..", "..", "docs");

describe("docs/capacity.md", () => {
  it("is what the capacity model renders from docs/capacity.json", () => {
    const data = CapacityData.parse(JSON.parse(readFileSync(join(docs, "capacity.json"), "utf8")));
    expect(readFileSync(join(docs, "capacity.md"), "utf8")).toBe(renderCapacity(data));
  });

  it("counts timer runs from the NCRONTAB schedule", () => {
    expect(runsPerDay("0 0 * * * *")).toBe(24);
    expect(runsPerDay("0 */10 * * * *")).toBe(144);
    expect(runsPerDay("0 30 20 * * *")).toBe(1);
  });
});
