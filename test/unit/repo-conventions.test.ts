import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import ignore from "ignore";
import { describe, expect, it } from "vitest";

/**
 * The repository's conventions, each kept in step with what it mirrors: the Node version where we choose the runtime,
 * the engines range of the build machines, code owners that name real files, the editor settings Prettier checks,
 * and a changelog whose latest release is the package's version.
 */

const ROOT = join(__dirname, "..", "..");
const read = (...path: string[]) => readFileSync(join(ROOT, ...path), "utf8");
const pkg = JSON.parse(read("package.json")) as { version: string; engines: { node: string } };
// semver has no types of its own here: the one function used, typed where it is loaded.
const semver = createRequire(__filename)("semver") as { satisfies(version: string, range: string): boolean };

describe("Node 22 wherever we choose the runtime", () => {
  it(".nvmrc = infra/main.bicep nodeVersion = deploy.yml NODE_VERSION = real-components.yml NODE_VERSION", () => {
    const nvmrc = read(".nvmrc").trim();
    expect(nvmrc).toMatch(/^\d+$/);
    const bicep = /^param nodeVersion string = '(\d+)'$/m.exec(read("infra", "main.bicep"))?.[1];
    const workflows = ["deploy.yml", "real-components.yml"].map(
      (f) => /^ {2}NODE_VERSION: "(\d+)"$/m.exec(read(".github", "workflows", f))?.[1],
    );
    expect([bicep, ...workflows]).toEqual([nvmrc, nvmrc, nvmrc]);
    expect(nvmrc).toBe("22");
  });

  it("engines still admits the build machines' Node 20.19 and Node 22.12 (require(esm) on by default)", () => {
    const range = pkg.engines.node;
    for (const version of ["20.19.0", "22.12.0", "24.0.0"])
      expect(semver.satisfies(version, range), version).toBe(true);
    for (const version of ["20.18.3", "22.11.0", "18.20.0"])
      expect(semver.satisfies(version, range), version).toBe(false);
  });
});

describe(".github/CODEOWNERS", () => {
  const rules = read(".github", "CODEOWNERS")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => {
      const [pattern = "", ...owners] = l.split(/\s+/);
      return { pattern, owners };
    });
  const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], {
    cwd: ROOT,
    encoding: "utf8",
  })
    .split("\n")
    .filter(Boolean);

  it("every pattern matches at least one file of the repository", () => {
    expect(rules.length).toBeGreaterThan(5);
    for (const { pattern } of rules) {
      const matcher = ignore().add(pattern);
      expect(
        files.some((f) => matcher.ignores(f)),
        pattern,
      ).toBe(true);
    }
  });

  it("retention periods, access control and infrastructure are owned by the privacy office or security only", () => {
    for (const { pattern, owners } of rules) {
      expect(owners.length, pattern).toBeGreaterThan(0);
      for (const owner of owners)
        expect(["@callmissed/privacy-office", "@callmissed/security"], pattern).toContain(owner);
    }
    const owned = (file: string) => rules.some(({ pattern }) => ignore().add(pattern).ignores(file));
    for (const file of [
      "src/domain/policy/periods.ts",
      "src/domain/inventory/platform-inventory.ts",
      "docs/policies/privacy-policy.txt",
      "src/http/auth.ts",
      "src/app/caller.ts",
      "src/app/requests/access-control.ts",
      "infra/main.bicep",
      ".github/workflows/deploy.yml",
      "host.json",
    ])
      expect(owned(file), file).toBe(true);
    expect(owned("src/app/export/package.ts")).toBe(false);
  });
});

describe(".editorconfig agrees with .prettierrc.json", () => {
  const prettier = JSON.parse(read(".prettierrc.json")) as {
    printWidth?: number;
    tabWidth?: number;
    useTabs?: boolean;
    endOfLine?: string;
  };
  /** The `[*]` section as key → value. */
  const editor = (() => {
    const text = read(".editorconfig");
    const section = text.slice(text.indexOf("[*]\n") + 4).split(/\n\[/)[0] ?? "";
    return Object.fromEntries(
      [...section.matchAll(/^(\w+)\s*=\s*(\S+)$/gm)].map((m) => [m[1] ?? "", m[2] ?? ""]),
    );
  })();

  it("indent, line length, line ending and final newline (Prettier's defaults where .prettierrc.json is silent)", () => {
    expect(read(".editorconfig")).toMatch(/^root = true$/m);
    expect(editor.indent_style).toBe(prettier.useTabs ? "tab" : "space");
    expect(Number(editor.indent_size)).toBe(prettier.tabWidth ?? 2);
    expect(Number(editor.max_line_length)).toBe(prettier.printWidth ?? 80);
    expect(editor.end_of_line).toBe(prettier.endOfLine ?? "lf");
    expect(editor.insert_final_newline).toBe("true");
    expect(editor.charset).toBe("utf-8");
  });
});

describe("CHANGELOG.md", () => {
  const changelog = read("CHANGELOG.md");
  const versions = [...changelog.matchAll(/^## \[([^\]]+)\]/gm)].map((m) => m[1]);

  it("keeps an Unreleased section first, then the releases, the latest being package.json's version", () => {
    expect(changelog).toMatch(/Keep a Changelog/);
    expect(versions[0]).toBe("Unreleased");
    expect(versions[1]).toBe(pkg.version);
    expect(versions).toContain("0.1.0");
    expect(
      changelog.slice(changelog.indexOf("## [Unreleased]"), changelog.indexOf(`## [${pkg.version}]`)),
    ).toMatch(/^### (Added|Changed|Fixed|Removed|Deprecated|Security)$/m);
  });
});

describe("SECURITY.md", () => {
  it("says where to report, what to include and what not, how fast, the scope and the safe harbour", () => {
    const text = read("SECURITY.md");
    expect(text).toMatch(/security@callmissed\.com/);
    for (const heading of ["How to report", "What we do, and when", "Scope", "Safe harbour"])
      expect(text, heading).toMatch(new RegExp(`^## ${heading}$`, "m"));
    expect(text).toMatch(/do \*\*not\*\* include/);
    expect(text).toMatch(/personal data of anyone but yourself/);
  });
});
