import { benchBackup } from "./backup";
import { benchExport } from "./export";
import { benchHost } from "./lib";
import { benchPurge } from "./purge";
import { benchRequests } from "./requests";
import { benchWhatsAppErasure } from "./whatsapp-erasure";

/**
 * `npm run bench`: every benchmark in one run on one host, printed as ratios to a baseline measured in
 * the same run (absolute numbers on the embedded emulators say little; ratios do).
 */
async function main() {
  const only = process.argv.slice(2);
  const host = await benchHost();
  try {
    if (!only.length || only.includes("requests")) await benchRequests(host);
    if (!only.length || only.includes("purge")) await benchPurge(host);
    if (!only.length || only.includes("export")) await benchExport(host);
    if (!only.length || only.includes("whatsapp-erasure")) await benchWhatsAppErasure(host);
    if (!only.length || only.includes("backup")) await benchBackup(host);
  } finally {
    await host.stop();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
