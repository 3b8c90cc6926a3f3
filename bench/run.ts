import { benchBackup } from "./backup";
import { benchExport } from "./export";
import { benchHost } from "./lib";
import { measureActions, printGrowth } from "./operations";
import { benchPurge } from "./purge";
import { benchRequests } from "./requests";
import { benchWhatsAppErasure } from "./whatsapp-erasure";
import type { LocalHost } from "../src/local/host";

const benches: Record<string, (host: LocalHost) => Promise<unknown>> = {
  requests: benchRequests,
  purge: benchPurge,
  export: benchExport,
  "whatsapp-erasure": benchWhatsAppErasure,
  backup: benchBackup,
};

// The triggers' JSON log lines (one per message handled) would bury the report; BENCH_LOGS=on keeps them.
if (process.env.BENCH_LOGS !== "on") {
  const log = console.log.bind(console);
  console.log = (...args: unknown[]) => {
    if (typeof args[0] === "string" && args[0].startsWith('{"level"')) return;
    log(...args);
  };
}

/** Store operations per business action at 1× and 10× (counted, and timed): one fresh host per action. */
const OPERATIONS = "operations";

/**
 * `npm run bench [name…]`: each benchmark on a fresh local host of its own (the embedded Cosmos scans
 * whole containers, and one bench's data or due timers must not weigh on the next), printed as ratios
 * to a baseline measured in the same run: absolute numbers on the emulators say little, ratios do.
 */
async function main() {
  const only = process.argv.slice(2);
  const names = [...Object.keys(benches), OPERATIONS];
  const unknown = only.filter((n) => !names.includes(n));
  if (unknown.length) throw new Error(`unknown bench ${unknown.join(", ")}: one of ${names.join(", ")}`);
  for (const [name, run] of Object.entries(benches)) {
    if (only.length && !only.includes(name)) continue;
    const host = await benchHost();
    try {
      await run(host);
    } finally {
      await host.stop();
    }
  }
  if (!only.length || only.includes(OPERATIONS)) printGrowth(await measureActions());
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
