import { benchHost } from "./lib";
import { benchRequests } from "./requests";

/**
 * `npm run bench`: every benchmark in one run on one host, printed as ratios to a baseline measured in
 * the same run (absolute numbers on the embedded emulators say little; ratios do).
 */
async function main() {
  const only = process.argv.slice(2);
  const host = await benchHost();
  try {
    if (!only.length || only.includes("requests")) await benchRequests(host);
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
