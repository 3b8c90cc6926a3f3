import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The use cases reach the service's documents through `app.stores` only (src/app/stores), and partition keys
 * are spelled once (src/domain/storage/partition-keys.ts): a container name or a `tenant:…` spelled in a use
 * case is the leak these lines catch, without dependency-cruiser.
 */
const root = join(__dirname, "..", "..");

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

/** Each line of src/app matching `pattern`, as `file:line`, outside the files allowed to say it. */
function offenders(pattern: RegExp, allowed: readonly string[]): string[] {
  return sources(join(root, "src", "app")).flatMap((file) => {
    const name = relative(root, file).split("\\").join("/");
    if (allowed.includes(name)) return [];
    return readFileSync(file, "utf8")
      .split("\n")
      .flatMap((line, i) => (pattern.test(line) ? [`${name}:${i + 1}`] : []));
  });
}

describe("store boundaries", () => {
  it("no use case opens a container of the service's database: they use app.stores", () => {
    expect(offenders(/collection\(\s*["']service["']/, ["src/app/stores/stores.ts"])).toEqual([]);
  });

  it("no use case opens a platform container but through platformRecords", () => {
    expect(offenders(/collection\(\s*["']platform["']/, ["src/app/stores/platform-records.ts"])).toEqual([]);
  });

  it("no use case spells a partition key: src/domain/storage/partition-keys.ts does", () => {
    expect(offenders(/`(tenant|wa|contact|breach|idem):\$\{/, [])).toEqual([]);
  });

  it("the checks find what they look for: the one allowed place is found when not allowed", () => {
    expect(offenders(/collection\(\s*["']service["']/, [])).toEqual([
      expect.stringMatching(/^src\/app\/stores\/stores\.ts:/),
    ]);
  });
});
