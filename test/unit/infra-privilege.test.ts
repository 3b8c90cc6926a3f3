import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { serviceContainers } from "../../src/adapters/cosmos/layout";
import { BICEP, bicepPresent as present } from "../support/bicep-cli";

/**
 * Least privilege for data and for deployment (issue 16 items 2 and 4; review H1, M8, L1), read from the Bicep sources
 * as text (so it runs everywhere) and, where the real compiler is restored (`npm run infra:build`), from the ARM JSON it
 * makes of the bootstrap template and of the two data modules:
 * - no Cosmos DB role that can delete, replace or upsert in `audit`, and no data role on a whole account;
 * - Key Vault: wrap/unwrap only on the backup key, the hash-key secret only, the first key version expiring;
 * - one deploy identity per GitHub environment, each federated to that environment alone;
 * - the deploy identities may assign exactly the roles the templates assign, to service principals only.
 */

const ROOT = join(__dirname, "..", "..");
const INFRA = join(ROOT, "infra");
const read = (...path: string[]) => readFileSync(join(ROOT, ...path), "utf8");

/** The source with `//` and block comments and `#disable-next-line` directives blanked; strings kept. */
function code(source: string): string {
  let out = "";
  let i = 0;
  while (i < source.length) {
    if (source.startsWith("'''", i)) {
      const end = source.indexOf("'''", i + 3);
      const stop = end < 0 ? source.length : end + 3;
      out += source.slice(i, stop);
      i = stop;
    } else if (source[i] === "'") {
      let j = i + 1;
      while (j < source.length && source[j] !== "'") j += source[j] === "\\" ? 2 : 1;
      out += source.slice(i, j + 1);
      i = j + 1;
    } else if (source.startsWith("//", i) || /^#disable-next-line/.test(source.slice(i, i + 18))) {
      const end = source.indexOf("\n", i);
      i = end < 0 ? source.length : end;
    } else if (source.startsWith("/*", i)) {
      const end = source.indexOf("*/", i + 2);
      i = end < 0 ? source.length : end + 2;
    } else {
      out += source[i];
      i++;
    }
  }
  return out;
}

const bicep = (path: string) => code(read("infra", path));

/** The text of the bracketed block opening at `open` ("{" or "["), strings skipped. */
function block(text: string, open: number): string {
  const closer: Record<string, string> = { "{": "}", "[": "]", "(": ")" };
  const stack: string[] = [];
  for (let k = open; k < text.length; k++) {
    const c = text.charAt(k);
    if (c === "'") {
      k++;
      while (k < text.length && text[k] !== "'") k += text[k] === "\\" ? 2 : 1;
      continue;
    }
    const close = closer[c];
    if (close) stack.push(close);
    else if (c === "}" || c === "]" || c === ")") {
      if (stack.pop() !== c) throw new Error(`unbalanced ${c} at ${k}`);
      if (stack.length === 0) return text.slice(open, k + 1);
    }
  }
  throw new Error(`unclosed block at ${open}`);
}

interface Resource {
  symbol: string;
  type: string;
  /** Between `=` and the body: a loop or a condition. */
  head: string;
  body: string;
  /** The decorators above it (`@batchSize(1)`). */
  decorators: string;
}

function resources(text: string): Resource[] {
  const out: Resource[] = [];
  for (const m of text.matchAll(
    /^((?:@\w+\([^)]*\)\s*\n)*)resource\s+(\w+)\s+'([^'@]+)@[^']+'\s+(existing\s+)?=/gm,
  )) {
    if (m[4]) continue;
    const after = (m.index ?? 0) + m[0].length;
    const open = text.slice(after).search(/[{]/) + after;
    out.push({
      symbol: m[2] ?? "",
      type: m[3] ?? "",
      head: text.slice(after, open).replace(/\s+/g, " ").trim(),
      body: block(text, open),
      decorators: m[1] ?? "",
    });
  }
  return out;
}

/** `name: value` on one line of a resource body (the first, at any depth). */
function prop(body: string, name: string): string | undefined {
  return new RegExp(`^\\s*${name}:\\s*(.+)$`, "m").exec(body)?.[1]?.trim();
}

/** `var name = '<literal>'` */
function stringVar(text: string, name: string): string {
  const m = new RegExp(`^var\\s+${name}\\s*=\\s*'([^']*)'`, "m").exec(text);
  if (!m) throw new Error(`no string var ${name}`);
  return m[1] ?? "";
}

/** `var name = [ ... ]`: the quoted strings in it, in order. */
function arrayVar(text: string, name: string): string[] {
  const m = new RegExp(`^var\\s+${name}\\s*=\\s*\\[`, "m").exec(text);
  if (!m) throw new Error(`no array var ${name}`);
  const inner = block(text, (m.index ?? 0) + m[0].length - 1);
  return [...inner.matchAll(/'([^']*)'/g)].map((x) => x[1] ?? "");
}

/** Substitutes `${name}` by `var name = '...'` where the file declares one, repeatedly. */
function resolveVars(text: string, value: string): string {
  let current = value;
  for (let round = 0; round < 5; round++) {
    const next = current.replace(/\$\{(\w+)\}/g, (whole, name: string) =>
      new RegExp(`^var\\s+${name}\\s*=`, "m").test(text) ? stringVar(text, name) : whole,
    );
    if (next === current) return next;
    current = next;
  }
  return current;
}

const GUID = /^[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}$/;

// ── The app templates ──────────────────────────────────────────────────────────────────────────────────────────────

const moduleNames = readdirSync(join(INFRA, "modules")).filter((f) => f.endsWith(".bicep"));
const appTemplates = ["main.bicep", ...moduleNames.map((f) => join("modules", f))].map((path) => ({
  path,
  text: bicep(path),
}));

/**
 * Every Azure RBAC role the app templates assign (Microsoft.Authorization/roleAssignments), resolved to its role
 * definition id: `subscriptionResourceId('Microsoft.Authorization/roleDefinitions', <var>)` with `var <var> = '<guid>'`.
 */
function assignedAzureRoles(): { path: string; symbol: string; roleId: string; principalType?: string }[] {
  return appTemplates.flatMap(({ path, text }) =>
    resources(text)
      .filter((r) => r.type === "Microsoft.Authorization/roleAssignments")
      .map((r) => {
        const expr = prop(r.body, "roleDefinitionId") ?? "";
        const m = /^subscriptionResourceId\('Microsoft\.Authorization\/roleDefinitions',\s*(\w+)\)$/.exec(
          expr,
        );
        if (!m)
          throw new Error(`${path} ${r.symbol}: roleDefinitionId is not a built-in role by var: ${expr}`);
        return {
          path,
          symbol: r.symbol,
          roleId: stringVar(text, m[1] ?? ""),
          principalType: prop(r.body, "principalType"),
        };
      }),
  );
}

// ── Cosmos DB: per container, `audit` append-only ────────────────────────────────────────────────────────────────

describe("infra privilege: Cosmos DB data roles", () => {
  const cosmos = bicep("modules/cosmos.bicep");
  const assignments = resources(cosmos).filter(
    (r) => r.type === "Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments",
  );
  const definitions = resources(cosmos).filter(
    (r) => r.type === "Microsoft.DocumentDB/databaseAccounts/sqlRoleDefinitions",
  );

  it("the code only appends to and reads `audit`: nothing in src/ deletes, replaces, upserts or patches there", () => {
    const sources = (dir: string): string[] =>
      readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
      );
    // The one way to the container is `stores.audit` (src/app/stores/stores.ts), typed append-only.
    const opened = sources("src").filter((f) => /collection\(\s*"service"\s*,\s*"audit"\s*\)/.test(read(f)));
    expect(opened).toEqual([]);
    const stores = read("src", "app", "stores", "stores.ts");
    expect(stores).toMatch(/audit: new TypedStore\(service\("audit"\)\)/);
    expect(stores).toMatch(/audit: AppendOnly<AuditEvent>;/);
    expect(stores).toMatch(
      /AppendOnly<T extends Doc> = Pick<TypedStore<T>, "name" \| "read" \| "create" \| "query" \| "count">/,
    );
    const auditStore = /stores\.audit\b/;
    const users = sources("src").filter((f) => auditStore.test(read(f)));
    expect(users).toContain(join("src", "app", "audit", "audit-log.ts"));
    // Every other user only reads, through queryFirst/queryPages (checked below): never a method of its own on it.
    for (const file of users.filter((f) => f !== join("src", "app", "audit", "audit-log.ts"))) {
      const text = read(file);
      expect(text, file).not.toMatch(/stores\.audit\s*\.\w+\(/);
      const bound = [...text.matchAll(/const (\w+) = [\w.]+\.stores\.audit\b/g)].map((m) => m[1]!);
      for (const name of bound) expect(text, file).not.toMatch(new RegExp(`\\b${name}\\.\\w+\\(`));
      expect(text, file).toMatch(/\b(queryFirst|queryPages)\b/);
    }
    const auditLog = read("src", "app", "audit", "audit-log.ts");
    const calls = [...auditLog.matchAll(/this\.audit\.(\w+)(?:<[^>]*>)?\(/g)].map((m) => m[1]);
    expect(new Set(calls)).toEqual(new Set(["create", "query"]));
    // queryFirst and queryPages read pages with query() only.
    const paging = read("src", "app", "util", "paging.ts");
    for (const helper of ["queryFirst", "queryPages"]) {
      const body = paging.slice(
        paging.indexOf(`export async function${helper === "queryPages" ? "*" : ""} ${helper}`),
      );
      expect(body.indexOf("\n}\n"), helper).toBeGreaterThan(0);
      expect(body.slice(0, body.indexOf("\n}\n")), helper).not.toMatch(
        /\.(delete|replace|upsert|patch|create)\(/,
      );
    }
  });

  it("`audit` gets a custom role that can create, read and query items, and nothing that deletes or rewrites them", () => {
    expect(stringVar(cosmos, "auditContainerName")).toBe("audit");
    expect(serviceContainers.map((c) => c.name)).toContain("audit");
    const actions = arrayVar(cosmos, "auditAppendOnlyActions");
    expect(actions.sort()).toEqual(
      [
        "Microsoft.DocumentDB/databaseAccounts/readMetadata",
        "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers/items/create",
        "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers/items/read",
        "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers/executeQuery",
        "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers/readChangeFeed",
      ].sort(),
    );
    for (const action of actions) expect(action).not.toMatch(/delete|replace|upsert|patch|write|\*/i);
    const role = definitions.find((d) => d.symbol === "auditAppendOnly");
    expect(role?.body).toMatch(/dataActions:\s*auditAppendOnlyActions/);
    expect(role?.body).not.toMatch(/notDataActions/);
    expect(prop(role?.body ?? "", "type")).toBe("'CustomRole'");
    // Assignable at the audit container only.
    expect(role?.body).toMatch(/assignableScopes:\s*\[\s*auditScope\s*\]/);
    expect(cosmos).toMatch(
      /^var auditScope = '\$\{serviceDatabaseScope\}\/colls\/\$\{auditContainerName\}'$/m,
    );
    expect(cosmos).toMatch(/^var serviceDatabaseScope = '\$\{account\.id\}\/dbs\/\$\{databaseName\}'$/m);
  });

  it("no role with delete, replace or upsert reaches `audit`: Data Contributor is on every other container, the audit role on audit", () => {
    const bySymbol = new Map(assignments.map((a) => [a.symbol, a]));
    const contributor = bySymbol.get("serviceContainerContributor");
    expect(contributor?.head).toBe(
      "[ for container in filter(serviceContainers, c => c.name != auditContainerName):",
    );
    expect(prop(contributor?.body ?? "", "scope")).toBe("'${serviceDatabaseScope}/colls/${container.name}'");
    expect(stringVar(cosmos, "dataContributor")).toBe("00000000-0000-0000-0000-000000000002");
    const audit = bySymbol.get("auditAppender");
    expect(prop(audit?.body ?? "", "roleDefinitionId")).toBe("auditAppendOnly.id");
    expect(prop(audit?.body ?? "", "scope")).toBe("auditScope");
    const metadata = bySymbol.get("serviceMetadataReader");
    expect(prop(metadata?.body ?? "", "roleDefinitionId")).toBe("metadataReader.id");
    expect(prop(metadata?.body ?? "", "scope")).toBe("serviceDatabaseScope");
    const metadataRole = definitions.find((d) => d.symbol === "metadataReader")?.body ?? "";
    expect([...metadataRole.matchAll(/'(Microsoft\.DocumentDB\/[^']+)'/g)].map((m) => m[1])).toEqual([
      "Microsoft.DocumentDB/databaseAccounts/readMetadata",
    ]);
    // Dev: the platform's containers created here, each on its own.
    const platform = bySymbol.get("platformContainerContributor");
    expect(prop(platform?.body ?? "", "scope")).toBe(
      "'${account.id}/dbs/${platformDatabaseName}/colls/${container.name}'",
    );
    expect([...bySymbol.keys()].sort()).toEqual(
      [
        "auditAppender",
        "platformContainerContributor",
        "serviceContainerContributor",
        "serviceMetadataReader",
      ].sort(),
    );
  });

  it("no Cosmos DB role assignment anywhere is scoped to a whole account, and each is written one at a time", () => {
    const files = ["modules/cosmos.bicep", "modules/platform-cosmos-access.bicep"];
    for (const path of files) {
      const text = bicep(path);
      const found = resources(text).filter(
        (r) => r.type === "Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments",
      );
      expect(found.length, path).toBeGreaterThan(0);
      for (const a of found) {
        const scope = prop(a.body, "scope") ?? "";
        expect(scope, `${path} ${a.symbol}`).not.toBe("account.id");
        expect(scope, `${path} ${a.symbol}`).not.toBe("'/'");
        // A database or a container: '/dbs/' in the path itself or in the scope variable it names.
        const resolved = resolveVars(text, /^\w+$/.test(scope) ? `\${${scope}}` : scope);
        expect(resolved, `${path} ${a.symbol}`).toMatch(/\/dbs\//);
        // Cosmos DB refuses concurrent role writes on one account (412): loops run one at a time.
        if (a.head.startsWith("[")) expect(a.decorators, `${path} ${a.symbol}`).toMatch(/@batchSize\(1\)/);
      }
    }
  });

  it("the account has no trusted-service bypass and takes its public network access from a parameter (private by default)", () => {
    const account = resources(cosmos).find((r) => r.type === "Microsoft.DocumentDB/databaseAccounts");
    expect(prop(account?.body ?? "", "networkAclBypass")).toBe("'None'");
    expect(prop(account?.body ?? "", "publicNetworkAccess")).toBe("publicNetworkAccess");
    expect(cosmos).toMatch(/^param publicNetworkAccess string = 'Disabled'$/m);
  });
});

// ── Key Vault ──────────────────────────────────────────────────────────────────────────────────────────────────────

describe("infra privilege: Key Vault", () => {
  const kv = bicep("modules/keyvault.bicep");
  const assignments = resources(kv).filter((r) => r.type === "Microsoft.Authorization/roleAssignments");

  it("wrap/unwrap on the backup key only: Key Vault Crypto Service Encryption User, never Crypto User", () => {
    expect(stringVar(kv, "cryptoServiceEncryptionUser")).toBe("e147488a-f6f5-4113-8e2d-b22465e65bf6");
    const keyUser = assignments.find((a) => a.symbol === "keyUser");
    expect(prop(keyUser?.body ?? "", "scope")).toBe("backupKey");
    expect(prop(keyUser?.body ?? "", "roleDefinitionId")).toContain("cryptoServiceEncryptionUser");
    for (const { path, text } of appTemplates)
      expect(text, path).not.toContain("12338af0-0e69-4776-bea7-57ae8d297424");
  });

  it("Secrets User on the SUBJECT_HASH_KEY secret only (the one the Key Vault reference reads), not the vault", () => {
    expect(stringVar(kv, "secretsUser")).toBe("4633458b-17de-408a-b874-0445c86b69e6");
    const reader = assignments.find((a) => a.symbol === "secretReader");
    expect(prop(reader?.body ?? "", "scope")).toBe("subjectHashKey");
    expect(reader?.head).toBe("if (subjectHashKeyCreated)");
    expect(kv).toMatch(
      /resource subjectHashKey 'Microsoft\.KeyVault\/vaults\/secrets@[^']+' existing = \{\s*parent: vault\s*name: subjectHashKeySecretName\s*\}/,
    );
    // The same secret name the app setting's Key Vault reference uses.
    const main = bicep("main.bicep");
    const call = main.slice(main.indexOf("module keyVault 'modules/keyvault.bicep'"));
    expect(block(call, call.indexOf("{"))).toMatch(/subjectHashKeySecretName: subjectHashKeySecretName/);
    expect(bicep("modules/functionapp.bicep")).toContain(
      "'@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=${subjectHashKeySecretName})'",
    );
    // No Key Vault role at vault scope.
    for (const a of assignments) expect(prop(a.body, "scope"), a.symbol).not.toBe("vault");
  });

  it("the first version of the backup key expires (two years, as the rotation policy gives later versions)", () => {
    const key = resources(kv).find((r) => r.type === "Microsoft.KeyVault/vaults/keys");
    expect(prop(key?.body ?? "", "exp")).toBe("dateTimeToEpoch(dateTimeAdd(deployedAt, 'P2Y'))");
    expect(prop(key?.body ?? "", "expiryTime")).toBe("'P2Y'");
    expect(kv).toMatch(/^param deployedAt string = utcNow\(\)$/m);
  });

  it("public network access from a parameter; when private the firewall denies, with no trusted-service bypass", () => {
    const vault = resources(kv).find((r) => r.type === "Microsoft.KeyVault/vaults");
    expect(prop(vault?.body ?? "", "publicNetworkAccess")).toBe("publicNetworkAccess");
    expect(prop(vault?.body ?? "", "defaultAction")).toBe(
      "publicNetworkAccess == 'Disabled' ? 'Deny' : 'Allow'",
    );
    expect(prop(vault?.body ?? "", "bypass")).toBe("'None'");
    expect(kv).toMatch(/^param publicNetworkAccess string = 'Disabled'$/m);
  });
});

// ── Deploy identities (infra/bootstrap) ─────────────────────────────────────────────────────────────────────────

describe("infra privilege: one deploy identity per GitHub environment", () => {
  const deployers = bicep("bootstrap/deployers.bicep");
  const identities = bicep("bootstrap/modules/identities.bicep");
  const workflow = read(".github", "workflows", "deploy.yml");

  /** The GitHub environments of `var deployers`, per environmentName. */
  function deployerEnvironments(): Record<"dev" | "prod", string[]> {
    const m = /^var deployers = isProd\s*\?\s*(\[[\s\S]*?\])\s*:\s*(\[[\s\S]*?\])\s*$/m.exec(deployers);
    const names = (s: string | undefined) =>
      [...(s ?? "").matchAll(/githubEnvironment: '([^']+)'/g)].map((x) => x[1] ?? "");
    return { prod: names(m?.[1]), dev: names(m?.[2]) };
  }

  it("dev has one identity (dev); prod has two (prod-plan, prod): one per GitHub environment the workflow logs in from", () => {
    const envs = deployerEnvironments();
    expect(envs).toEqual({ dev: ["dev"], prod: ["prod-plan", "prod"] });
    const loginEnvironments = workflow
      .split(/\n(?= {2}[\w-]+:\n)/)
      .filter((job) => /uses: azure\/login@/.test(job))
      .map((job) => /^\s{4}environment: (\S+)$/m.exec(job)?.[1]);
    expect(loginEnvironments.sort()).toEqual([...envs.dev, ...envs.prod].sort());
  });

  it("each identity has its own name and exactly one federated credential, for its own environment's subject", () => {
    expect(deployers).toMatch(/name: 'id-dpdp-deploy-\$\{d\.githubEnvironment\}'/);
    expect(deployers).toMatch(/subject: '\$\{oidcSubjectPrefix\}:environment:\$\{d\.githubEnvironment\}'/);
    expect(stringVar(deployers, "githubIssuer")).toBe("https://token.actions.githubusercontent.com");
    const creds = resources(identities).filter(
      (r) => r.type === "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
    );
    expect(creds).toHaveLength(1);
    expect(creds[0]?.head).toBe("[ for (i, k) in identities:");
    expect(prop(creds[0]?.body ?? "", "parent")).toBe("identity[k]");
    expect(prop(creds[0]?.body ?? "", "subject")).toBe("i.subject");
    expect(creds[0]?.body).toContain("'api://AzureADTokenExchange'");
    const ids = resources(identities).filter(
      (r) => r.type === "Microsoft.ManagedIdentity/userAssignedIdentities",
    );
    expect(ids.map((r) => r.head)).toEqual(["[ for i in identities:"]);
    // Wildcards or branch subjects would let any branch's workflow in.
    const subjects = [...(deployers + identities).matchAll(/^\s*subject: (.+)$/gm)].map((m) => m[1] ?? "");
    expect(subjects.length).toBeGreaterThan(0);
    for (const subject of subjects) expect(subject).not.toMatch(/:ref:|:pull_request|\*/);
  });

  it("the identities live in their own resource group, where no deploy identity gets a role", () => {
    expect(deployers).toMatch(
      /^module identities 'modules\/identities\.bicep' = \{\s*name: [^\n]+\n\s*scope: identityGroup$/m,
    );
    expect(deployers).toMatch(/^param identityResourceGroupName string = 'rg-dpdp-deployers'$/m);
    // Role assignments go to the app's and the platform's resource groups only.
    const scopes = [
      ...deployers.matchAll(
        /^module \w+ '[^']+' = (?:if \([^)]*\) )?\{\s*name: [^\n]+\n\s*(?:\/\/[^\n]*\n\s*)?scope: ([^\n]+)$/gm,
      ),
    ].map((m) => m[1]);
    expect(scopes).toEqual([
      "identityGroup",
      "resourceGroup(appResourceGroupName)",
      "resourceGroup(empty(platformCosmosResourceGroup) ? appResourceGroupName : platformCosmosResourceGroup)",
      "resourceGroup(empty(platformStorageResourceGroup) ? appResourceGroupName : platformStorageResourceGroup)",
    ]);
  });

  it("the what-if identity (prod-plan) gets Reader and a role that can run what-if and nothing else", () => {
    const whatIf = resources(deployers).find((r) => r.symbol === "whatIfRole");
    const actions = [...(whatIf?.body ?? "").matchAll(/'(Microsoft\.Resources\/deployments[^']*)'/g)].map(
      (m) => m[1],
    );
    expect(actions.sort()).toEqual(
      [
        "Microsoft.Resources/deployments/read",
        "Microsoft.Resources/deployments/whatIf/action",
        "Microsoft.Resources/deployments/validate/action",
        "Microsoft.Resources/deployments/operations/read",
        "Microsoft.Resources/deployments/operationstatuses/read",
      ].sort(),
    );
    expect(whatIf?.body).not.toMatch(/write|delete|\/\*'/);
    expect(workflow).toMatch(/--validation-level ProviderNoRbac/);
  });

  it("no deploy identity gets Owner, User Access Administrator or Resource Policy Contributor; locks can be laid, never lifted", () => {
    const all = [
      "deployers.bicep",
      ...readdirSync(join(INFRA, "bootstrap", "modules")).map((f) => join("modules", f)),
    ]
      .map((f) => bicep(join("bootstrap", f)))
      .join("\n");
    for (const forbidden of [
      "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", // Owner
      "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9", // User Access Administrator
      "36243c78-bf99-498c-9df9-86d9f8d28608", // Resource Policy Contributor
    ])
      expect(all).not.toContain(forbidden);
    expect(all).not.toMatch(/Microsoft\.Authorization\/(policyAssignments|policyDefinitions)/);
    expect(all).not.toMatch(/Microsoft\.Authorization\/locks\/delete|Microsoft\.Authorization\/\*/);
    const locks = resources(deployers).find((r) => r.symbol === "lockWriterRole")?.body ?? "";
    expect([...locks.matchAll(/'(Microsoft\.Authorization\/[^']+)'/g)].map((m) => m[1])).toEqual([
      "Microsoft.Authorization/locks/read",
      "Microsoft.Authorization/locks/write",
    ]);
  });
});

describe("infra privilege: role assignment rights limited to the roles the templates assign", () => {
  const deployers = bicep("bootstrap/deployers.bicep");
  const abac = bicep("bootstrap/modules/abac.bicep");

  it("every role assignment in the app templates is for a service principal", () => {
    const assigned = assignedAzureRoles();
    expect(assigned.length).toBeGreaterThan(5);
    for (const a of assigned) expect(a.principalType, `${a.path} ${a.symbol}`).toBe("'ServicePrincipal'");
  });

  it("the ABAC condition lists exactly the role definition ids the app templates assign", () => {
    const inTemplates = new Set(assignedAzureRoles().map((a) => a.roleId));
    const allowed = arrayVar(deployers, "appTemplateRoleDefinitionIds");
    for (const id of allowed) expect(id).toMatch(GUID);
    expect(new Set(allowed).size).toBe(allowed.length);
    expect([...allowed].sort()).toEqual([...inTemplates].sort());
    // On the platform's storage account: what platform-blob-access.bicep assigns, nothing more.
    const platformBlob = new Set(
      assignedAzureRoles()
        .filter((a) => a.path === join("modules", "platform-blob-access.bicep"))
        .map((a) => a.roleId),
    );
    expect(arrayVar(deployers, "platformStorageRoleDefinitionIds").sort()).toEqual([...platformBlob].sort());
  });

  it("the condition is Microsoft's 'constrain roles and principal types': write by @Request, delete by @Resource, service principals only", () => {
    const body =
      /func constrainRolesAndServicePrincipals\(roleDefinitionIds string\[\]\) string =>\s*'(.*)'\s*$/m.exec(
        abac,
      )?.[1];
    expect(body).toBeDefined();
    const condition = (body ?? "")
      .replace(/\\'/g, "'")
      .replace(/\$\{join\(roleDefinitionIds, ', '\)\}/g, "ROLES");
    expect(condition).toBe(
      "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR " +
        "(@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {ROLES} AND " +
        "@Request[Microsoft.Authorization/roleAssignments:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {'ServicePrincipal'})) AND " +
        "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})) OR " +
        "(@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {ROLES} AND " +
        "@Resource[Microsoft.Authorization/roleAssignments:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {'ServicePrincipal'}))",
    );
  });

  it("every Role Based Access Control Administrator assignment carries that condition, version 2.0", () => {
    const files = ["modules/app-access.bicep", "modules/platform-storage-deployer.bicep"];
    for (const path of files) {
      const text = bicep(join("bootstrap", path));
      const admins = resources(text).filter((r) =>
        /rbacAdministratorRoleId/.test(prop(r.body, "roleDefinitionId") ?? ""),
      );
      expect(admins, path).toHaveLength(1);
      expect(prop(admins[0]?.body ?? "", "condition"), path).toBe(
        "constrainRolesAndServicePrincipals(assignableRoleDefinitionIds)",
      );
      expect(prop(admins[0]?.body ?? "", "conditionVersion"), path).toBe("'2.0'");
    }
    expect(stringVar(deployers, "rbacAdministrator")).toBe("f58310d9-a9f6-439a-9e8d-f62e7b41a168");
  });
});

// ── The real compiler, where restored ────────────────────────────────────────────────────────────────────────────

if (!present)
  console.warn(
    `infra-privilege.test.ts: compiler checks SKIPPED, run \`npm run infra:build\` to restore ${BICEP}`,
  );

describe.skipIf(!present)(
  "infra privilege: the Bicep compiler on the bootstrap template and the data modules",
  () => {
    const out = present ? mkdtempSync(join(tmpdir(), "dpdp-privilege-")) : "";
    afterAll(() => {
      if (out) rmSync(out, { recursive: true, force: true });
    });
    const compile = (path: string): { json: Record<string, unknown>; diagnostics: string } => {
      const target = join(out, `${path.replace(/[/\\]/g, "_")}.json`);
      let diagnostics = "";
      for (const args of [
        ["build", join(INFRA, path), "--outfile", target],
        ["lint", join(INFRA, path)],
      ]) {
        try {
          diagnostics += execFileSync(BICEP, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
        } catch (e) {
          const err = e as { stdout?: string; stderr?: string };
          diagnostics += `${err.stdout ?? ""}${err.stderr ?? ""}\nbicep ${args.join(" ")} failed\n`;
        }
      }
      const json = existsSync(target)
        ? (JSON.parse(readFileSync(target, "utf8")) as Record<string, unknown>)
        : {};
      return { json, diagnostics };
    };
    const problems = (diagnostics: string) =>
      diagnostics.split("\n").filter((l) => / : (Warning|Error) /.test(l) || /failed$/.test(l));

    it("infra/bootstrap/deployers.bicep, cosmos.bicep and keyvault.bicep compile with no warning or error", () => {
      for (const path of ["bootstrap/deployers.bicep", "modules/cosmos.bicep", "modules/keyvault.bicep"]) {
        expect(problems(compile(path).diagnostics), path).toEqual([]);
      }
    }, 120_000);

    it("in the ARM JSON of cosmos.bicep, every SQL role assignment is scoped below the account, and audit's role has no write", () => {
      const { json } = compile("modules/cosmos.bicep");
      const variables = (json.variables ?? {}) as Record<string, unknown>;
      const res = json.resources as Record<string, { type: string; properties: Record<string, unknown> }>;
      const assignments = Object.values(res).filter(
        (r) => r.type === "Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments",
      );
      expect(assignments).toHaveLength(4);
      for (const a of assignments) {
        // The scope expression, with the variables it names written out (they name each other: repeat).
        let scope = String(a.properties.scope);
        for (let round = 0; round < 5; round++)
          scope = scope.replace(/variables\('(\w+)'\)/g, (_, v: string) => String(variables[v]));
        expect(scope).toMatch(/\/dbs\//);
      }
      expect(variables.auditAppendOnlyActions).toEqual(
        arrayVar(bicep("modules/cosmos.bicep"), "auditAppendOnlyActions"),
      );
      for (const action of variables.auditAppendOnlyActions as string[])
        expect(action).not.toMatch(/delete|replace|upsert|patch|write|\*/i);
    }, 120_000);

    it("in the ARM JSON, both constrained Role Based Access Control Administrator assignments carry condition version 2.0", () => {
      const { json } = compile("bootstrap/deployers.bicep");
      const found: { condition?: string; conditionVersion?: string }[] = [];
      const walk = (node: unknown) => {
        if (Array.isArray(node)) node.forEach(walk);
        else if (node && typeof node === "object") {
          const o = node as Record<string, unknown>;
          if (o.type === "Microsoft.Authorization/roleAssignments") {
            const p = o.properties as { condition?: string; conditionVersion?: string } | undefined;
            if (p?.condition) found.push(p);
          }
          Object.values(o).forEach(walk);
        }
      };
      walk(json);
      expect(found).toHaveLength(2);
      for (const p of found) {
        expect(p.conditionVersion).toBe("2.0");
        expect(p.condition).toMatch(
          /constrainRolesAndServicePrincipals\(parameters\('assignableRoleDefinitionIds'\)\)/,
        );
      }
    }, 120_000);
  },
);
