import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { platformBlobContainers, serviceBlobContainers } from "../../src/adapters/blob/layout";
import { type ContainerSpec, platformContainers, serviceContainers } from "../../src/adapters/cosmos/layout";
import { AzureConfig, settingNames } from "../../src/config/schema";
import { platformInventory } from "../../src/domain/inventory/platform-inventory";
import { functionTable } from "../../src/function-table";
import { addDuration } from "../../src/domain/duration";
import { periods } from "../../src/domain/policy/periods";
import { QueueName } from "../../src/ports/scheduler";

/** True when a notice of this time-to-live expires before a code sent with it (from any start). */
const everShorterThanCode = (ttl: string) => {
  const start = new Date(0);
  return addDuration(start, ttl) < addDuration(start, periods.verificationCodeValidity.duration);
};

/**
 * The Bicep in infra/, read as text, so these run everywhere (the real compiler runs in `npm run infra:build`
 * and in test/unit/infra-compile.test.ts where it is restored). These tests keep the deployment in step with the
 * code (setting names, containers, queues) and hold the promises of the policies: India only, no keys, deleted
 * means deleted, the platform's stores reached with roles on what the inventory names and nothing else.
 */

const INFRA = join(__dirname, "..", "..", "infra");

const INDIAN_REGIONS = ["centralindia", "southindia", "westindia", "jioindiawest", "jioindiacentral"];

/**
 * App settings the Functions host and its bindings read themselves, identity-based. Flex Consumption takes
 * the runtime and its version from functionAppConfig, so FUNCTIONS_EXTENSION_VERSION and
 * FUNCTIONS_WORKER_RUNTIME are not set there (see FLEX_REJECTED).
 */
const RUNTIME_SETTINGS = [
  "AzureWebJobsStorage__accountName",
  "AzureWebJobsStorage__credential",
  "AzureWebJobsStorage__clientId",
  "ServiceBusConnection__credential",
  "ServiceBusConnection__clientId",
  "APPLICATIONINSIGHTS_CONNECTION_STRING",
  "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
];

/** Settings Flex Consumption replaced with functionAppConfig: setting them breaks or is ignored. */
const FLEX_REJECTED = [
  "FUNCTIONS_EXTENSION_VERSION",
  "FUNCTIONS_WORKER_RUNTIME",
  "FUNCTIONS_WORKER_RUNTIME_VERSION",
  "WEBSITE_RUN_FROM_PACKAGE",
  "WEBSITE_CONTENTSHARE",
  "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING",
  "WEBSITE_NODE_DEFAULT_VERSION",
  "SCM_DO_BUILD_DURING_DEPLOYMENT",
  "AzureWebJobsStorage",
];

/** Built-in role and policy definitions the deployment uses: the identity gets these and no others. */
const DEFINITIONS_IN_USE = {
  "00000000-0000-0000-0000-000000000002": "Cosmos DB Built-in Data Contributor",
  "b7e6dc6d-f1e8-4753-8033-0f276bb0955b": "Storage Blob Data Owner (the host's own runtime storage)",
  "ba92f5b4-2d11-453d-a403-e96b0029c9fe": "Storage Blob Data Contributor (per data container)",
  "db58b8e5-c6ad-4a2a-8342-4190687cbf4a": "Storage Blob Delegator (user delegation key)",
  "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39": "Azure Service Bus Data Sender",
  "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0": "Azure Service Bus Data Receiver",
  "e147488a-f6f5-4113-8e2d-b22465e65bf6":
    "Key Vault Crypto Service Encryption User (the backup key: wrap/unwrap)",
  "4633458b-17de-408a-b874-0445c86b69e6":
    "Key Vault Secrets User (the SUBJECT_HASH_KEY and PROCESSOR_WEBHOOK_SECRETS secrets only)",
  "3913510d-42f4-4e42-8a64-420c390055eb": "Monitoring Metrics Publisher (Entra telemetry ingestion)",
  "17d1049b-9a84-46fb-8f53-869881c3d3ab":
    "Storage Account Contributor (the deployment script's identity, on the pages' account only: static website)",
};

// ── Reading Bicep ─────────────────────────────────────────────────────────────────────────────────

interface BicepFile {
  name: string;
  source: string;
  /** The source with comments blanked. */
  code: string;
  /** The source with comments and string contents blanked: brackets and keywords only. Same length. */
  masked: string;
}

/** A value in a Bicep file: its text and where it starts (objects and arrays start at their bracket). */
interface Node {
  file: BicepFile;
  at: number;
  raw: string;
}

interface Resource {
  file: BicepFile;
  symbol: string;
  /** Without the API version. */
  type: string;
  apiVersion: string;
  existing: boolean;
  /** What stands between `=` and the body: a loop (`[for x in xs:`) or a condition (`if (c)`). */
  head: string;
  body: Node;
}

/** Blanks comments (in `code` and `masked`) and string contents (in `masked`), keeping every offset. */
function scan(source: string): { code: string; masked: string } {
  const code = source.split("");
  const masked = source.split("");
  const blank = (from: number, to: number, inCode: boolean) => {
    for (let k = from; k < to; k++) {
      if (source[k] === "\n") continue;
      masked[k] = "_";
      if (inCode) code[k] = " ";
    }
  };
  // Code up to the end, or (inside ${...}) up to the brace that closes the interpolation.
  const skipCode = (from: number, inInterpolation: boolean): number => {
    let depth = 0;
    let j = from;
    while (j < source.length) {
      if (source.startsWith("//", j)) {
        const end = source.indexOf("\n", j);
        const stop = end < 0 ? source.length : end;
        blank(j, stop, true);
        j = stop;
      } else if (source.startsWith("/*", j)) {
        const end = source.indexOf("*/", j + 2);
        const stop = end < 0 ? source.length : end + 2;
        blank(j, stop, true);
        j = stop;
      } else if (source[j] === "#" && source.slice(source.lastIndexOf("\n", j - 1) + 1, j).trim() === "") {
        // A compiler directive on its own line (`#disable-next-line <rule>`): no code, like a comment.
        const end = source.indexOf("\n", j);
        const stop = end < 0 ? source.length : end;
        blank(j, stop, true);
        j = stop;
      } else if (source[j] === "'") {
        j = skipString(j);
      } else {
        if (inInterpolation && source[j] === "{") depth++;
        if (inInterpolation && source[j] === "}") {
          if (depth === 0) return j;
          depth--;
        }
        j++;
      }
    }
    return j;
  };
  // A string from its opening quote; returns the index after the closing quote.
  const skipString = (start: number): number => {
    if (source.startsWith("'''", start)) {
      const end = source.indexOf("'''", start + 3);
      const stop = end < 0 ? source.length : end;
      blank(start + 3, stop, false);
      return stop + 3;
    }
    let j = start + 1;
    while (j < source.length && source[j] !== "'") {
      if (source[j] === "\\") j += 2;
      else if (source.startsWith("${", j)) j = skipCode(j + 2, true) + 1;
      else j++;
    }
    blank(start + 1, j, false);
    return j + 1;
  };
  skipCode(0, false);
  return { code: code.join(""), masked: masked.join("") };
}

function load(relativePath: string): BicepFile {
  const source = readFileSync(join(INFRA, relativePath), "utf8");
  return { name: relativePath, source, ...scan(source) };
}

const CLOSERS: Record<string, string> = { "{": "}", "[": "]", "(": ")" };

/** The index of the bracket closing the one at `open` (strings and comments are masked out). */
function closing(file: BicepFile, open: number): number {
  const expected: string[] = [];
  for (let k = open; k < file.masked.length; k++) {
    const c = file.masked.charAt(k);
    const closer = CLOSERS[c];
    if (closer) expected.push(closer);
    else if (c === "}" || c === "]" || c === ")") {
      if (expected.pop() !== c) throw new Error(`${file.name}: unbalanced ${c} at ${k}`);
      if (expected.length === 0) return k;
    }
  }
  throw new Error(`${file.name}: no bracket closes the one at ${open}`);
}

/** The index of the bracket opening the one that closes at `close`. */
function opening(file: BicepFile, close: number): number {
  let depth = 0;
  for (let k = close; k >= 0; k--) {
    const c = file.masked.charAt(k);
    if (c === ")" || c === "]" || c === "}") depth++;
    else if (c === "(" || c === "[" || c === "{") {
      depth--;
      if (depth === 0) return k;
    }
  }
  throw new Error(`${file.name}: no bracket opens the one at ${close}`);
}

/**
 * The top-level entries of an object or array literal starting at `open`: split at newlines and commas
 * outside brackets; a line starting with `?` or `:` continues a multi-line conditional.
 */
function pieces(file: BicepFile, open: number): Node[] {
  const close = closing(file, open);
  const out: Node[] = [];
  let depth = 0;
  let start = open + 1;
  for (let k = open + 1; k <= close; k++) {
    const c = file.masked.charAt(k);
    if (k === close || (depth === 0 && (c === "\n" || c === ","))) {
      const text = file.code.slice(start, k);
      const piece = text.trim();
      const previous = out[out.length - 1];
      if (previous && (piece.startsWith("?") || piece.startsWith(":"))) {
        previous.raw = file.code.slice(previous.at, k).trim();
      } else if (piece) {
        out.push({ file, at: start + text.length - text.trimStart().length, raw: piece });
      }
      start = k + 1;
    } else if (CLOSERS[c]) depth++;
    else if (c === "}" || c === "]" || c === ")") depth--;
  }
  return out;
}

function objectAt(node: Node): Map<string, Node> {
  if (!node.raw.startsWith("{")) throw new Error(`${node.file.name}: not an object literal: ${node.raw}`);
  const entries = new Map<string, Node>();
  for (const piece of pieces(node.file, node.at)) {
    const m = /^(?:'([^']*)'|([A-Za-z_]\w*))\s*:\s*/.exec(piece.raw);
    if (!m) throw new Error(`${node.file.name}: not an object entry: ${piece.raw}`);
    const key = m[1] ?? m[2] ?? "";
    entries.set(key, { file: node.file, at: piece.at + m[0].length, raw: piece.raw.slice(m[0].length) });
  }
  return entries;
}

function arrayAt(node: Node): Node[] {
  if (!node.raw.startsWith("[")) throw new Error(`${node.file.name}: not an array literal: ${node.raw}`);
  return pieces(node.file, node.at);
}

/** A nested property by dotted path through object literals ("properties.siteConfig.cors"). */
function field(node: Node, path: string): Node | undefined {
  let current: Node | undefined = node;
  for (const key of path.split(".")) {
    if (!current?.raw.startsWith("{")) return undefined;
    current = objectAt(current).get(key);
  }
  return current;
}

/** The raw text of a property that must be there. */
function raw(node: Node, path: string): string {
  const found = field(node, path);
  if (!found) throw new Error(`${node.file.name}: no ${path} in ${node.raw.slice(0, 60)}…`);
  return found.raw;
}

/** A literal value: string, number, boolean or null. */
function literal(node: Node | string): string | number | boolean | null {
  const text = typeof node === "string" ? node : node.raw;
  const s = /^'((?:[^'\\]|\\.)*)'$/s.exec(text);
  if (s) return (s[1] ?? "").replace(/\\(.)/g, "$1");
  if (/^-?\d+$/.test(text)) return Number(text);
  if (text === "true" || text === "false") return text === "true";
  if (text === "null") return null;
  throw new Error(`not a literal: ${text}`);
}

/** `var name = <literal>`: the value's node. */
function variable(file: BicepFile, name: string): Node {
  const m = new RegExp(`^var\\s+${name}\\s*=\\s*`, "m").exec(file.masked);
  if (!m) throw new Error(`${file.name}: no var ${name}`);
  const at = m.index + m[0].length;
  const bracket = file.masked.charAt(at);
  const end = CLOSERS[bracket] ? closing(file, at) + 1 : file.code.indexOf("\n", at);
  return { file, at, raw: file.code.slice(at, end < 0 ? undefined : end).trim() };
}

function resources(file: BicepFile): Resource[] {
  const out: Resource[] = [];
  for (const m of file.masked.matchAll(/^[ \t]*resource\s+(\w+)\s+'_*'\s+(existing\s+)?=/gm)) {
    const quote = file.masked.indexOf("'", m.index);
    const [type = "", apiVersion = ""] = file.source
      .slice(quote + 1, file.masked.indexOf("'", quote + 1))
      .split("@");
    const open = file.masked.indexOf("{", m.index + m[0].length);
    out.push({
      file,
      symbol: m[1] ?? "",
      type,
      apiVersion,
      existing: Boolean(m[2]),
      head: file.code
        .slice(m.index + m[0].length, open)
        .replace(/\s+/g, " ")
        .trim(),
      body: { file, at: open, raw: file.code.slice(open, closing(file, open) + 1) },
    });
  }
  return out;
}

interface Param {
  name: string;
  type: string;
  default?: Node;
  decorators: Map<string, Node>;
}

/** The decorators right above a declaration: name → argument text (`@allowed([...])` → `[...]`). */
function decorators(file: BicepFile, declaration: number): Map<string, Node> {
  const found = new Map<string, Node>();
  let k = declaration;
  for (;;) {
    let j = k - 1;
    while (j >= 0 && /\s/.test(file.masked.charAt(j))) j--;
    if (file.masked.charAt(j) !== ")") return found;
    const open = opening(file, j);
    const m = /@(\w+)$/.exec(file.masked.slice(0, open));
    if (!m) return found;
    const inside = file.code.slice(open + 1, j);
    found.set(m[1] ?? "", {
      file,
      at: open + 1 + inside.length - inside.trimStart().length,
      raw: inside.trim(),
    });
    k = open - m[0].length;
  }
}

function params(file: BicepFile): Map<string, Param> {
  const out = new Map<string, Param>();
  // The type: a name, an array of one (`string[]`) or an object type on one line (`{ *: string }`).
  for (const m of file.masked.matchAll(/^param\s+(\w+)\s+([\w[\]]+|\{[^}\n]*\})[ \t]*(=\s*)?/gm)) {
    const name = m[1] ?? "";
    let value: Node | undefined;
    if (m[3]) {
      const at = m.index + m[0].length;
      const end = CLOSERS[file.masked.charAt(at)] ? closing(file, at) + 1 : file.code.indexOf("\n", at);
      value = { file, at, raw: file.code.slice(at, end).trim() };
    }
    out.set(name, { name, type: m[2] ?? "", default: value, decorators: decorators(file, m.index) });
  }
  return out;
}

interface Output {
  name: string;
  value: string;
  decorators: Map<string, Node>;
}

function outputs(file: BicepFile): Output[] {
  return [...file.masked.matchAll(/^output\s+(\w+)\s+\w+\s*=\s*/gm)].map((m) => {
    const at = m.index + m[0].length;
    const end = file.code.indexOf("\n", at);
    return {
      name: m[1] ?? "",
      value: file.code.slice(at, end).trim(),
      decorators: decorators(file, m.index),
    };
  });
}

interface ModuleCall {
  symbol: string;
  path: string;
  /** `if (...)` of a conditional module, else empty. */
  condition: string;
  /** The `scope:` expression, else undefined (this resource group). */
  scope?: string;
  params: Map<string, Node>;
}

function moduleCalls(file: BicepFile): ModuleCall[] {
  return [...file.masked.matchAll(/^module\s+(\w+)\s+'_*'\s*=\s*/gm)].map((m) => {
    const quote = file.masked.indexOf("'", m.index);
    let open = m.index + m[0].length;
    let condition = "";
    if (file.masked.startsWith("if", open)) {
      const paren = file.masked.indexOf("(", open);
      condition = file.code.slice(paren, closing(file, paren) + 1);
      open = file.masked.indexOf("{", closing(file, paren));
    }
    const body = { file, at: open, raw: file.code.slice(open, closing(file, open) + 1) };
    const passed = field(body, "params");
    return {
      symbol: m[1] ?? "",
      path: file.source.slice(quote + 1, file.masked.indexOf("'", quote + 1)),
      condition,
      scope: field(body, "scope")?.raw,
      params: passed ? objectAt(passed) : new Map<string, Node>(),
    };
  });
}

/** `param name = value` lines of a .bicepparam file. */
function paramFile(relativePath: string): { using: string; values: Map<string, Node> } {
  const file = load(relativePath);
  const using = /^using\s+'([^']+)'/m.exec(file.code)?.[1] ?? "";
  const values = new Map<string, Node>();
  for (const m of file.masked.matchAll(/^param\s+(\w+)\s*=\s*/gm)) {
    const at = m.index + m[0].length;
    const end = CLOSERS[file.masked.charAt(at)] ? closing(file, at) + 1 : file.code.indexOf("\n", at);
    values.set(m[1] ?? "", { file, at, raw: file.code.slice(at, end).trim() });
  }
  return { using, values };
}

const sorted = (names: Iterable<string>) => [...names].sort();

// ── The files ─────────────────────────────────────────────────────────────────────────────────────

const main = load("main.bicep");
const modules = new Map(
  readdirSync(join(INFRA, "modules"))
    .filter((f) => f.endsWith(".bicep"))
    .map((f) => [f, load(join("modules", f))] as const),
);
const module = (name: string): BicepFile => {
  const file = modules.get(name);
  if (!file) throw new Error(`infra/modules/${name} is missing`);
  return file;
};
const allFiles = [main, ...modules.values()];
const allResources = allFiles.flatMap(resources);
const ofType = (type: string) => allResources.filter((r) => r.type === type && !r.existing);
const one = (type: string): Resource => {
  const found = ofType(type);
  if (found.length !== 1)
    throw new Error(`expected one ${type}, found ${found.map((r) => r.symbol).join(", ")}`);
  return found[0] as Resource;
};

const functionApp = module("functionapp.bicep");
const codeSettings = objectAt(variable(functionApp, "codeSettings"));
const runtimeSettings = objectAt(variable(functionApp, "runtimeSettings"));
const appSettings = new Map([...codeSettings, ...runtimeSettings]);
const site = one("Microsoft.Web/sites");
const mainParams = params(main);
const environments = ["main.dev.bicepparam", "main.prod.bicepparam"].map((f) => ({
  file: f,
  ...paramFile(f),
}));

// ── The tests ─────────────────────────────────────────────────────────────────────────────────────

describe("infra: the templates hang together (what the Bicep compiler would check first)", () => {
  it("every module main.bicep calls exists, gets every parameter it needs and no unknown one", () => {
    const calls = moduleCalls(main);
    expect(sorted(calls.map((c) => basename(c.path)))).toEqual(sorted(modules.keys()));
    for (const call of calls) {
      const declared = params(module(basename(call.path)));
      const required = [...declared.values()].filter((p) => !p.default).map((p) => p.name);
      expect(
        [...call.params.keys()].filter((p) => !declared.has(p)),
        `${call.path}: unknown`,
      ).toEqual([]);
      expect(
        required.filter((p) => !call.params.has(p)),
        `${call.path}: missing`,
      ).toEqual([]);
    }
  });

  it("every module output main.bicep reads is declared by that module", () => {
    const files = new Map(moduleCalls(main).map((c) => [c.symbol, module(basename(c.path))]));
    for (const m of main.code.matchAll(/\b(\w+)\.outputs\.(\w+)/g)) {
      const file = files.get(m[1] ?? "");
      expect(file, `module ${m[1]}`).toBeDefined();
      expect(outputs(file as BicepFile).map((o) => o.name)).toContain(m[2]);
    }
  });

  it("both parameter files use main.bicep and set every parameter it requires, and only those it has", () => {
    const required = [...mainParams.values()].filter((p) => !p.default).map((p) => p.name);
    for (const env of environments) {
      expect(env.using, env.file).toBe("./main.bicep");
      expect(
        [...env.values.keys()].filter((p) => !mainParams.has(p)),
        env.file,
      ).toEqual([]);
      expect(
        required.filter((p) => !env.values.has(p)),
        env.file,
      ).toEqual([]);
    }
  });
});

describe("infra: app settings are the code's configuration, by name", () => {
  it("the service's settings are exactly settingNames.azure of src/config/schema.ts", () => {
    expect(sorted(codeSettings.keys())).toEqual(sorted(settingNames.azure));
  });

  it("the rest are the Functions runtime's own settings, on an allow-list", () => {
    expect(sorted(runtimeSettings.keys())).toEqual(sorted(RUNTIME_SETTINGS));
    expect(variable(functionApp, "appSettings").raw).toBe("union(codeSettings, runtimeSettings)");
    for (const name of FLEX_REJECTED) expect(appSettings.has(name), name).toBe(false);
  });

  it("they are set in one place: one appsettings resource and nothing in siteConfig", () => {
    const config = one("Microsoft.Web/sites/config");
    expect(literal(raw(config.body, "name"))).toBe("appsettings");
    expect(raw(config.body, "properties")).toBe("appSettings");
    expect(field(site.body, "properties.siteConfig.appSettings")).toBeUndefined();
  });

  it("the Service Bus trigger's connection (functions/queues.ts) is identity-based, with these settings", () => {
    const queues = readFileSync(join(__dirname, "..", "..", "functions", "queues.ts"), "utf8");
    const connection = /connection:\s*"([^"]+)"/.exec(queues)?.[1];
    expect(connection).toBe("ServiceBusConnection");
    expect(codeSettings.has(`${connection}__fullyQualifiedNamespace`)).toBe(true);
    expect(literal(runtimeSettings.get(`${connection}__credential`) as Node)).toBe("managedidentity");
    expect(runtimeSettings.get(`${connection}__clientId`)?.raw).toBe("identityClientId");
    expect(codeSettings.get("AZURE_CLIENT_ID")?.raw).toBe("identityClientId");
    expect(literal(runtimeSettings.get("AzureWebJobsStorage__credential") as Node)).toBe("managedidentity");
  });

  it("the database names default to the code's defaults and reach the app and Cosmos DB from one parameter", () => {
    const defaults = {
      cosmosDatabaseName: AzureConfig.shape.COSMOS_DATABASE.parse(undefined),
      cosmosPlatformDatabaseName: AzureConfig.shape.COSMOS_PLATFORM_DATABASE.parse(undefined),
    };
    const cosmosCall = moduleCalls(main).find((c) => c.path.endsWith("cosmos.bicep"));
    const appCall = moduleCalls(main).find((c) => c.path.endsWith("functionapp.bicep"));
    for (const [param, value] of Object.entries(defaults)) {
      expect(literal(mainParams.get(param)?.default as Node), param).toBe(value);
      expect(appCall?.params.get(param)?.raw).toBe(param);
    }
    expect(cosmosCall?.params.get("databaseName")?.raw).toBe("cosmosDatabaseName");
    expect(cosmosCall?.params.get("platformDatabaseName")?.raw).toBe("cosmosPlatformDatabaseName");
    expect(codeSettings.get("COSMOS_DATABASE")?.raw).toBe("cosmosDatabaseName");
    expect(codeSettings.get("COSMOS_PLATFORM_DATABASE")?.raw).toBe("cosmosPlatformDatabaseName");
  });
});

describe("infra: no key, secret or connection string", () => {
  it("SUBJECT_HASH_KEY is a Key Vault reference resolved with the app's identity, never a literal", () => {
    expect(codeSettings.get("SUBJECT_HASH_KEY")?.raw).toMatch(
      /^'@Microsoft\.KeyVault\(VaultName=\$\{\w+\};SecretName=\$\{\w+\}\)'$/,
    );
    expect(raw(site.body, "properties.keyVaultReferenceIdentity")).toBe("identityId");
    // The secret's value never passes through a deployment (ops create it once: infra/README.md).
    expect(ofType("Microsoft.KeyVault/vaults/secrets")).toEqual([]);
  });

  it("PROCESSOR_WEBHOOK_SECRETS is a Key Vault reference too, or empty until ops have created the secret", () => {
    const value = codeSettings.get("PROCESSOR_WEBHOOK_SECRETS")?.raw.replace(/\s+/g, " ");
    expect(value).toMatch(
      /^empty\(processorSecretsSecretName\) \? '' : '@Microsoft\.KeyVault\(VaultName=\$\{keyVaultName\};SecretName=\$\{processorSecretsSecretName\}\)'$/,
    );
  });

  it("no listKeys() or other list*() call, no account or access key, no secure parameter anywhere", () => {
    for (const file of allFiles) {
      expect(file.code, file.name).not.toMatch(/\blist[A-Z]\w*\s*\(/);
      expect(file.code, file.name).not.toMatch(/AccountKey|SharedAccessKey|@secure\s*\(/i);
    }
  });

  it("no app setting carries a key, secret, password or connection string", () => {
    const sensitiveName = /KEY|SECRET|PASSWORD|TOKEN|CONNECTION_?STRING/i;
    const flagged = [...appSettings.keys()].filter((name) => sensitiveName.test(name));
    // The two that look sensitive by name and are not: checked below.
    expect(sorted(flagged)).toEqual([
      "APPLICATIONINSIGHTS_CONNECTION_STRING",
      "PROCESSOR_WEBHOOK_SECRETS",
      "SUBJECT_HASH_KEY",
    ]);
    for (const [name, value] of appSettings) {
      expect(value.raw, name).not.toMatch(/AccountKey|SharedAccess|InstrumentationKey=|password|sig=/i);
    }
  });

  it("the Application Insights connection string is no credential: local auth is off, ingestion uses Entra", () => {
    const insights = one("Microsoft.Insights/components");
    expect(literal(raw(insights.body, "properties.DisableLocalAuth"))).toBe(true);
    expect(runtimeSettings.get("APPLICATIONINSIGHTS_AUTHENTICATION_STRING")?.raw).toMatch(
      /^'Authorization=AAD;ClientId=\$\{identityClientId\}'$/,
    );
  });

  it("no output is a key, secret or connection string", () => {
    for (const file of allFiles) {
      for (const output of outputs(file)) {
        const where = `${file.name}: output ${output.name}`;
        expect(output.name, where).not.toMatch(
          /secret|password|connectionstring|accountkey|masterkey|sharedaccess|instrumentationkey|sas$|token/i,
        );
        expect(output.value, where).not.toMatch(
          /ConnectionString|InstrumentationKey|secret|\blist[A-Z]\w*\(/i,
        );
        expect(output.decorators.has("secure"), where).toBe(false);
      }
    }
  });
});

describe("infra: everything in India", () => {
  it("location defaults to centralindia and is allowed only Indian regions", () => {
    const location = mainParams.get("location");
    expect(literal(location?.default as Node)).toBe("centralindia");
    const allowed = arrayAt(location?.decorators.get("allowed") as Node).map(literal);
    expect(sorted(allowed as string[])).toEqual(sorted(INDIAN_REGIONS));
  });

  it("every other region parameter allows Indian regions only (or none)", () => {
    const regionParams = [...mainParams.values()].filter(
      (p) => /location/i.test(p.name) && p.name !== "location",
    );
    expect(regionParams.map((p) => p.name)).toEqual(["cosmosSecondaryLocation"]);
    for (const p of regionParams) {
      const allowed = arrayAt(p.decorators.get("allowed") as Node).map(literal);
      expect(
        allowed.filter((r) => r !== "" && !INDIAN_REGIONS.includes(r as string)),
        p.name,
      ).toEqual([]);
    }
    // Modules take their regions from main.bicep, never a default of their own.
    for (const file of modules.values()) {
      for (const p of params(file).values()) {
        if (/location/i.test(p.name)) expect(p.default, `${file.name}: ${p.name}`).toBeUndefined();
      }
    }
  });

  it("every location in every template is the location parameter (or 'global', for the types below)", () => {
    for (const file of allFiles) {
      for (const m of file.code.matchAll(/^\s*location:\s*(.+?)\s*$/gm))
        expect(["location", "'global'"], file.name).toContain(m[1]);
      for (const m of file.code.matchAll(/^\s*locationName:\s*(.+?)\s*$/gm)) {
        expect(["location", "secondary"], file.name).toContain(m[1]);
      }
    }
  });

  it("every resource that has a region sets it (child and extension resources have none)", () => {
    const extensions = [
      "Microsoft.Authorization/roleAssignments",
      "Microsoft.Authorization/policyAssignments",
      "Microsoft.Authorization/locks",
      "Microsoft.Insights/diagnosticSettings",
    ];
    // Types Azure offers in 'global' only (configuration, no personal data; the Allowed locations policy exempts
    // 'global'): Azure Monitor's action groups and activity-log and metric alert rules, private DNS zones.
    const globalOnly = [
      "Microsoft.Insights/actionGroups",
      "Microsoft.Insights/activityLogAlerts",
      "Microsoft.Insights/metricAlerts",
      "Microsoft.Network/privateDnsZones",
    ];
    const tracked = allResources.filter(
      (r) => !r.existing && r.type.split("/").length === 2 && !extensions.includes(r.type),
    );
    expect(tracked.length).toBeGreaterThanOrEqual(10);
    for (const r of tracked)
      expect(field(r.body, "location")?.raw, `${r.file.name}:${r.symbol}`).toBe(
        globalOnly.includes(r.type) ? "'global'" : "location",
      );
    for (const env of environments) {
      expect(literal(env.values.get("location") as Node), env.file).toBe("centralindia");
      const secondary = env.values.get("cosmosSecondaryLocation");
      if (secondary) expect(["", ...INDIAN_REGIONS]).toContain(literal(secondary));
    }
  });

  it("the residency policies are the subscription template's (the platform's identity), none in this resource group's", () => {
    // This template's deploy identity holds no policy rights, so it cannot lift the guard (review M4, H1): the
    // assignments are in infra/subscription/main.bicep (test/unit/infra-logs-alerts.test.ts checks them).
    expect(ofType("Microsoft.Authorization/policyAssignments")).toEqual([]);
    const subscription = load(join("subscription", "main.bicep"));
    expect(subscription.code).toMatch(/^targetScope = 'subscription'$/m);
    for (const definition of [
      "e56962a6-4747-49cd-b67b-bf8b01975c4c", // Allowed locations
      "e765b5de-1225-4ba3-bd56-1ac6695af988", // Allowed locations for resource groups
      "0473574d-2d43-4217-aefe-941fcdf7e684", // Azure Cosmos DB allowed locations
    ])
      expect(subscription.code).toContain(`'${definition}'`);
  });
});

describe("infra: the stores the code uses, exactly", () => {
  const cosmos = module("cosmos.bicep");
  const specs = (name: string): ContainerSpec[] =>
    arrayAt(variable(cosmos, name)).map((entry) => {
      const o = objectAt(entry);
      const ttl = literal(o.get("defaultTtl") as Node);
      return {
        name: literal(o.get("name") as Node) as string,
        partitionKeyPath: literal(o.get("partitionKeyPath") as Node) as string,
        ...(ttl === null ? {} : { defaultTtl: ttl as number }),
      };
    });

  it("Cosmos DB: the service's containers are serviceContainers of layout.ts (names, /pk, defaultTtl)", () => {
    expect(specs("serviceContainers")).toEqual(serviceContainers);
    const container = ofType("Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers").find(
      (r) => r.symbol === "serviceContainer",
    ) as Resource;
    expect(container.head).toBe("[ for container in serviceContainers:");
    expect(container.body.raw).toContain("container.partitionKeyPath");
    expect(container.body.raw).toContain(
      "container.defaultTtl == null ? {} : { defaultTtl: container.defaultTtl }",
    );
  });

  it("Cosmos DB: the platform's containers (dev only) are platformContainers of the inventory", () => {
    expect(specs("platformContainers")).toEqual(platformContainers(platformInventory));
  });

  it("Blob: the service's containers and, in dev, the platform's are those of blob/layout.ts", () => {
    const storage = module("data-storage.bicep");
    expect(arrayAt(variable(storage, "serviceBlobContainers")).map(literal)).toEqual([
      ...serviceBlobContainers,
    ]);
    expect(arrayAt(variable(storage, "platformBlobContainers")).map(literal)).toEqual(
      platformBlobContainers(platformInventory),
    );
  });

  it("Service Bus: a queue for every QueueName, dead-lettered after 10 deliveries and on expiry", () => {
    const queues = arrayAt(variable(module("servicebus.bicep"), "queues")).map(objectAt);
    expect(sorted(queues.map((q) => literal(q.get("name") as Node) as string))).toEqual(
      sorted(QueueName.options),
    );
    const queue = one("Microsoft.ServiceBus/namespaces/queues");
    expect(literal(raw(queue.body, "properties.maxDeliveryCount"))).toBe(10);
    expect(raw(queue.body, "properties.deadLetteringOnMessageExpiration")).toBe("q.deadLetterOnExpiry");
    expect(raw(queue.body, "properties.defaultMessageTimeToLive")).toBe("q.timeToLive");
    const byName = new Map(queues.map((q) => [literal(q.get("name") as Node) as string, q]));
    for (const name of QueueName.options) {
      // Work messages that expire are dead-lettered and finished by reconciliation; notices are not.
      expect(literal(byName.get(name)!.get("deadLetterOnExpiry") as Node), name).toBe(
        name !== "notifications",
      );
    }
  });

  it("Service Bus: notices expire before the code they carry, are dropped on expiry, and their dead letters can be swept", () => {
    const queues = arrayAt(variable(module("servicebus.bicep"), "queues")).map(objectAt);
    const notifications = queues.find((q) => literal(q.get("name") as Node) === "notifications")!;
    // The queue's default is the longest a notice may wait; a code's notice carries a shorter one.
    expect(literal(notifications.get("timeToLive") as Node)).toBe(periods.noticeTimeToLive.duration);
    expect(everShorterThanCode(periods.codeNoticeTimeToLive.duration)).toBe(true);
    // The dropDeadLetteredNotices timer receives from the notifications dead-letter sub-queue.
    expect(literal(notifications.get("received") as Node)).toBe(true);
  });

  it("Service Bus: the app may receive from every queue a function listens on", () => {
    const queues = arrayAt(variable(module("servicebus.bicep"), "queues")).map(objectAt);
    // The app may receive from every queue a function listens on.
    const received = queues
      .filter((q) => literal(q.get("received") as Node))
      .map((q) => literal(q.get("name") as Node));
    for (const fn of functionTable({ includeDev: false })) {
      if (fn.trigger === "queue") expect(received, fn.name).toContain(fn.queue);
    }
  });
});

describe("infra: identity only, TLS 1.2, least privilege", () => {
  it("Cosmos DB and Service Bus have local (key) auth disabled and require TLS 1.2", () => {
    const account = one("Microsoft.DocumentDB/databaseAccounts");
    expect(literal(raw(account.body, "properties.disableLocalAuth"))).toBe(true);
    expect(literal(raw(account.body, "properties.disableKeyBasedMetadataWriteAccess"))).toBe(true);
    expect(literal(raw(account.body, "properties.minimalTlsVersion"))).toBe("Tls12");
    expect(literal(raw(account.body, "properties.backupPolicy.type"))).toBe("Continuous");
    const namespace = one("Microsoft.ServiceBus/namespaces");
    expect(literal(raw(namespace.body, "properties.disableLocalAuth"))).toBe(true);
    expect(literal(raw(namespace.body, "properties.minimumTlsVersion"))).toBe("1.2");
  });

  it("every storage account refuses shared keys and public blobs, and requires TLS 1.2 over HTTPS", () => {
    const accounts = ofType("Microsoft.Storage/storageAccounts");
    // Runtime, data (private), export (public, exports only: test/unit/infra-network.test.ts) and the pages' (public
    // static website: test/unit/infra-web.test.ts).
    expect(accounts).toHaveLength(4);
    for (const account of accounts) {
      const where = account.file.name;
      expect(literal(raw(account.body, "properties.allowSharedKeyAccess")), where).toBe(false);
      expect(literal(raw(account.body, "properties.allowBlobPublicAccess")), where).toBe(false);
      expect(literal(raw(account.body, "properties.minimumTlsVersion")), where).toBe("TLS1_2");
      expect(literal(raw(account.body, "properties.supportsHttpsTrafficOnly")), where).toBe(true);
    }
  });

  it("the Function App: HTTPS only, TLS 1.2, Flex Consumption on Node, deployment storage by identity", () => {
    expect(literal(raw(site.body, "properties.httpsOnly"))).toBe(true);
    expect(literal(raw(site.body, "properties.siteConfig.minTlsVersion"))).toBe("1.2");
    expect(literal(raw(site.body, "properties.functionAppConfig.runtime.name"))).toBe("node");
    expect(
      literal(raw(site.body, "properties.functionAppConfig.deployment.storage.authentication.type")),
    ).toBe("UserAssignedIdentity");
    const plan = one("Microsoft.Web/serverfarms");
    expect(literal(raw(plan.body, "sku.tier"))).toBe("FlexConsumption");
    expect(literal(raw(plan.body, "sku.name"))).toBe("FC1");
  });

  it("Key Vault uses RBAC with purge protection", () => {
    const vault = one("Microsoft.KeyVault/vaults");
    expect(literal(raw(vault.body, "properties.enableRbacAuthorization"))).toBe(true);
    expect(literal(raw(vault.body, "properties.enablePurgeProtection"))).toBe(true);
  });

  it("the identity gets exactly the roles the code needs: no Owner, Contributor or data-owner role", () => {
    const used = new Set(
      allFiles.flatMap((f) =>
        [...f.code.matchAll(/'([0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12})'/g)].map((m) => m[1] ?? ""),
      ),
    );
    expect(sorted(used)).toEqual(sorted(Object.keys(DEFINITIONS_IN_USE)));
    // Blob Data Owner only on the host's own storage, which holds no personal data.
    const owners = allFiles.filter((f) => f.code.includes("b7e6dc6d-f1e8-4753-8033-0f276bb0955b"));
    expect(owners.map((f) => f.name)).toEqual([join("modules", "runtime-storage.bicep")]);
    // Storage Account Contributor only in the pages' module, for the deployment script's identity alone.
    const accountContributors = allFiles.filter((f) =>
      f.code.includes("17d1049b-9a84-46fb-8f53-869881c3d3ab"),
    );
    expect(accountContributors.map((f) => f.name)).toEqual([join("modules", "web-hosting.bicep")]);
  });
});

describe("infra: deleted means deleted", () => {
  const storage = module("data-storage.bicep");
  const blobService = resources(storage).find(
    (r) => r.type === "Microsoft.Storage/storageAccounts/blobServices",
  );

  it("the data account keeps no soft-deleted blobs, versions or change feed", () => {
    const body = (blobService as Resource).body;
    expect(literal(raw(body, "properties.deleteRetentionPolicy.enabled"))).toBe(false);
    expect(literal(raw(body, "properties.isVersioningEnabled"))).toBe(false);
    expect(literal(raw(body, "properties.changeFeed.enabled"))).toBe(false);
    expect(literal(raw(body, "properties.restorePolicy.enabled"))).toBe(false);
  });

  it("lifecycle deletes exports after at most 7 days, and any backup before the 90-day promise", () => {
    // The export account's policy and the data account's (test/unit/infra-network.test.ts: which rule where).
    const rules = ofType("Microsoft.Storage/storageAccounts/managementPolicies").flatMap((policy) =>
      arrayAt(field(policy.body, "properties.policy.rules") as Node),
    );
    const rule = (prefix: string) =>
      rules.find((r) =>
        arrayAt(field(r, "definition.filters.prefixMatch") as Node).some((p) => literal(p) === prefix),
      );
    const days = (r: Node | undefined) =>
      raw(r as Node, "definition.actions.baseBlob.delete.daysAfterCreationGreaterThan");
    expect(days(rule("exports/"))).toBe("exportRetentionDays");
    expect(days(rule("backups/"))).toBe("backupMaxAgeDays");
    const exportDays = mainParams.get("exportRetentionDays");
    expect(literal(exportDays?.default as Node)).toBe(7);
    expect(literal(exportDays?.decorators.get("maxValue") as Node)).toBe(7);
    expect(literal(mainParams.get("backupMaxAgeDays")?.decorators.get("maxValue") as Node)).toBeLessThan(90);
  });
});

describe("infra: CORS", () => {
  it("the app answers CORS from DASHBOARD_ORIGINS; the platform's CORS (siteConfig.cors) is off", () => {
    // With platform CORS on, the platform answers preflights and sets the allow headers itself, and it cannot
    // expose response headers: the app's own CORS (src/http/cors.ts) would never be what the browser sees.
    expect(field(site.body, "properties.siteConfig.cors")).toBeUndefined();
    expect(literal(raw(site.body, "properties.siteConfig.minTlsVersion"))).toBe("1.2");
    // The environment's dashboard origins and the pages' own (modules/web-hosting.bicep), each once.
    expect(codeSettings.get("DASHBOARD_ORIGINS")?.raw).toBe(
      "join(union(corsAllowedOrigins, [pagesOrigin]), ',')",
    );
    expect(appSettings.has("CORS_ALLOWED_ORIGINS")).toBe(false);
    expect(mainParams.get("corsAllowedOrigins")?.default).toBeUndefined();
  });

  it("each environment's origins pass the code's own validation (never '*'); production is the dashboard", () => {
    for (const env of environments) {
      const origins = arrayAt(env.values.get("corsAllowedOrigins") as Node).map(literal) as string[];
      expect(origins, env.file).not.toContain("*");
      expect(AzureConfig.shape.DASHBOARD_ORIGINS.parse(origins.join(",")), env.file).toEqual(origins);
    }
    const prod = environments.find((e) => e.file === "main.prod.bicepparam");
    expect(arrayAt(prod?.values.get("corsAllowedOrigins") as Node).map(literal)).toEqual([
      "https://app.callmissed.com",
    ]);
  });
});

describe("infra: the platform's own stores, reached with roles on what the inventory names", () => {
  const cosmosAccess = module("platform-cosmos-access.bicep");
  const blobAccess = module("platform-blob-access.bicep");
  const call = (file: string) => moduleCalls(main).find((c) => c.path === `modules/${file}`) as ModuleCall;

  it("the app reaches them by PLATFORM_COSMOS_ENDPOINT and PLATFORM_BLOB_ENDPOINT: its own accounts in dev, the platform's in prod", () => {
    expect(codeSettings.get("PLATFORM_COSMOS_ENDPOINT")?.raw).toBe("platformCosmosEndpoint");
    expect(codeSettings.get("PLATFORM_BLOB_ENDPOINT")?.raw).toBe("platformBlobEndpoint");
    const appCall = call("functionapp.bicep");
    expect(appCall.params.get("platformCosmosEndpoint")?.raw).toBe(
      "deployPlatformStores ? cosmos.outputs.endpoint : platformCosmos!.outputs.endpoint",
    );
    expect(appCall.params.get("platformBlobEndpoint")?.raw).toBe(
      "deployPlatformStores ? dataStorage.outputs.blobEndpoint : platformBlob!.outputs.blobEndpoint",
    );
    expect(outputs(cosmosAccess).find((o) => o.name === "endpoint")?.value).toBe(
      "account.properties.documentEndpoint",
    );
    expect(outputs(blobAccess).find((o) => o.name === "blobEndpoint")?.value).toBe(
      "account.properties.primaryEndpoints.blob",
    );
  });

  it("the platform's accounts are existing resources, granted in their own resource groups, only when not deployed here", () => {
    for (const [file, account, group] of [
      ["platform-cosmos-access.bicep", "platformCosmosAccountName", "platformCosmosResourceGroup"],
      ["platform-blob-access.bicep", "platformStorageAccountName", "platformStorageResourceGroup"],
    ] as const) {
      const c = call(file);
      expect(c.condition, file).toBe("(!deployPlatformStores)");
      expect(c.scope, file).toBe(`resourceGroup(${group})`);
      expect(c.params.get("accountName")?.raw, file).toBe(account);
      expect(c.params.get("principalId")?.raw, file).toBe("identity.outputs.principalId");
      const declared = resources(module(file));
      // Nothing of the platform's is created, changed or owned here: only role assignments are deployed.
      expect(
        declared.filter((r) => !r.existing).map((r) => r.type),
        file,
      ).toEqual([
        file.includes("cosmos")
          ? "Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments"
          : "Microsoft.Authorization/roleAssignments",
      ]);
      expect(literal(mainParams.get(account)?.default as Node), account).toBe("");
      expect(mainParams.get(group)?.default?.raw, group).toBe("resourceGroup().name");
    }
    expect(call("platform-cosmos-access.bicep").params.get("databaseName")?.raw).toBe(
      "cosmosPlatformDatabaseName",
    );
  });

  it("Cosmos DB: Data Contributor on each container of the inventory's platform database, scoped to that container", () => {
    expect(arrayAt(variable(cosmosAccess, "platformContainerNames")).map(literal)).toEqual(
      platformContainers(platformInventory).map((c) => c.name),
    );
    const assignment = resources(cosmosAccess).find((r) => !r.existing) as Resource;
    expect(assignment.head).toBe("[ for container in platformContainerNames:");
    expect(literal(variable(cosmosAccess, "dataContributor"))).toBe("00000000-0000-0000-0000-000000000002");
    expect(raw(assignment.body, "properties.scope")).toBe(
      "'${account.id}/dbs/${databaseName}/colls/${container}'",
    );
    expect(raw(assignment.body, "properties.roleDefinitionId")).toBe(
      "'${account.id}/sqlRoleDefinitions/${dataContributor}'",
    );
    // Contributor, not Reader: the inventory deletes and anonymises in these containers (purge, erasure, sweeps).
    const writes = platformInventory.filter(
      (e) => e.store.kind === "cosmos" && (e.onAccountPurge?.type === "delete" || e.sweep !== undefined),
    );
    expect(writes.length).toBeGreaterThan(0);
  });

  it("Blob: Storage Blob Data Contributor on each container the inventory names (deleted on purge and erasure), none on the account", () => {
    expect(arrayAt(variable(blobAccess, "platformBlobContainers")).map(literal)).toEqual(
      platformBlobContainers(platformInventory),
    );
    const assignment = resources(blobAccess).find((r) => !r.existing) as Resource;
    expect(assignment.head).toBe("[ for (containerName, i) in platformBlobContainers:");
    expect(raw(assignment.body, "scope")).toBe("containers[i]");
    expect(literal(variable(blobAccess, "storageBlobDataContributor"))).toBe(
      "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
    );
    // Contributor, not Reader: the inventory deletes every platform blob on account purge.
    for (const entry of platformInventory) {
      if (entry.store.kind === "blob") expect(entry.onAccountPurge?.type, entry.label).toBe("delete");
    }
    expect(blobAccess.code).not.toContain("db58b8e5-c6ad-4a2a-8342-4190687cbf4a"); // no Blob Delegator there
  });

  it("prod names the platform's accounts (from the GitHub environment); dev creates the platform's stores itself", () => {
    const prod = environments.find((e) => e.file === "main.prod.bicepparam");
    const dev = environments.find((e) => e.file === "main.dev.bicepparam");
    expect(literal(prod?.values.get("deployPlatformStores") as Node)).toBe(false);
    expect(literal(dev?.values.get("deployPlatformStores") as Node)).toBe(true);
    for (const [param, variableName] of [
      ["platformCosmosAccountName", "PLATFORM_COSMOS_ACCOUNT"],
      ["platformCosmosResourceGroup", "PLATFORM_COSMOS_RESOURCE_GROUP"],
      ["platformStorageAccountName", "PLATFORM_STORAGE_ACCOUNT"],
      ["platformStorageResourceGroup", "PLATFORM_STORAGE_RESOURCE_GROUP"],
    ] as const) {
      expect(prod?.values.get(param)?.raw, param).toBe(`readEnvironmentVariable('${variableName}')`);
      expect(dev?.values.has(param), param).toBe(false);
    }
  });
});

/**
 * Names the platform sets or reserves in a Function App's environment. An app setting by such a name is overwritten
 * by the platform or breaks the app: CORS_ALLOWED_ORIGINS, which the platform sets on Linux/Flex Consumption as a
 * JSON array, broke every invocation of this app (issue 15). Sources:
 * - App settings reference for Azure Functions (AzureWebJobs*, AzureFunctionsJobHost__*, FUNCTIONS_*, WEBSITE_*,
 *   SCM_*, and the settings Flex Consumption deprecates): https://learn.microsoft.com/azure/azure-functions/functions-app-settings
 * - Environment variables and app settings in Azure App Service (WEBSITE_*, APPSETTING_*, and the variables the
 *   runtime sets, such as HOME, PORT, REGION_NAME, IDENTITY_ENDPOINT): https://learn.microsoft.com/azure/app-service/reference-app-settings
 * - The Functions host reads CORS_ALLOWED_ORIGINS and CORS_SUPPORT_CREDENTIALS from the environment on Linux
 *   consumption plans: Azure/azure-functions-host, src/WebJobs.Script.WebHost/Configuration/CorsOptionsSetup.cs and
 *   https://github.com/Azure/azure-functions-host/pull/9846 ("Host currently honors 'CORS_ALLOWED_ORIGINS' app
 *   setting only for linux consumption").
 */
const RESERVED_NAMES: readonly RegExp[] = [
  /^CORS_/,
  /^WEBSITE_/,
  /^WEBSITES_/,
  /^FUNCTIONS_/,
  /^FUNCTION_APP_EDIT_MODE$/,
  /^AzureWebJobs/,
  /^AzureFunctionsJobHost__/,
  /^AZURE_FUNCTIONS_ENVIRONMENT$/,
  /^APPSETTING_/,
  /^SCM_/,
  /^CONTAINER_NAME$/,
  /^PLATFORM_VERSION$/,
  /^(HOME|PORT|REGION_NAME|IDENTITY_ENDPOINT|IDENTITY_HEADER|MSI_ENDPOINT|MSI_SECRET)$/,
];

/**
 * The AzureWebJobs* names an app may set: the host storage's identity-based connection, "Connecting to host storage
 * with an identity" and "Common properties for identity-based connections",
 * https://learn.microsoft.com/azure/azure-functions/functions-reference#connecting-to-host-storage-with-an-identity
 */
const HOST_STORAGE_IDENTITY_SETTINGS = [
  "AzureWebJobsStorage__accountName",
  "AzureWebJobsStorage__blobServiceUri",
  "AzureWebJobsStorage__queueServiceUri",
  "AzureWebJobsStorage__tableServiceUri",
  "AzureWebJobsStorage__credential",
  "AzureWebJobsStorage__clientId",
  "AzureWebJobsStorage__managedIdentityResourceId",
];

const reserved = (name: string) =>
  RESERVED_NAMES.some((p) => p.test(name)) && !HOST_STORAGE_IDENTITY_SETTINGS.includes(name);

describe("infra: no app setting or configuration name the platform sets or reserves", () => {
  it("the list catches the names that broke or would break the app", () => {
    for (const name of [
      "CORS_ALLOWED_ORIGINS",
      "CORS_SUPPORT_CREDENTIALS",
      "WEBSITE_RUN_FROM_PACKAGE",
      "AzureWebJobsStorage",
      "FUNCTIONS_WORKER_RUNTIME",
      "APPSETTING_X",
      "AzureWebJobsFeatureFlags",
    ]) {
      expect(reserved(name), name).toBe(true);
    }
    for (const name of [
      "AzureWebJobsStorage__accountName",
      "AzureWebJobsStorage__clientId",
      "DASHBOARD_ORIGINS",
      "ServiceBusConnection__clientId",
    ]) {
      expect(reserved(name), name).toBe(false);
    }
  });

  it("no app setting in infra/ uses one (beyond the host storage's documented identity-based settings)", () => {
    expect([...appSettings.keys()].filter(reserved)).toEqual([]);
    // The AzureWebJobs* settings there are exactly documented identity-based ones.
    for (const name of appSettings.keys()) {
      if (name.startsWith("AzureWebJobs")) expect(HOST_STORAGE_IDENTITY_SETTINGS, name).toContain(name);
    }
    // App settings are set in one place only (see "they are set in one place"): no other file names any.
    for (const file of allFiles) {
      if (file !== functionApp) expect(file.code, file.name).not.toMatch(/appsettings|appSettings/);
    }
  });

  it("no configuration name in src/config uses one: the azure profile's none, the local profile's only PORT (never deployed)", () => {
    expect(settingNames.azure.filter(reserved)).toEqual([]);
    // PORT is the local host's listening port; the local profile never runs on the platform.
    expect(settingNames.local.filter(reserved)).toEqual(["PORT"]);
  });
});

describe("infra: one Bicep compiler version", () => {
  it("the workflow's az deployments pin the version npm run infra:build restores (infra/tools/bicep.csproj)", () => {
    const csproj = readFileSync(join(INFRA, "tools", "bicep.csproj"), "utf8");
    const version = /<BicepVersion>([^<]+)<\/BicepVersion>/.exec(csproj)?.[1];
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    const workflow = readFileSync(join(__dirname, "..", "..", ".github", "workflows", "deploy.yml"), "utf8");
    expect(/BICEP_VERSION: "([^"]+)"/.exec(workflow)?.[1]).toBe(version);
    expect(workflow).not.toMatch(/az bicep install\s*$/m); // never "latest"
    expect(workflow).toContain("npm run infra:build");
  });
});
