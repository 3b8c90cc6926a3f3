import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The repository stands alone: README.md and docs/ point only at files that exist in it, or at public
 * documentation over https. Every link and every backticked repository path (`src/…`, `test/…`, `docs/…`,
 * `infra/…`, …) must exist, and every `DESIGN §N` cited anywhere must be a section of docs/design.md.
 */

const root = resolve(__dirname, "..", "..");

function files(dir: string, ext: RegExp): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory()) return e.name === "node_modules" ? [] : files(path, ext);
    return ext.test(e.name) ? [path] : [];
  });
}

const docs = ["README.md", "infra/README.md", ...files("docs", /\.md$/)];

/** Paths that are written by a build, not committed; a doc may name them. */
const GENERATED = new Set(["infra/tools/out/", "infra/tools/packages/", "dist/", ".local-data/"]);

const ROOTS = "src|test|docs|infra|bench|scripts|functions";

/** `[text](target)` links, outside code spans. */
function links(text: string): string[] {
  const prose = text.replace(/```[\s\S]*?```/g, "").replace(/`[^`\n]*`/g, "");
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
}

/** Backticked paths into the repository, e.g. `src/app/account/purge.ts` or `docs/adr/`. */
function repoPaths(text: string): string[] {
  const spans = [...text.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!);
  return spans.flatMap((span) =>
    [...span.matchAll(new RegExp(`(?:^|[\\s(])((?:${ROOTS})/[^\\s),;:]*)`, "g"))]
      .map((m) => m[1]!.replace(/[.,]+$/, ""))
      .filter((p) => !/[<>*{}…|]/.test(p)),
  );
}

function problemsOf(doc: string): string[] {
  const text = readFileSync(join(root, doc), "utf8");
  const problems: string[] = [];
  for (const target of links(text)) {
    if (/^https:\/\//.test(target)) {
      if (/^https:\/\/(localhost|127\.|10\.|192\.168\.|[^/]*\.(internal|local|corp)\b)/.test(target))
        problems.push(`${doc}: a link to an internal address: ${target}`);
      continue;
    }
    if (/^[a-z]+:/i.test(target)) {
      problems.push(`${doc}: a link outside the repository (only https links to public docs): ${target}`);
      continue;
    }
    if (target.startsWith("#")) continue;
    const path = target.split("#")[0]!;
    const abs = path.startsWith("/") ? path : resolve(root, dirname(doc), path);
    const rel = relative(root, abs);
    if (path.startsWith("/") || rel.startsWith(".."))
      problems.push(`${doc}: a link outside the repository: ${target}`);
    else if (!existsSync(abs)) problems.push(`${doc}: a link to a missing file: ${target}`);
  }
  for (const path of repoPaths(text)) {
    if ([...GENERATED].some((g) => path.startsWith(g))) continue;
    if (!existsSync(join(root, path))) problems.push(`${doc}: names a missing path: ${path}`);
  }
  for (const outside of text.match(
    /\.\.\/shared|\bDESIGN\.md\b|(?<!docs\/)\breviews\/|file:\/\/|\/home\/|\/work\//g,
  ) ?? [])
    problems.push(`${doc}: points outside the repository: ${outside}`);
  // A clone has no issue tracker to follow, nor review documents but its own copies under docs/reviews/.
  for (const cite of text.match(/\b(?:[Ii]ssue \d+|review [A-Z]\d)\b/g) ?? [])
    problems.push(`${doc}: cites something a clone cannot read: ${cite}`);
  return problems;
}

describe("documentation stands alone", () => {
  it("reads README.md and every page under docs/, the ADRs and the policies' folder included", () => {
    expect(docs).toContain("docs/design.md");
    expect(docs.filter((d) => d.startsWith("docs/adr/")).length).toBeGreaterThanOrEqual(9);
    expect(existsSync(join(root, "docs/policies"))).toBe(true);
  });

  it("every link and backticked repository path exists, and nothing points outside the repository", () => {
    expect(docs.flatMap(problemsOf)).toEqual([]);
  });

  it("every DESIGN §N cited in the repository is a section of docs/design.md", () => {
    const sections = new Set(
      [...readFileSync(join(root, "docs/design.md"), "utf8").matchAll(/^## (\d+)\./gm)].map((m) => m[1]!),
    );
    expect(sections.size).toBeGreaterThanOrEqual(9);
    const sources = [
      ...docs,
      ...["src", "functions", "test", "bench", "scripts", "infra"].flatMap((d) =>
        files(d, /\.(ts|mts|cjs|md|bicep|bicepparam)$/),
      ),
    ];
    const missing = sources.flatMap((file) =>
      [...readFileSync(join(root, file), "utf8").matchAll(/(?:DESIGN|design\.md`?) ?§ ?(\d+)/g)]
        .filter((m) => !sections.has(m[1]!))
        .map((m) => `${file}: ${m[0]}`),
    );
    expect(missing).toEqual([]);
  });

  it("the checks see what they look for", () => {
    const sample =
      "See [x](../../outside.md), [y](http://example.com), `src/no/such/file.ts` and `docs/design.md`.";
    expect(links(sample)).toEqual(["../../outside.md", "http://example.com"]);
    expect(repoPaths(sample)).toEqual(["src/no/such/file.ts", "docs/design.md"]);
  });

  it("each ADR has its context, decision and consequences, and the index lists it", () => {
    const index = readFileSync(join(root, "docs/adr/README.md"), "utf8");
    for (const adr of files("docs/adr", /^\d{4}-.*\.md$/)) {
      const text = readFileSync(join(root, adr), "utf8");
      for (const heading of ["## Context", "## Decision", "## Consequences"])
        expect(text, adr).toContain(heading);
      expect(index, adr).toContain(`(${adr.slice("docs/adr/".length)})`);
    }
  });
});
