import { describe, expect, it } from "vitest";
import { createRuntime } from "../../src/composition";
import { ConfigError, loadConfig } from "../../src/config/load";
import type { LocalConfig } from "../../src/config/schema";
import { addDuration, parseDuration } from "../../src/domain/duration";
import { platformInventory } from "../../src/domain/inventory/platform-inventory";
import {
  createPolicy,
  deadline,
  defaultPolicy,
  periodNames,
  periods,
  PolicyError,
  resolvePeriods,
  responsePeriods,
} from "../../src/domain/policy/periods";
import { RequestKind } from "../../src/domain/requests/model";
import type { AppContext } from "../../src/app/context";
import { cutoffFor, OWN_RECORD_KINDS } from "../../src/app/retention/own-records";
import { testEnv } from "../support/env";

/** loadConfig must throw a ConfigError; returns its problem lines. */
function configProblems(env: NodeJS.ProcessEnv): string[] {
  let caught: unknown;
  try {
    loadConfig(env);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  return (caught as ConfigError).problems;
}

const overrides = (o: Record<string, unknown>) => ({ RETENTION_OVERRIDES: JSON.stringify(o) });
const from = new Date("2026-01-31T00:00:00Z");

describe("the periods module", () => {
  it("lists every period with a label, a basis and valid ISO 8601 durations within its own limits", () => {
    expect(periodNames.length).toBeGreaterThanOrEqual(20);
    for (const name of periodNames) {
      const p = periods[name] as {
        duration: string;
        basis: string;
        label: string;
        min?: string;
        max?: string;
      };
      expect(parseDuration(p.duration), name).toBeDefined();
      expect(p.basis.length, name).toBeGreaterThan(10);
      expect(p.label.length, name).toBeGreaterThan(5);
      if (p.min) expect(parseDuration(p.min), name).toBeDefined();
      if (p.max) expect(parseDuration(p.max), name).toBeDefined();
    }
    // The defaults pass their own validation.
    expect(
      resolvePeriods(Object.fromEntries(periodNames.map((n) => [n, periods[n].duration]))).problems,
    ).toEqual([]);
  });

  it("has what the issue names, each with its legal basis beside it", () => {
    expect(periods.usageRecords.duration).toBe("P90D");
    expect(periods.paymentRecords.duration).toBe("P7Y");
    expect(periods.securityLogs).toMatchObject({ duration: "P1Y", min: "P1Y" });
    expect(periods.securityLogs.basis).toContain("Rule 6(1)(e)");
    expect(periods.processingLogs).toMatchObject({ duration: "P1Y", min: "P1Y" });
    expect(periods.processingLogs.basis).toContain("Rule 8(3)");
    expect(periods.accountRetentionWindow.duration).toBe("P30D");
    expect(periods.grievanceResolution).toMatchObject({ duration: "P15D", max: "P90D" });
    expect(periods.grievanceResolution.basis).toContain("Rule 14(3)");
    expect(periods.verificationReminder.duration).toBe("PT24H");
    expect(periods.verificationExpiry.duration).toBe("P7D");
    for (const name of ["backupRotation", "exportExpiry", "breachBoardReport"] as const)
      expect(periods[name].duration).toBeTruthy();
  });

  it("gives each kind of personal data in the service's own records a retention period with its basis", () => {
    for (const kind of OWN_RECORD_KINDS) {
      expect(periods[kind].category, kind).toBe("retention");
      expect(periods[kind].basis, kind).toMatch(/DPDP (Act 2023|Rules 2025)/);
    }
    // A restore re-applies a correction from its values: kept as long as a backup set lives.
    expect(periods.correctionValues.duration).toBe(periods.backupRotation.duration);
    expect(periods.correctionValues.basis).toContain("backupRotation");
    expect(periods.evidenceReferences.basis).toContain("Rule 8(3)");
    for (const kind of ["grievanceTexts", "staffNotes"] as const)
      expect(periods[kind].basis).toContain("Rule 14(3)");
    // The sweep keeps them strictly longer than a set lives: the rotation period and a day's margin, or
    // their own period if longer (backupRotation overridden upwards, or the default 35 days).
    const policy = createPolicy({ backupRotation: "P60D" });
    const now = new Date("2026-06-01T00:00:00Z");
    const app = { policy } as unknown as AppContext;
    expect(cutoffFor(app, "correctionValues", now)).toBe("2026-04-01T00:00:00.000Z");
    expect(cutoffFor({ policy: defaultPolicy } as unknown as AppContext, "correctionValues", now)).toBe(
      "2026-04-26T00:00:00.000Z",
    );
  });

  it("answers every request kind within a listed period", () => {
    for (const kind of RequestKind.options) expect(periodNames).toContain(responsePeriods[kind]);
  });

  it("feeds the inventory's retention from the same module", () => {
    const usage = platformInventory.find((e) => e.category === "usage_records")!;
    expect(usage.retention).toEqual({
      duration: "P90D",
      basis: periods.usageRecords.basis,
      period: "usageRecords",
    });
  });

  it("keeps the old exports working: deadline(), periodMs() and the defaults", () => {
    expect(deadline(from, "erasureCompletion").toISOString()).toBe("2026-03-02T00:00:00.000Z");
    expect(defaultPolicy.deadline(from, "erasureCompletion")).toEqual(deadline(from, "erasureCompletion"));
  });
});

describe("overrides, validated at start", () => {
  it("an override below a legal minimum refuses loadConfig, naming the period and its basis", () => {
    const problems = configProblems(overrides({ securityLogs: "P30D" }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^RETENTION_OVERRIDES\.securityLogs: /);
    expect(problems[0]).toContain("below the legal minimum P1Y");
    expect(problems[0]).toContain("Rule 6(1)(e)");
  });

  it("an override above a legal maximum is refused too (grievances never over 90 days)", () => {
    const problems = configProblems(overrides({ grievanceResolution: "P120D" }));
    expect(problems[0]).toMatch(/^RETENTION_OVERRIDES\.grievanceResolution: .*above the legal maximum P90D/);
    expect(problems[0]).toContain("Rule 14(3)");
    // Three months can be 92 days: a calendar bound must hold from every start date.
    expect(configProblems(overrides({ grievanceResolution: "P3M" }))[0]).toContain("above the legal maximum");
    expect(loadConfig(overrides({ grievanceResolution: "P2M" })).RETENTION_OVERRIDES).toEqual({
      grievanceResolution: "P2M",
    });
  });

  it("refuses unknown names, non-durations, zero, bad JSON and deadlines past the extension ceiling", () => {
    expect(configProblems(overrides({ usageLogs: "P60D" }))[0]).toMatch(
      /^RETENTION_OVERRIDES\.usageLogs: not a period.*usageRecords/,
    );
    expect(configProblems(overrides({ usageRecords: "60 days" }))[0]).toMatch(/not an ISO 8601 duration/);
    expect(configProblems(overrides({ usageRecords: 60 }))[0]).toMatch(/not an ISO 8601 duration/);
    expect(configProblems(overrides({ usageRecords: "P0D" }))[0]).toMatch(/not longer than zero/);
    expect(configProblems({ RETENTION_OVERRIDES: "{usageRecords:P60D}" })[0]).toMatch(
      /^RETENTION_OVERRIDES: must be a JSON object/,
    );
    expect(configProblems({ RETENTION_OVERRIDES: '["P60D"]' })[0]).toMatch(/must be a JSON object/);
    expect(configProblems(overrides({ extensionCeiling: "P20D" }))).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^RETENTION_OVERRIDES\.erasureCompletion: .*extension ceiling/),
      ]),
    );
    expect(configProblems(overrides({ verificationReminder: "P8D" }))[0]).toMatch(/before the expiry/);
  });

  it("reports every bad override at once, and a misspelt setting name", () => {
    const problems = configProblems({
      ...overrides({ securityLogs: "P1M", processingLogs: "P6M", breachBoardReport: "PT96H" }),
    });
    expect(problems.map((p) => p.split(":")[0])).toEqual([
      "RETENTION_OVERRIDES.securityLogs",
      "RETENTION_OVERRIDES.processingLogs",
      "RETENTION_OVERRIDES.breachBoardReport",
    ]);
    expect(configProblems({ RETENTION_OVERIDES: "{}" })[0]).toMatch(/^RETENTION_OVERIDES: not a setting/);
  });

  it("is a setting of both profiles", () => {
    expect(loadConfig(overrides({ usageRecords: "P60D" })).RETENTION_OVERRIDES).toEqual({
      usageRecords: "P60D",
    });
    const azure = configProblems({ DPDP_PROFILE: "azure", ...overrides({ securityLogs: "P30D" }) });
    expect(azure.some((p) => p.startsWith("RETENTION_OVERRIDES.securityLogs:"))).toBe(true);
  });

  it("createRuntime refuses a configuration built without loadConfig that breaks a minimum", async () => {
    const config = { ...loadConfig({}), RETENTION_OVERRIDES: { processingLogs: "P6M" } } as LocalConfig;
    await expect(createRuntime(config)).rejects.toThrow(PolicyError);
    await expect(createRuntime(config)).rejects.toThrow(
      /processingLogs: P6M is below the legal minimum P1Y.*Rule 8\(3\)/,
    );
  });

  it("a valid override is the period in use: policy, deadlines and the inventory's retention", async () => {
    const policy = createPolicy({ usageRecords: "P60D", erasureCompletion: "P21D" });
    expect(policy.periods.usageRecords.duration).toBe("P60D");
    expect(policy.periods.usageRecords.basis).toBe(periods.usageRecords.basis);
    expect(policy.overridden).toEqual(["erasureCompletion", "usageRecords"]);
    expect(policy.deadline(from, "erasureCompletion")).toEqual(addDuration(from, "P21D"));
    expect(policy.periodMs(from, "usageRecords")).toBe(60 * 86_400_000);
    expect(periods.usageRecords.duration).toBe("P90D"); // the defaults stay the defaults

    const rt = await createRuntime(
      loadConfig(testEnv(overrides({ usageRecords: "P60D", erasureCompletion: "P21D" }))),
    );
    expect(rt.app.policy.periods.usageRecords.duration).toBe("P60D");
    expect(rt.app.policy.deadline(from, "erasureCompletion")).toEqual(addDuration(from, "P21D"));
    const usage = rt.app.inventory.find((e) => e.category === "usage_records")!;
    expect(usage.retention?.duration).toBe("P60D");
    expect(rt.app.inventory).toBe(rt.app.inventory);
  });
});
