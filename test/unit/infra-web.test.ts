import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { AzureConfig } from "../../src/config/schema";
import { BICEP, bicepPresent as present, BICEP_MISSING as SKIP_REASON } from "../support/bicep-cli";

/**
 * Where the pages (privacy center, staff console) are served in Azure: infra/modules/web-hosting.bicep, read in the
 * ARM JSON the real Bicep compiler writes (skipped, saying so, where the compiler is not restored: `npm run
 * infra:build`), and the azd hook that builds and uploads them (scripts/deploy-web.sh), run here against stand-ins
 * for npm and az. The deployment script and the upload themselves run only in Azure (docs/web-hosting.md).
 */

const ROOT = join(__dirname, "..", "..");
const INFRA = join(ROOT, "infra");
const read = (...path: string[]) => readFileSync(join(ROOT, ...path), "utf8");
if (!present) console.warn(`infra-web.test.ts: the compiled-template tests are SKIPPED, ${SKIP_REASON}`);

const STORAGE_ACCOUNT_CONTRIBUTOR = "17d1049b-9a84-46fb-8f53-869881c3d3ab";
const STORAGE_BLOB_DATA_CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";

interface Arm {
  type: string;
  name?: string;
  location?: string;
  kind?: string;
  scope?: string;
  condition?: string;
  dependsOn?: string[];
  identity?: { type: string; userAssignedIdentities?: Record<string, unknown> };
  properties?: Record<string, unknown>;
}
interface Template {
  parameters: Record<string, { defaultValue?: unknown }>;
  variables?: Record<string, unknown>;
  resources: Record<string, Arm>;
  outputs?: Record<string, { value: string }>;
}
interface ModuleCall extends Arm {
  properties: { parameters: Record<string, { value: unknown }>; template: Template };
}

describe.skipIf(!present)(
  present ? "the pages' hosting in the compiled template" : `the pages' hosting — SKIPPED: ${SKIP_REASON}`,
  () => {
    let out = "";
    let main: Template;
    let web: Template;
    let call: ModuleCall;

    beforeAll(() => {
      out = mkdtempSync(join(tmpdir(), "dpdp-bicep-web-"));
      execFileSync(BICEP, ["build", join(INFRA, "main.bicep"), "--outfile", join(out, "main.json")], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      main = JSON.parse(readFileSync(join(out, "main.json"), "utf8")) as Template;
      call = main.resources.webHosting as ModuleCall;
      web = call.properties.template;
    }, 120_000);

    afterAll(() => {
      if (out) rmSync(out, { recursive: true, force: true });
    });

    const of = (type: string) => Object.entries(web.resources).filter(([, r]) => r.type === type);

    it("a storage account of its own, in the location parameter, named apart from every other account", () => {
      const accounts = of("Microsoft.Storage/storageAccounts");
      expect(accounts).toHaveLength(1);
      const [, account] = accounts[0] ?? [];
      expect(account?.location).toBe("[parameters('location')]");
      expect(call.properties.parameters.location?.value).toBe("[parameters('location')]");
      expect(account?.kind).toBe("StorageV2");
      // main.bicep's names: the pages' account is 'st<base>web<env><token>', never the data, export or runtime one.
      const names = main.variables?.names as Record<string, string>;
      expect(call.properties.parameters.name?.value).toBe("[variables('names').webStorage]");
      expect(names.webStorage).toBe(
        "[format('st{0}web{1}{2}', parameters('baseName'), parameters('environmentName'), variables('token'))]",
      );
      const others = [names.dataStorage, names.exportStorage, names.runtimeStorage];
      expect(others).not.toContain(names.webStorage);
      // Every other resource with a region (the script's identity, the script) is in the same one.
      for (const [symbol, r] of Object.entries(web.resources))
        if (r.location !== undefined) expect(r.location, symbol).toBe("[parameters('location')]");
    });

    it("identity only, TLS 1.2 over HTTPS, no public blobs, and one container: `$web`", () => {
      const [, account] = of("Microsoft.Storage/storageAccounts")[0] ?? [];
      expect(account?.properties).toMatchObject({
        allowSharedKeyAccess: false,
        allowBlobPublicAccess: false,
        allowCrossTenantReplication: false,
        defaultToOAuthAuthentication: true,
        minimumTlsVersion: "TLS1_2",
        supportsHttpsTrafficOnly: true,
      });
      const containers = of("Microsoft.Storage/storageAccounts/blobServices/containers");
      expect(containers.map(([, c]) => c.name)).toEqual([
        "[format('{0}/{1}/{2}', parameters('name'), 'default', '$web')]",
      ]);
      expect(containers[0]?.[1].properties).toEqual({ publicAccess: "None" });
    });

    it("roles, least privilege: Storage Account Contributor on this account for the script's identity; Blob Data Contributor on `$web` for the uploader", () => {
      const roles = of("Microsoft.Authorization/roleAssignments").map(([symbol, r]) => ({
        symbol,
        scope: r.scope,
        condition: r.condition,
        // subscriptionResourceId(..., variables('<role>')): the role's id, from the module's variables.
        role: String(r.properties?.roleDefinitionId).replace(/variables\('(\w+)'\)/g, (_, v: string) =>
          String(web.variables?.[v]),
        ),
        principalId: String(r.properties?.principalId),
        principalType: r.properties?.principalType,
      }));
      expect(roles.map((r) => r.symbol).sort()).toEqual(["scriptRole", "uploaderRole"]);
      const script = roles.find((r) => r.symbol === "scriptRole");
      expect(script?.role).toContain(STORAGE_ACCOUNT_CONTRIBUTOR);
      expect(script?.scope).toBe("[resourceId('Microsoft.Storage/storageAccounts', parameters('name'))]");
      expect(script?.principalId).toBe("[reference('scriptIdentity').principalId]");
      const uploader = roles.find((r) => r.symbol === "uploaderRole");
      expect(uploader?.role).toContain(STORAGE_BLOB_DATA_CONTRIBUTOR);
      expect(uploader?.scope).toContain("'$web'");
      expect(uploader?.condition).toBe("[not(empty(parameters('uploaderPrincipalId')))]");
      for (const r of roles) expect(r.principalType, r.symbol).toBe("ServicePrincipal");
      // Nothing here touches the Function App's identity, and the script's identity is used by the script alone.
      expect(JSON.stringify(call.properties.parameters)).not.toContain("identity.outputs");
    });

    it("the deployment script: Azure CLI, this region, its own identity, after its role, enabling the static website by Entra token", () => {
      const scripts = of("Microsoft.Resources/deploymentScripts");
      expect(scripts).toHaveLength(1);
      const [, script] = scripts[0] ?? [];
      expect(script?.kind).toBe("AzureCLI");
      expect(script?.location).toBe("[parameters('location')]");
      expect(script?.identity?.type).toBe("UserAssigned");
      expect(Object.keys(script?.identity?.userAssignedIdentities ?? {})).toEqual([
        "[format('{0}', resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', parameters('scriptIdentityName')))]",
      ]);
      expect(script?.dependsOn).toEqual(expect.arrayContaining(["scriptRole", "web"]));
      const content = String(
        web.variables?.[/variables\('(.+)'\)/.exec(String(script?.properties?.scriptContent))?.[1] ?? ""],
      );
      expect(content).toContain("az storage blob service-properties update");
      expect(content).toContain("--auth-mode login");
      expect(content).toContain("--static-website true");
      expect(content).not.toMatch(/account-key|connection-string|SharedKey/i);
    });

    it("the pages' origin (no trailing slash) reaches DASHBOARD_ORIGINS, with the environment's own origins", () => {
      expect(web.outputs?.origin?.value).toBe(
        "[take(reference('account').primaryEndpoints.web, sub(length(reference('account').primaryEndpoints.web), 1))]",
      );
      const app = main.resources.functionApp as ModuleCall;
      expect(app.properties.parameters.pagesOrigin?.value).toBe(
        "[reference('webHosting').outputs.origin.value]",
      );
      const settings = app.properties.template.variables?.codeSettings as Record<string, string>;
      expect(settings.DASHBOARD_ORIGINS).toBe(
        "[join(union(parameters('corsAllowedOrigins'), createArray(parameters('pagesOrigin'))), ',')]",
      );
      // What that expression yields for a static website endpoint passes the code's own validation.
      const endpoint = "https://stdpdpwebprodabc123.z29.web.core.windows.net/";
      const origins = ["https://app.callmissed.com", endpoint.slice(0, -1)];
      expect(AzureConfig.shape.DASHBOARD_ORIGINS.parse(origins.join(","))).toEqual(origins);
    });

    it("main.bicep outputs what the upload hook reads: the account's name, the endpoint and the origin", () => {
      expect(main.outputs?.webStorageAccountName?.value).toBe("[reference('webHosting').outputs.name.value]");
      expect(main.outputs?.webEndpoint?.value).toBe("[reference('webHosting').outputs.webEndpoint.value]");
      expect(main.outputs?.webOrigin?.value).toBe("[reference('webHosting').outputs.origin.value]");
      expect(main.outputs?.functionAppUrl).toBeDefined();
    });
  },
);

describe("the upload hook (azure.yaml postdeploy → scripts/deploy-web.sh)", () => {
  const script = read("scripts", "deploy-web.sh");
  const outputs = new Set([...read("infra", "main.bicep").matchAll(/^output (\w+) /gm)].map((m) => m[1]));

  it("azure.yaml runs it after the api service is deployed", () => {
    const project = parseYaml(read("azure.yaml")) as {
      services: Record<string, { hooks: Record<string, { shell: string; run: string }> }>;
    };
    expect(project.services.api?.hooks.postdeploy).toEqual({ shell: "sh", run: "sh scripts/deploy-web.sh" });
  });

  it("reads only outputs main.bicep declares, in the template's casing or upper-cased", () => {
    const read = [...script.matchAll(/\$\{(\w+):-\$\{(\w+):-\}\}/g)].map((m): [string, string] => [
      m[1] ?? "",
      m[2] ?? "",
    ]);
    expect(read.map(([name]) => name).sort()).toEqual([
      "functionAppUrl",
      "webEndpoint",
      "webStorageAccountName",
    ]);
    for (const [name, upper] of read) {
      expect(outputs.has(name), name).toBe(true);
      expect(upper).toBe(name.toUpperCase());
    }
  });

  /** Runs the hook with stand-ins for npm and az that record how they were called. */
  function run(env: Record<string, string>) {
    const bin = mkdtempSync(join(tmpdir(), "deploy-web-"));
    const log = join(bin, "calls.log");
    const stub = (name: string, body: string) => {
      writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
      chmodSync(join(bin, name), 0o755);
    };
    stub("npm", `echo "npm $* WEB_API_BASE_URL=$WEB_API_BASE_URL" >> "${log}"`);
    stub("az", `echo "az $*" >> "${log}"`);
    const result = spawnSync("/bin/sh", [join(ROOT, "scripts", "deploy-web.sh")], {
      cwd: ROOT,
      env: { PATH: `${bin}:/usr/bin:/bin`, ...env },
      encoding: "utf8",
    });
    const calls = existsSync(log) ? readFileSync(log, "utf8").trim().split("\n") : [];
    rmSync(bin, { recursive: true, force: true });
    return { ...result, calls };
  }

  it("builds the pages for this deployment's API, then uploads html, js and css with their content types, by Entra token", () => {
    const { status, calls, stdout } = run({
      functionAppUrl: "https://func-dpdp-dev-abc123.azurewebsites.net",
      webStorageAccountName: "stdpdpwebdevabc123",
      webEndpoint: "https://stdpdpwebdevabc123.z29.web.core.windows.net/",
    });
    expect(status).toBe(0);
    expect(calls[0]).toBe(
      "npm run build WEB_API_BASE_URL=https://func-dpdp-dev-abc123.azurewebsites.net/api",
    );
    const uploads = calls.slice(1);
    expect(uploads).toHaveLength(3);
    const types = new Map<string, string>();
    for (const call of uploads) {
      expect(call).toMatch(/^az storage blob upload-batch /);
      expect(call).toContain("--account-name stdpdpwebdevabc123");
      expect(call).toContain("--auth-mode login");
      expect(call).toContain("--destination $web");
      expect(call).toContain("--source dist/web");
      expect(call).toContain("--overwrite");
      expect(call).not.toMatch(/account-key|connection-string|sas-token/);
      const pattern = /--pattern (\S+)/.exec(call)?.[1] ?? "";
      types.set(pattern, /--content-type (.+?) --content-cache-control/.exec(call)?.[1] ?? "");
    }
    expect(Object.fromEntries(types)).toEqual({
      "*.html": "text/html; charset=utf-8",
      "*.js": "text/javascript; charset=utf-8",
      "*.css": "text/css; charset=utf-8",
    });
    expect(stdout).toContain("https://stdpdpwebdevabc123.z29.web.core.windows.net/privacy/");
  });

  it("reads the upper-cased spelling too, and strips a trailing slash from the app's URL", () => {
    const { status, calls } = run({
      FUNCTIONAPPURL: "https://func-dpdp-dev-abc123.azurewebsites.net/",
      WEBSTORAGEACCOUNTNAME: "stdpdpwebdevabc123",
    });
    expect(status).toBe(0);
    expect(calls[0]).toBe(
      "npm run build WEB_API_BASE_URL=https://func-dpdp-dev-abc123.azurewebsites.net/api",
    );
  });

  it("outside azd (no outputs), says so and exits 1 before building or uploading anything", () => {
    const { status, stderr, calls } = run({});
    expect(status).toBe(1);
    expect(stderr).toMatch(/functionAppUrl and webStorageAccountName outputs are missing/);
    expect(calls).toEqual([]);
  });
});
