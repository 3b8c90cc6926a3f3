import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import type { Emulator } from "../../src/local/emulators";

/**
 * The embedded Cosmos emulator in a process of its own, so the simulation's run uses both cores of the
 * machine: in `npm start` it shares the service's process, and there it is most of the CPU a run spends (every
 * query is a scan). The child is the same emulator (`startCosmos`, with its keep-alive and query-plan
 * answers), on loopback, and exits when this process's end of its stdin closes, however this process ends.
 */
export async function startCosmosProcess(): Promise<Emulator> {
  const child: ChildProcess = spawn(
    process.execPath,
    ["--import", "tsx", join(__dirname, "cosmos-child.ts")],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
  const endpoint = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.once("error", reject);
    child.once("exit", (code) =>
      reject(new Error(`the Cosmos emulator process exited (${code}) before it listened`)),
    );
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8");
      const line = /^listening (http:\/\/127\.0\.0\.1:\d+)$/m.exec(out);
      if (line) resolve(line[1]!);
    });
  });
  child.removeAllListeners("exit");
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.stdin!.end();
      }),
  };
}
