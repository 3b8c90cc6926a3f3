/**
 * `npm run simulate -- [flags]`: the compliance proof. A simulated year (by default) of traffic through the local
 * host on the dev clock, with faults injected, then every promise of the policies checked from the stores and
 * the proofs (docs/simulation.md). Writes simulation-report.json and simulation-report.html to --out; exit 1
 * names each broken promise, exit 2 on bad flags.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseOptions, USAGE } from "./simulate/options";
import { exitCodeOf } from "./simulate/report";
import { reportHtml } from "./simulate/report-html";
import { runSimulation } from "./simulate/run";

async function main(argv: string[]): Promise<number> {
  const parsed = parseOptions(argv);
  if ("help" in parsed) {
    console.log(USAGE);
    return 0;
  }
  if ("error" in parsed) {
    console.error(`${parsed.error}\n\n${USAGE}`);
    return 2;
  }
  const { options } = parsed;
  process.env.LOCAL_HTTP_LOG = "off";
  const report = await runSimulation(options, {}, (line) => console.log(line));
  const out = resolve(options.out);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "simulation-report.json"), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(out, "simulation-report.html"), reportHtml(report));
  console.log(
    `${report.promisesHeld}/${report.promisesChecked} promises held; faults recovered ${Object.values(report.faults).reduce((a, f) => a + f.recovered, 0)}/${report.faultRecords.length}; ${report.runSeconds} s`,
  );
  console.log(`report: ${join(out, "simulation-report.html")}`);
  if (exitCodeOf(report) === 0) return 0;
  for (const p of report.promises.filter((p) => !p.held)) {
    console.error(`BROKEN: ${p.promise} (${p.id})`);
    for (const b of p.broken.slice(0, 10)) console.error(`  - ${b}`);
  }
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    process.exitCode = 1;
  },
);
