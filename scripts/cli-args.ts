import { parseArgs } from "node:util";

/**
 * A script's arguments as node:util's parseArgs reads them: exactly `count` positionals and the named
 * string options (`--out <file>`). Undefined for anything else (a missing value, an unknown option, another
 * count), which the script answers with its usage line.
 */
export function cliArgs<O extends string>(
  argv: string[],
  count: number,
  options: readonly O[],
): { positionals: string[]; options: Partial<Record<O, string>> } | undefined {
  try {
    const parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: Object.fromEntries(options.map((name) => [name, { type: "string" as const }])),
    });
    if (parsed.positionals.length !== count || parsed.positionals.some((p) => p === "")) return undefined;
    return { positionals: parsed.positionals, options: parsed.values as Partial<Record<O, string>> };
  } catch {
    return undefined;
  }
}
