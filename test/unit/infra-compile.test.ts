import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { settingNames } from "../../src/config/schema";
import {
  BICEP,
  BICEP_VERSION as VERSION,
  bicepPresent as present,
  BICEP_MISSING as SKIP_REASON,
} from "../support/bicep-cli";

/**
 * The real Bicep compiler on infra/, where it is restored (`npm run infra:build` restores it from NuGet into
 * infra/tools/packages/, at the version pinned in infra/tools/bicep.csproj): the templates and both parameter files
 * compile with no error and no warning, and the ARM JSON holds what test/unit/infra.test.ts reads from the source.
 * Where the compiler is not restored, every test here is skipped, and the skip says so.
 */

const ROOT = join(__dirname, "..", "..");
const INFRA = join(ROOT, "infra");
const PARAM_FILES = readdirSync(INFRA).filter((f) => f.endsWith(".bicepparam"));
// A file whose tests are all skipped shows only as "skipped" in the summary: say why where it shows.
if (!present) console.warn(`infra-compile.test.ts: SKIPPED, ${SKIP_REASON}`);

/** The parameter files read these with readEnvironmentVariable(); placeholders build them (as infra/tools/build.sh does). */
const PLACEHOLDERS = {
  AUTH_ISSUER: "https://issuer.invalid/",
  AUTH_AUDIENCE: "dpdp-rights",
  AUTH_JWKS_URL: "https://issuer.invalid/.well-known/jwks.json",
  PUBLIC_BASE_URL: "https://dpdp-rights-test.azurewebsites.net",
  PLATFORM_COSMOS_ACCOUNT: "cosmos-platform-placeholder",
  PLATFORM_COSMOS_RESOURCE_GROUP: "rg-platform-placeholder",
  PLATFORM_STORAGE_ACCOUNT: "stplatformplaceholder",
  PLATFORM_STORAGE_RESOURCE_GROUP: "rg-platform-placeholder",
};

const INDIAN_REGIONS = ["centralindia", "southindia", "westindia", "jioindiawest", "jioindiacentral"];

interface ArmResource {
  type: string;
  apiVersion: string;
  location?: string;
  properties?: Record<string, unknown> & { template?: ArmTemplate };
  [key: string]: unknown;
}

interface ArmTemplate {
  languageVersion?: string;
  parameters: Record<string, { defaultValue?: unknown; allowedValues?: unknown[] }>;
  variables?: Record<string, unknown>;
  resources: Record<string, ArmResource> | ArmResource[];
}

const list = (t: ArmTemplate): [string, ArmResource][] =>
  Array.isArray(t.resources) ? t.resources.map((r, i) => [String(i), r]) : Object.entries(t.resources);

/** Every resource of a template and of the templates of its modules, with the module's symbol. */
function allResources(
  t: ArmTemplate,
  module = "main",
): { module: string; symbol: string; resource: ArmResource }[] {
  return list(t).flatMap(([symbol, resource]) => [
    { module, symbol, resource },
    ...(resource.type === "Microsoft.Resources/deployments" && resource.properties?.template
      ? allResources(resource.properties.template, symbol)
      : []),
  ]);
}

/** The keys of an ARM createObject('k1', v1, 'k2', v2, ...) argument list: every other top-level argument. */
function createObjectKeys(args: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < args.length; i++) {
    const c = args[i];
    if (c === "'") quoted = !quoted;
    else if (!quoted && c === "(") depth++;
    else if (!quoted && c === ")") depth--;
    else if (!quoted && depth === 0 && c === ",") {
      parts.push(args.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(args.slice(start).trim());
  return parts.filter((_, i) => i % 2 === 0).map((k) => k.replace(/^'|'$/g, ""));
}

describe.skipIf(!present)(
  present ? `infra: the Bicep compiler ${VERSION}` : `infra: the Bicep compiler — SKIPPED: ${SKIP_REASON}`,
  () => {
    let out = "";
    let diagnostics = "";
    let template: ArmTemplate;
    const parameters = new Map<string, Record<string, { value: unknown }>>();

    const bicep = (...args: string[]) => {
      try {
        // The compiler prints diagnostics on stderr (build) or stdout (lint): keep both.
        const stdout = execFileSync(BICEP, args, {
          env: { ...process.env, ...PLACEHOLDERS },
          encoding: "utf8",
          stdio: ["ignore", "pipe", "pipe"],
        });
        diagnostics += stdout;
      } catch (e) {
        const err = e as { stdout?: string; stderr?: string };
        diagnostics += `${err.stdout ?? ""}${err.stderr ?? ""}\nbicep ${args.join(" ")} failed\n`;
      }
    };

    beforeAll(() => {
      out = mkdtempSync(join(tmpdir(), "dpdp-bicep-"));
      // build writes its diagnostics to stderr, which execFileSync returns only on failure: lint reports them all.
      bicep("build", join(INFRA, "main.bicep"), "--outfile", join(out, "main.json"));
      for (const file of PARAM_FILES) {
        bicep(
          "build-params",
          join(INFRA, file),
          "--outfile",
          join(out, `${basename(file, ".bicepparam")}.json`),
        );
      }
      bicep("lint", join(INFRA, "main.bicep"));
      template = JSON.parse(readFileSync(join(out, "main.json"), "utf8")) as ArmTemplate;
      for (const file of PARAM_FILES) {
        const compiled = JSON.parse(
          readFileSync(join(out, `${basename(file, ".bicepparam")}.json`), "utf8"),
        ) as {
          parameters: Record<string, { value: unknown }>;
        };
        parameters.set(file, compiled.parameters);
      }
    }, 120_000);

    afterAll(() => {
      if (out) rmSync(out, { recursive: true, force: true });
    });

    it("main.bicep and every parameter file compile, and lint reports no warning or error", () => {
      expect(
        diagnostics.split("\n").filter((l) => / : (Warning|Error) /.test(l) || /failed$/.test(l)),
      ).toEqual([]);
      expect(PARAM_FILES.sort()).toEqual(["main.dev.bicepparam", "main.prod.bicepparam"]);
    });

    it("the app settings in the ARM JSON are the code's names and the host's identity-based ones", () => {
      const config = allResources(template).filter((r) => r.resource.type === "Microsoft.Web/sites/config");
      expect(config).toHaveLength(1);
      const app = list(template).find(([symbol]) => symbol === "functionApp")?.[1];
      const codeSettings = app?.properties?.template?.variables?.codeSettings as object;
      expect(Object.keys(codeSettings).sort()).toEqual([...settingNames.azure].sort());
      // The host's settings read runtime values, so the compiler inlines them: union(codeSettings, createObject(...)).
      const expression = String(config[0]?.resource.properties);
      const inline =
        /^\[union\(variables\('codeSettings'\), createObject\((.*)\)\)\]$/.exec(expression)?.[1] ?? "";
      expect(createObjectKeys(inline).sort()).toEqual(
        [
          "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
          "APPLICATIONINSIGHTS_CONNECTION_STRING",
          "AzureWebJobsStorage__accountName",
          "AzureWebJobsStorage__clientId",
          "AzureWebJobsStorage__credential",
          "ServiceBusConnection__clientId",
          "ServiceBusConnection__credential",
        ].sort(),
      );
      const site = allResources(template).find((r) => r.resource.type === "Microsoft.Web/sites")?.resource;
      const siteConfig = site?.properties?.siteConfig as { cors?: unknown; appSettings?: unknown };
      // The app answers CORS itself (src/http/cors.ts): the platform's would answer in its place.
      expect(siteConfig.cors).toBeUndefined();
      expect(siteConfig.appSettings).toBeUndefined();
    });

    it("India only: the location parameters, and every resource with a region uses the location parameter", () => {
      expect(template.parameters.location?.defaultValue).toBe("centralindia");
      expect([...(template.parameters.location?.allowedValues ?? [])].sort()).toEqual(
        [...INDIAN_REGIONS].sort(),
      );
      expect(template.parameters.cosmosSecondaryLocation?.allowedValues?.filter((r) => r !== "")).toEqual(
        INDIAN_REGIONS,
      );
      const located = allResources(template).filter(
        (r) => r.resource.location !== undefined && r.resource.type !== "Microsoft.Resources/deployments",
      );
      expect(located.length).toBeGreaterThanOrEqual(10);
      // Azure offers these in 'global' only (configuration, no personal data; Allowed locations exempts 'global').
      const globalOnly = [
        "Microsoft.Insights/actionGroups",
        "Microsoft.Insights/activityLogAlerts",
        "Microsoft.Insights/metricAlerts",
        "Microsoft.Network/privateDnsZones",
        "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
      ];
      for (const r of located)
        expect(r.resource.location, `${r.module}.${r.symbol}`).toBe(
          globalOnly.includes(r.resource.type) ? "global" : "[parameters('location')]",
        );
      for (const [file, values] of parameters) expect(values.location?.value, file).toBe("centralindia");
    });

    it("API versions are GA, except the one preview the diagnostic settings need (categoryGroup)", () => {
      const previews = allResources(template)
        .filter((r) => r.resource.apiVersion?.includes("preview"))
        .map((r) => `${r.resource.type}@${r.resource.apiVersion}`);
      expect([...new Set(previews)]).toEqual(["Microsoft.Insights/diagnosticSettings@2021-05-01-preview"]);
    });

    it("prod reaches the platform's own accounts; dev creates the platform's stores in its own", () => {
      const prod = parameters.get("main.prod.bicepparam") ?? {};
      const dev = parameters.get("main.dev.bicepparam") ?? {};
      expect(prod.deployPlatformStores?.value).toBe(false);
      expect(prod.platformCosmosAccountName?.value).toBe(PLACEHOLDERS.PLATFORM_COSMOS_ACCOUNT);
      expect(prod.platformStorageAccountName?.value).toBe(PLACEHOLDERS.PLATFORM_STORAGE_ACCOUNT);
      expect(dev.deployPlatformStores?.value).toBe(true);
      const modules = list(template).filter(
        ([symbol]) => symbol === "platformCosmos" || symbol === "platformBlob",
      );
      expect(modules.map(([symbol]) => symbol).sort()).toEqual(["platformBlob", "platformCosmos"]);
      for (const [symbol, m] of modules) {
        expect(m.condition, symbol).toBe("[not(parameters('deployPlatformStores'))]");
        expect(m.resourceGroup, symbol).toMatch(
          /^\[parameters\('platform(Cosmos|Storage)ResourceGroup'\)\]$/,
        );
      }
    });
  },
);
