import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * host.json's logging: warnings, errors and exceptions always reach Application Insights.
 *
 * The Functions host samples with Application Insights' adaptive sampling; `samplingSettings.excludedTypes`
 * is a `;`-separated list of telemetry types never sampled, among Dependency, Event, Exception, PageView,
 * Request and Trace (https://learn.microsoft.com/azure/azure-functions/functions-host-json#applicationinsightssamplingsettings).
 * Every log line is a Trace, whatever its level: sampling Trace would drop warnings and errors with the
 * rest. So Trace is excluded, and the volume of traces is bounded by level instead (`logging.logLevel`,
 * by category: the functions' own lines from Information, the host's own chatter from Warning).
 */

interface HostJson {
  logging?: {
    logLevel?: Record<string, string>;
    applicationInsights?: { samplingSettings?: { isEnabled?: boolean; excludedTypes?: string } };
  };
}

const hostJson = JSON.parse(readFileSync(join(__dirname, "../../host.json"), "utf8")) as HostJson;
const LEVELS = ["Trace", "Debug", "Information", "Warning", "Error", "Critical", "None"];
const rank = (level: string | undefined) => LEVELS.indexOf(level ?? "Information");

describe("host.json: warnings and errors are never sampled away", () => {
  const sampling = hostJson.logging?.applicationInsights?.samplingSettings;
  const excluded = new Set((sampling?.excludedTypes ?? "").split(";").map((t) => t.trim()));

  it("excludes Trace (every log line, warnings and errors included), Exception and Request from sampling", () => {
    // Sampling stays on for what remains (dependencies, events): off entirely is a choice the bill makes.
    expect(sampling?.isEnabled).toBe(true);
    for (const type of ["Trace", "Exception", "Request"]) expect(excluded, type).toContain(type);
    for (const type of excluded)
      expect(["Dependency", "Event", "Exception", "PageView", "Request", "Trace"]).toContain(type);
  });

  it("bounds trace volume by level instead: no category below Information, the host's own at Warning", () => {
    const levels = hostJson.logging?.logLevel ?? {};
    for (const [category, level] of Object.entries(levels)) {
      expect(LEVELS, category).toContain(level);
      // A level above Warning would drop warnings: the very lines this file must keep.
      expect(rank(level), category).toBeLessThanOrEqual(rank("Warning"));
      expect(rank(level), category).toBeGreaterThanOrEqual(rank("Information"));
    }
    expect(levels.default).toBe("Warning");
    // The functions' own lines (Function.<name>.User) and the request results keep Information.
    expect(levels.Function).toBe("Information");
    expect(levels["Host.Results"]).toBe("Information");
  });
});
