import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BlobServiceClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import ignore from "ignore";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { loadConfig } from "../../src/config/load";

/**
 * azd and the real Functions host, read from the files they use: azure.yaml and infra/main.parameters.json against
 * infra/main.bicep, .funcignore applied to the repository's files the way git and Core Tools read it,
 * local.settings.json.example against the service's configuration schema, and `npm run start:func` without Core
 * Tools. azd and Core Tools cannot run on the build machines.
 */

const ROOT = join(__dirname, "..", "..");
const read = (...path: string[]) => readFileSync(join(ROOT, ...path), "utf8");
const mainBicep = read("infra", "main.bicep");

describe("azure.yaml", () => {
  const text = read("azure.yaml");
  const project = parseYaml(text) as {
    name: string;
    infra: { provider: string; path: string; module: string };
    services: Record<
      string,
      {
        project: string;
        language: string;
        host: string;
        remoteBuild: boolean;
        dist: string;
        hooks: { prepackage: { shell: string; run: string } };
      }
    >;
  };

  it("names azd's schema on its first line", () => {
    expect(text.split("\n")[0]).toBe(
      "# yaml-language-server: $schema=https://raw.githubusercontent.com/Azure/azure-dev/main/schemas/v1.0/azure.yaml.json",
    );
  });

  it("one TypeScript function service whose name is the azd-service-name tag of the Function App only", () => {
    const names = Object.keys(project.services);
    expect(names).toHaveLength(1);
    const [name = ""] = names;
    expect(project.services[name]).toMatchObject({ project: ".", language: "ts", host: "function" });
    expect(/appTags: \{ 'azd-service-name': '([\w-]+)' \}/.exec(mainBicep)?.[1]).toBe(name);
    // On the app, not the plan: azd refuses a service tag on two resources of the resource group.
    const module = read("infra", "modules", "functionapp.bicep");
    expect(module.match(/appTags/g)).toHaveLength(2); // the parameter and its one use
    const app = module.slice(module.indexOf("resource app 'Microsoft.Web/sites@"));
    expect(app.slice(0, app.indexOf("\n}\n"))).toMatch(/^ {2}tags: union\(tags, appTags\)$/m);
    const plan = module.slice(module.indexOf("resource plan 'Microsoft.Web/serverfarms@"));
    expect(plan.slice(0, plan.indexOf("\n}\n"))).not.toMatch(/appTags/);
  });

  it("builds before it packages, and ships the staged release/ folder with production dependencies only", () => {
    const [service] = Object.values(project.services);
    expect(service).toBeDefined();
    expect(service!.remoteBuild).toBe(false);
    expect(service!.dist).toBe("release");
    const run = service!.hooks.prepackage.run;
    expect(run.indexOf("npm run build")).toBe(0);
    expect(run).toContain("cp -r dist host.json package.json package-lock.json release/");
    // The pages go to their own static website (postdeploy), never into the Function App's package.
    expect(run).toContain("rm -rf release/dist/web");
    expect(run).toMatch(/cd release && npm ci --omit=dev --ignore-scripts/);
    expect(read(".gitignore")).toMatch(/^release\/$/m);
  });

  it("deploys infra/main.bicep, a resource-group template (azd keeps the group in AZURE_RESOURCE_GROUP)", () => {
    expect(project.infra).toEqual({ provider: "bicep", path: "infra", module: "main" });
    expect(mainBicep).toMatch(/^targetScope = 'resourceGroup'$/m);
  });
});

describe("infra/main.parameters.json", () => {
  const parameters = (
    JSON.parse(read("infra", "main.parameters.json")) as { parameters: Record<string, { value: string }> }
  ).parameters;
  /** main.bicep's parameters: name → has a default. */
  const declared = new Map(
    [...mainBicep.matchAll(/^param (\w+) [^=\n]+?( = .*)?$/gm)].map((m) => [m[1] ?? "", m[2] !== undefined]),
  );

  it("maps only parameters main.bicep declares, and every one without a default", () => {
    expect(declared.size).toBeGreaterThan(30);
    for (const name of Object.keys(parameters)) expect(declared.has(name), name).toBe(true);
    const required = [...declared].filter(([, hasDefault]) => !hasDefault).map(([n]) => n);
    expect(required).toEqual(
      expect.arrayContaining([
        "environmentName",
        "corsAllowedOrigins",
        "authIssuer",
        "authAudience",
        "authJwksUrl",
      ]),
    );
    for (const name of required) expect(Object.keys(parameters), name).toContain(name);
  });

  it("each value is one azd environment variable; the environment's name and location are azd's own", () => {
    for (const [name, { value }] of Object.entries(parameters))
      expect(value, name).toMatch(/^\$\{[A-Z][A-Z0-9_]*\}$/);
    expect(parameters.environmentName?.value).toBe("${AZURE_ENV_NAME}");
    expect(parameters.location?.value).toBe("${AZURE_LOCATION}");
  });

  it("reads the same variables as the .bicepparam files for the same parameters (AUTH_*, PLATFORM_*…)", () => {
    const fromParamFiles = new Map<string, string>();
    for (const file of ["main.dev.bicepparam", "main.prod.bicepparam"]) {
      for (const m of read("infra", file).matchAll(/^param (\w+) = .*readEnvironmentVariable\('(\w+)'/gm))
        fromParamFiles.set(m[1] ?? "", m[2] ?? "");
    }
    expect([...fromParamFiles.values()]).toEqual(
      expect.arrayContaining(["AUTH_ISSUER", "PLATFORM_COSMOS_ACCOUNT", "PLATFORM_STORAGE_RESOURCE_GROUP"]),
    );
    for (const [param, variable] of fromParamFiles)
      expect(parameters[param]?.value, param).toBe(`\${${variable}}`);
  });

  it("admits environment names beyond dev and prod that still fit every storage account name (24 characters)", () => {
    const declaration = mainBicep.slice(0, mainBicep.indexOf("param environmentName string"));
    const decorators = declaration.slice(declaration.lastIndexOf("\n\n"));
    expect(decorators).not.toMatch(/@allowed/);
    const max = Number(/@maxLength\((\d+)\)/.exec(decorators)?.[1]);
    expect(/@minLength\((\d+)\)/.exec(decorators)?.[1]).toBe("2");
    const baseName = /^param baseName string = '(\w+)'$/m.exec(mainBicep)?.[1] ?? "";
    const storage = [...mainBicep.matchAll(/: '(st\$\{baseName\}\w+\$\{environmentName\}\$\{token\})'/g)].map(
      (m) => m[1] ?? "",
    );
    // Runtime, data, export and the pages' (web) account.
    expect(storage).toHaveLength(4);
    for (const name of storage) {
      const length = name
        .replace("${baseName}", baseName)
        .replace("${environmentName}", "e".repeat(max))
        .replace("${token}", "t".repeat(6)).length;
      expect(length, name).toBeLessThanOrEqual(24);
    }
  });
});

describe(".funcignore: a publish ships only what runs", () => {
  const rules = read(".funcignore");
  // Tracked and new files, plus what a build and `npm start` write (never committed).
  const repository = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], {
    cwd: ROOT,
    encoding: "utf8",
  })
    .split("\n")
    .filter(Boolean);
  const written = [
    ".local-data/subject-hash.key",
    ".local-data/backup-kek.key",
    ".local-data/azurite/__blobstorage__/x",
    "dist/functions/index.js",
    "dist/src/composition.js",
    "dist/src/http/routes/requests.js",
    "node_modules/@azure/functions/package.json",
    "npm-debug.log",
  ];
  const files = [...new Set([...repository, ...written])];
  const shipped = (excluded: (f: string) => boolean) => files.filter((f) => !excluded(f));

  /** gitignore semantics (git, azd's go-gitignore): the `ignore` package. */
  const git = ignore().add(rules);
  /**
   * Core Tools' reading, as Azure/azure-functions-core-tools src/Azure.Functions.Cli/Common/GitIgnoreParser.cs does
   * it: `!` negates, a leading "/" is dropped, `**` and `*` become regular expressions, and every pattern is matched
   * from the start of the path; a file is left out when a pattern matches it and no negated one does.
   */
  const coreTools = (() => {
    const lines = rules
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith("#"));
    const toRegex = (patterns: string[]) =>
      patterns.length
        ? new RegExp(
            `^((${patterns
              .map((p) =>
                p
                  .replace(/[-[\]/{}()+?.\\^$|]/g, "\\$&")
                  .replace("**", "(.+)")
                  .replace("*", "([^\\/]+)"),
              )
              .join(")|(")}))`,
          )
        : /$^/;
    const strip = (l: string) => l.replace(/^!/, "").replace(/^\//, "");
    const positive = toRegex(lines.filter((l) => !l.startsWith("!")).map(strip));
    const negative = toRegex(lines.filter((l) => l.startsWith("!")).map(strip));
    return (file: string) => !(negative.test(file) || !positive.test(file));
  })();

  for (const [reader, excluded] of [
    ["git and azd", (f: string) => git.ignores(f)],
    ["Core Tools", coreTools],
  ] as const) {
    it(`read as ${reader} does: dist/, host.json, package.json, the lock file and node_modules, nothing else`, () => {
      expect(repository.length).toBeGreaterThan(100);
      const out = shipped(excluded);
      for (const keep of [
        "dist/functions/index.js",
        "dist/src/composition.js",
        "host.json",
        "package.json",
        "package-lock.json",
      ])
        expect(out, keep).toContain(keep);
      expect(out).toContain("node_modules/@azure/functions/package.json");
      for (const prefix of [
        ".local-data/",
        "test/",
        "src/",
        "functions/",
        "docs/",
        "infra/",
        ".github/",
        "bench/",
      ])
        expect(
          out.filter((f) => f.startsWith(prefix)),
          prefix,
        ).toEqual([]);
      expect(out.filter((f) => !/^(dist|node_modules)\//.test(f)).sort()).toEqual([
        "host.json",
        "package-lock.json",
        "package.json",
      ]);
    });
  }
});

describe("local.settings.json.example: Core Tools against the local emulators", () => {
  const example = JSON.parse(read("local.settings.json.example")) as {
    IsEncrypted: boolean;
    Values: Record<string, string>;
    Host?: Record<string, unknown>;
  };
  const values = example.Values;
  /** What Core Tools itself reads: the worker runtime and the host's storage. */
  const CORE_TOOLS_OWN = ["FUNCTIONS_WORKER_RUNTIME", "AzureWebJobsStorage"];

  it("is unencrypted, a Node worker, host storage in Azurite", () => {
    expect(example.IsEncrypted).toBe(false);
    expect(values.FUNCTIONS_WORKER_RUNTIME).toBe("node");
    expect(values.AzureWebJobsStorage).toBe("UseDevelopmentStorage=true");
  });

  it("passes the service's configuration schema for the local profile, with a shared-key blob connection", () => {
    const config = loadConfig(values);
    expect(config.DPDP_PROFILE).toBe("local");
    if (config.DPDP_PROFILE !== "local") return;
    expect(config.COSMOS_ENDPOINT).toMatch(/^http:\/\/localhost:8081\/$/);
    // The local runtime refuses a blob connection without an account key (src/composition.ts).
    const blob = BlobServiceClient.fromConnectionString(config.BLOB_CONNECTION_STRING ?? "");
    expect(blob.credential).toBeInstanceOf(StorageSharedKeyCredential);
    expect(blob.url).toMatch(/^http:\/\/127\.0\.0\.1:10000\//);
    // The queue triggers' connection: the Service Bus emulator on this machine.
    expect(values.ServiceBusConnection).toMatch(/^Endpoint=sb:\/\/localhost;.*UseDevelopmentEmulator=true;$/);
  });

  it("names no setting the platform owns, beyond Core Tools' own two", () => {
    // The names infra.test.ts keeps out of the app settings (the platform sets or reserves them).
    const reserved = [
      /^CORS_/,
      /^WEBSITES?_/,
      /^FUNCTIONS_/,
      /^AzureWebJobs/,
      /^AzureFunctionsJobHost__/,
      /^AZURE_FUNCTIONS_ENVIRONMENT$/,
      /^APPSETTING_/,
      /^SCM_/,
      /^PLATFORM_VERSION$/,
      /^(HOME|PORT|REGION_NAME|IDENTITY_ENDPOINT|IDENTITY_HEADER|MSI_ENDPOINT|MSI_SECRET)$/,
    ];
    const names = Object.keys(values).filter((n) => !CORE_TOOLS_OWN.includes(n));
    expect(names.length).toBeGreaterThan(3);
    for (const name of names)
      expect(
        reserved.some((r) => r.test(name)),
        name,
      ).toBe(false);
  });

  it("is the template of an ignored file, local.settings.json", () => {
    const check = spawnSync("git", ["check-ignore", "-q", "local.settings.json"], { cwd: ROOT });
    expect(check.status).toBe(0);
    expect(
      spawnSync("git", ["check-ignore", "-q", "local.settings.json.example"], { cwd: ROOT }).status,
    ).toBe(1);
  });
});

describe("npm run build", () => {
  it("empties dist/ before compiling, so a publish of dist/ never carries a stray tsc run's test or script files", () => {
    const build =
      (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts.build ?? "";
    const [clean, compile] = build.split(" && ");
    expect(compile).toBe("tsc -p tsconfig.build.json");
    const dir = mkdtempSync(join(tmpdir(), "build-clean-"));
    mkdirSync(join(dir, "dist", "test"), { recursive: true });
    writeFileSync(join(dir, "dist", "test", "stray.js"), "");
    const run = spawnSync("/bin/sh", ["-c", clean ?? "false"], { cwd: dir, encoding: "utf8" });
    expect(run.status).toBe(0);
    expect(existsSync(join(dir, "dist"))).toBe(false);
  });
});

describe("npm run start:func", () => {
  const script =
    (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts["start:func"] ?? "";

  it("builds, then starts Core Tools", () => {
    expect(script).toMatch(/&& npm run build && func start$/);
  });

  it("without func on PATH, says what is missing and exits 1 before building anything", () => {
    const run = spawnSync("/bin/sh", ["-c", script], { cwd: ROOT, env: { PATH: "" }, encoding: "utf8" });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/needs Azure Functions Core Tools 4 \(func\) on PATH/);
    expect(run.stdout).not.toMatch(/tsc|build/);
  });
});
