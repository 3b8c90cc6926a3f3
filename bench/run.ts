import { benchBackup } from "./backup";
import { benchExport } from "./export";
import { benchHost } from "./lib";
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

/**
 * `npm run bench [name…]`: each benchmark on a fresh local host of its own (the embedded Cosmos scans
 * whole containers, and one bench's data or due timers must not weigh on the next), printed as ratios
 * to a baseline measured in the same run: absolute numbers on the emulators say little, ratios do.
 */
async function main() {
  const only = process.argv.slice(2);
  const unknown = only.filter((n) => !(n in benches));
  if (unknown.length)
    throw new Error(`unknown bench ${unknown.join(", ")}: one of ${Object.keys(benches).join(", ")}`);
  for (const [name, run] of Object.entries(benches)) {
    if (only.length && !only.includes(name)) continue;
    const host = await benchHost();
    try {
      await run(host);
    } finally {
      await host.stop();
    }
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
