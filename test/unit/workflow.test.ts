import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The deployment pipeline's supply chain (issue 16 item 8; review M6, M7, L5, H1), read from
 * .github/workflows/deploy.yml as lines: a job is the block under a two-space `<name>:` line in `jobs:`, a step's
 * action its `uses:` line. No YAML library: these few shapes are all the checks need, and the file is formatted by
 * prettier, so the indentation is fixed.
 */

const ROOT = join(__dirname, "..", "..");
const workflow = readFileSync(join(ROOT, ".github", "workflows", "deploy.yml"), "utf8");
const lines = workflow.split("\n");

/** Job name → its lines (without the `  name:` header). */
function jobs(): Map<string, string> {
  const start = lines.indexOf("jobs:");
  expect(start).toBeGreaterThan(0);
  const out = new Map<string, string>();
  let name: string | undefined;
  let body: string[] = [];
  for (const line of lines.slice(start + 1)) {
    const header = /^ {2}([\w-]+):\s*$/.exec(line);
    if (header || /^\S/.test(line)) {
      if (name) out.set(name, body.join("\n"));
      name = header?.[1];
      body = [];
      if (!header) break;
    } else body.push(line);
  }
  if (name) out.set(name, body.join("\n"));
  return out;
}

const allJobs = jobs();
const job = (name: string): string => {
  const text = allJobs.get(name);
  if (text === undefined) throw new Error(`no job ${name}`);
  return text;
};

/** `uses:` values, in order. */
const uses = (text: string) =>
  [...text.matchAll(/^\s*(?:-\s+)?uses:\s*(.+)$/gm)].map((m) => (m[1] ?? "").trim());

/** The job's `permissions:` block as name → value. */
function permissions(text: string): Record<string, string> {
  const m = /^ {4}permissions:\n((?: {6}(?:#.*|[\w-]+: [\w-]+)\n?)+)/m.exec(text);
  return Object.fromEntries(
    [...(m?.[1] ?? "").matchAll(/^ {6}([\w-]+): ([\w-]+)$/gm)].map((x) => [x[1] ?? "", x[2] ?? ""]),
  );
}

const DEPLOY_JOBS = { "deploy-dev": "dev", "what-if-prod": "prod-plan", "deploy-prod": "prod" } as const;

describe("workflow: actions pinned by commit SHA (review M7)", () => {
  it("every uses: is owner/repo@<40-hex commit SHA> # vX.Y.Z", () => {
    const all = uses(workflow);
    expect(all.length).toBeGreaterThanOrEqual(12);
    for (const u of all) expect(u).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
  });

  it("one action, one SHA: the same action is pinned to the same commit everywhere", () => {
    const pins = new Map<string, Set<string>>();
    for (const u of uses(workflow)) {
      const [action = "", rest = ""] = u.split("@");
      pins.set(action.toLowerCase(), (pins.get(action.toLowerCase()) ?? new Set()).add(rest));
    }
    for (const [action, shas] of pins) expect([...shas], action).toHaveLength(1);
  });

  it("Dependabot updates the pinned actions (SHA and comment) and the npm dependencies", () => {
    const dependabot = readFileSync(join(ROOT, ".github", "dependabot.yml"), "utf8");
    expect(dependabot).toMatch(/^version: 2$/m);
    expect(dependabot).toMatch(/- package-ecosystem: github-actions\n\s+directory: \//);
    expect(dependabot).toMatch(/- package-ecosystem: npm\n\s+directory: \//);
  });

  it("no pull_request_target (it runs with the base repository's token and secrets)", () => {
    expect(workflow).not.toMatch(/pull_request_target/);
  });
});

describe("workflow: the Bicep CLI and Node versions", () => {
  it("BICEP_VERSION is infra/tools/bicep.csproj's, and every job that runs az deployment installs exactly it", () => {
    const csproj = readFileSync(join(ROOT, "infra", "tools", "bicep.csproj"), "utf8");
    const version = /<BicepVersion>([^<]+)<\/BicepVersion>/.exec(csproj)?.[1];
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(/^ {2}BICEP_VERSION: "([^"]+)"$/m.exec(workflow)?.[1]).toBe(version);
    for (const [name, text] of allJobs) {
      if (!/az deployment/.test(text)) continue;
      const install = text.indexOf('az bicep install --version "v$BICEP_VERSION"');
      expect(install, name).toBeGreaterThan(0);
      expect(install, name).toBeLessThan(text.indexOf("az deployment"));
    }
    expect(workflow).not.toMatch(/az bicep (install|upgrade)\s*$/m);
  });

  it("Node 22 everywhere: the build, the package and the Function App runtime (infra/main.bicep nodeVersion)", () => {
    expect(/^ {2}NODE_VERSION: "(\d+)"$/m.exec(workflow)?.[1]).toBe("22");
    const main = readFileSync(join(ROOT, "infra", "main.bicep"), "utf8");
    expect(/^param nodeVersion string = '(\d+)'$/m.exec(main)?.[1]).toBe("22");
    for (const name of ["build", "package"])
      expect(job(name)).toMatch(/node-version: \$\{\{ env\.NODE_VERSION \}\}/);
    const engines = (
      JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { engines: { node: string } }
    ).engines.node;
    expect(engines).toMatch(/>=22\.12\.0/);
  });
});

describe("workflow: who can reach Azure (review H1)", () => {
  it("id-token: write only on the three deploy jobs and the package job (whose token no Azure identity trusts)", () => {
    const holders = [...allJobs]
      .filter(([, text]) => permissions(text)["id-token"] === "write")
      .map(([n]) => n);
    expect(holders.sort()).toEqual([...Object.keys(DEPLOY_JOBS), "package"].sort());
    expect(/^permissions:\n {2}contents: read$/m.test(workflow)).toBe(true);
    // The package job mints a token only for the attestation: no environment, so its subject is the branch, which no
    // federated credential names (infra/bootstrap/deployers.bicep federates environment subjects only).
    expect(job("package")).not.toMatch(/^ {4}environment:/m);
    expect(uses(job("package")).some((u) => u.startsWith("azure/login@"))).toBe(false);
  });

  it("each deploy job runs in its own GitHub environment and logs in as that environment's own identity", () => {
    const clientIds = new Set<string>();
    for (const [name, environment] of Object.entries(DEPLOY_JOBS)) {
      const text = job(name);
      expect(/^ {4}environment: (\S+)$/m.exec(text)?.[1], name).toBe(environment);
      const logins = [...text.matchAll(/client-id: \$\{\{ vars\.(\w+) \}\}/g)].map((m) => m[1] ?? "");
      expect(logins, name).toHaveLength(1);
      clientIds.add(logins[0] ?? "");
    }
    expect([...clientIds].sort()).toEqual([
      "DEV_DEPLOY_CLIENT_ID",
      "PROD_DEPLOY_CLIENT_ID",
      "PROD_PLAN_CLIENT_ID",
    ]);
    expect(workflow).not.toMatch(/vars\.AZURE_CLIENT_ID/);
  });

  it("the prod what-if needs no write right (ProviderNoRbac); only deploy-dev and deploy-prod deploy", () => {
    expect(job("what-if-prod")).toMatch(/--validation-level ProviderNoRbac/);
    expect(job("what-if-prod")).not.toMatch(/az deployment group create|functions-action/);
    const deployers = [...allJobs].filter(([, t]) => /az deployment group create/.test(t)).map(([n]) => n);
    expect(deployers.sort()).toEqual(["deploy-dev", "deploy-prod"]);
    expect(job("deploy-prod")).toMatch(/^ {4}needs: what-if-prod$/m);
  });
});

describe("workflow: the release package (review L5)", () => {
  it("is built in its own job with no install scripts and no dependency cache", () => {
    const text = job("package");
    expect(text).toMatch(/run: npm ci --ignore-scripts/);
    expect(text).not.toMatch(/npm (ci|install)(?![^\n]*--ignore-scripts)/);
    expect(text).toMatch(/package-manager-cache: false/);
    expect(text).not.toMatch(/^\s+cache: /m);
    expect(text).toMatch(/zip -qr \.\.\/function-app\.zip/);
    // Not in the job that runs every dev dependency's install scripts.
    expect(job("build")).not.toMatch(/function-app\.zip|upload-artifact/);
  });

  it("has its build provenance attested, in the job that built it", () => {
    const text = job("package");
    expect(permissions(text)).toEqual({ contents: "read", "id-token": "write", attestations: "write" });
    const steps = uses(text);
    const attest = steps.findIndex((u) => u.startsWith("actions/attest-build-provenance@"));
    expect(attest).toBeGreaterThan(0);
    expect(text).toMatch(
      /uses: actions\/attest-build-provenance@[0-9a-f]{40} # v[\d.]+\n\s+with:\n\s+subject-path: function-app\.zip/,
    );
    expect(attest).toBeLessThan(steps.findIndex((u) => u.startsWith("actions/upload-artifact@")));
  });

  it("is verified before prod gets it, as built by this workflow from this commit on main", () => {
    const text = job("deploy-prod");
    expect(permissions(text).attestations).toBe("read");
    const verify = text.indexOf("gh attestation verify function-app.zip");
    expect(verify).toBeGreaterThan(text.indexOf("uses: actions/download-artifact@"));
    expect(verify).toBeLessThan(text.indexOf("uses: Azure/functions-action@"));
    const command = text.slice(verify, text.indexOf("\n\n", verify));
    for (const flag of [
      '--repo "$GITHUB_REPOSITORY"',
      '--signer-workflow "$GITHUB_REPOSITORY/.github/workflows/deploy.yml"',
      "--source-ref refs/heads/main",
      '--source-digest "$SHA"',
      "--deny-self-hosted-runners",
    ])
      expect(command).toContain(flag);
    expect(text).toMatch(/SHA: \$\{\{ github\.sha \}\}/);
  });

  it("dev and prod publish the same artifact, which only the package job uploads", () => {
    const uploads = [...allJobs].filter(([, t]) => /uses: actions\/upload-artifact@/.test(t)).map(([n]) => n);
    expect(uploads).toEqual(["package"]);
    for (const name of ["deploy-dev", "deploy-prod"]) {
      expect(job(name)).toMatch(
        /uses: actions\/download-artifact@[0-9a-f]{40} # v[\d.]+\n\s+with:\n\s+name: function-app/,
      );
      expect(job(name)).toMatch(/package: function-app\.zip/);
    }
    expect(job("deploy-dev")).toMatch(/^ {4}needs: package$/m);
    // Nothing is packaged, so nothing deploys, unless the build, the tests and PSRule for Azure passed.
    expect(job("package")).toMatch(/^ {4}needs: \[build, psrule\]$/m);
    expect(job("psrule")).toMatch(/option: ps-rule\.yaml/);
  });
});

/**
 * .github/workflows/real-components.yml: the portable suite on Core Tools and the emulators. It cannot run on the
 * build machines, so it is held here to what reading can check: the same pinning rules as deploy.yml, the suite
 * path that exists, the queues the infrastructure creates.
 */
describe("workflow: real components", () => {
  const real = readFileSync(join(ROOT, ".github", "workflows", "real-components.yml"), "utf8");

  it("pins every action to a full commit SHA with its release, the same commit deploy.yml uses", () => {
    const all = uses(real);
    expect(all.length).toBeGreaterThanOrEqual(2);
    for (const u of all) expect(u).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    const pins = new Map<string, Set<string>>();
    for (const u of [...uses(workflow), ...all]) {
      const [action = "", rest = ""] = u.split("@");
      pins.set(action.toLowerCase(), (pins.get(action.toLowerCase()) ?? new Set()).add(rest));
    }
    for (const [action, shas] of pins) expect([...shas], action).toHaveLength(1);
  });

  it("reads only: contents read, no id-token, no pull_request_target, no Azure login", () => {
    expect(/^permissions:\n {2}contents: read$/m.test(real)).toBe(true);
    expect(real).not.toMatch(/id-token|pull_request_target|azure\/login@|secrets\./i);
  });

  it("says in its header that it cannot run on the build machines", () => {
    const header = real.slice(0, real.indexOf("\nname:"));
    expect(header).toMatch(/cannot run on our build machines \(no Docker, no Core Tools\)/);
  });

  it("runs the portable suite, a folder of tests that exists, against the real host on 7071", () => {
    expect(real).toMatch(/^\s+run: npx vitest run test\/e2e\/portable$/m);
    expect(real).toMatch(/E2E_BASE_URL: http:\/\/localhost:7071$/m);
    const suite = readdirSync(join(ROOT, "test", "e2e", "portable")).filter((f) => f.endsWith(".test.ts"));
    expect(suite.length).toBeGreaterThan(0);
    expect(real).toMatch(/npm run start:func/);
    const scripts = (
      JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }
    ).scripts;
    expect(scripts["start:func"]).toMatch(/npm run build && func start$/);
  });

  it("starts the three emulators from their official images and Node 22 as deploy.yml", () => {
    for (const image of [
      "mcr.microsoft.com/azure-storage/azurite",
      "mcr.microsoft.com/cosmosdb/linux/azure-cosmos-emulator:",
      "mcr.microsoft.com/azure-messaging/servicebus-emulator:",
      "mcr.microsoft.com/azure-sql-edge:",
    ])
      expect(real).toContain(image);
    expect(/^ {2}NODE_VERSION: "(\d+)"$/m.exec(real)?.[1]).toBe(
      /^ {2}NODE_VERSION: "(\d+)"$/m.exec(workflow)?.[1],
    );
    expect(real).toMatch(/node-version: \$\{\{ env\.NODE_VERSION \}\}/);
  });

  it("gives the Service Bus emulator exactly the queues infra/modules/servicebus.bicep creates", () => {
    const bicep = readFileSync(join(ROOT, "infra", "modules", "servicebus.bicep"), "utf8");
    const infraQueues = [...bicep.matchAll(/^\s+\{ name: '([\w-]+)'/gm)].map((m) => m[1]).sort();
    expect(infraQueues.length).toBeGreaterThan(0);
    const emulatorQueues = [...real.matchAll(/\{ "Name": "([\w-]+)" \}/g)].map((m) => m[1]).sort();
    expect(emulatorQueues).toEqual(infraQueues);
  });
});
