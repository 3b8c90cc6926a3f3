import { describe, expect, it } from "vitest";
import { FAULT_KINDS, SimulationOptions } from "../../scripts/simulate/options";
import { exitCodeOf } from "../../scripts/simulate/report";
import { reportHtml } from "../../scripts/simulate/report-html";
import { runSimulation } from "../../scripts/simulate/run";
import { testEnv } from "../support/env";

/**
 * The compliance simulation in its small configuration (docs/simulation.md): a few tenants, a month of traffic,
 * every fault kind injected at least once; the clocks cannot regress unnoticed. Then a deliberately broken
 * promise (a record an erasure "missed", written back into the store) must be found and fail the run.
 * Each run is a few hundred clock moves, each running every timer: the timeout is explicit.
 */
const SMALL = {
  seed: 7,
  // Five deletions (each meets its own fault), and tenants left for the owners' other requests.
  tenants: 8,
  days: 31,
  stepHours: 48,
  requestsPerTenantYear: 0,
  backupEveryDays: 7,
  // A week's rotation, so the month sees sets rotate out (and a crash during one).
  retentionOverrides: JSON.stringify({ backupRotation: "P7D" }),
};

describe("the compliance simulation", () => {
  it(
    "a month with every fault kind: every promise held, every fault injected and recovered",
    { timeout: 600_000 },
    async () => {
      const report = await runSimulation(SimulationOptions.parse({ ...SMALL, everyFault: true }), testEnv());
      const broken = report.promises.filter((p) => !p.held);
      expect(broken, JSON.stringify(broken, null, 2)).toEqual([]);
      expect(report.held).toBe(true);
      expect(exitCodeOf(report)).toBe(0);
      for (const kind of FAULT_KINDS) {
        expect(report.faults[kind]!.injected, kind).toBeGreaterThan(0);
        expect(report.faults[kind]!.recovered, kind).toBe(report.faults[kind]!.injected);
      }
      // Every deadline kind the policies set was met at least once, with its slack measured.
      for (const kind of [
        "grievance acknowledgement",
        "grievance resolution",
        "number erasure",
        "account purge start (due + reconciliation hour)",
        "breach board report",
      ])
        expect(report.slack[kind]?.count, kind).toBeGreaterThan(0);
      expect(report.promises.find((p) => p.id === "erasure_leaves_nothing")!.checked).toBeGreaterThan(0);
      expect(report.promises.find((p) => p.id === "certificate_verifies")!.checked).toBeGreaterThan(0);
      expect(report.promises.find((p) => p.id === "chain_verifies")!.checked).toBeGreaterThan(0);
      // Payments retained for tax law reach their seven years during the month (aged data): swept, never early.
      expect(report.promises.find((p) => p.id === "retention_swept")!.checked).toBeGreaterThan(1);
      expect(report.promises.find((p) => p.id === "retention_not_early")!.checked).toBeGreaterThan(0);
      // Timers ran on their schedules: the quarter-hourly partner timer more often than the daily sweep.
      expect(report.cost.timers.processorTasks!.runs).toBeGreaterThan(
        report.cost.timers.retentionSweep!.runs,
      );
      const html = reportHtml(report);
      expect(html).toContain("Every promise held");
      expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    },
  );

  it(
    "a record left behind after an erasure is a broken promise: named, and the run exits non-zero",
    { timeout: 600_000 },
    async () => {
      const report = await runSimulation(
        SimulationOptions.parse({
          ...SMALL,
          everyKind: true,
          breakPromise: "leftover_record",
          messageFaultRate: 0,
          crashRate: 0,
          storeFaultRate: 0,
          blobFaultRate: 0,
          partnerLateRate: 0,
          partnerSilentRate: 0,
          clockJumpRate: 0,
        }),
        testEnv(),
      );
      expect(report.held).toBe(false);
      expect(report.brokenPromises).toEqual(["erasure_leaves_nothing"]);
      expect(report.promises.find((p) => p.id === "erasure_leaves_nothing")!.broken[0]).toMatch(
        /messages: 1 record/,
      );
      expect(exitCodeOf(report)).toBe(1);
      expect(reportHtml(report)).toContain("Broken: erasure_leaves_nothing");
    },
  );
});
