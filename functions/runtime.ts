import { loadConfig } from "../src/config/load";
import { createRuntime } from "../src/composition";
import type { Runtime } from "../src/runtime";

let runtime: Promise<Runtime> | undefined;

/**
 * Built on the first invocation, not at import: a configuration error then fails that invocation
 * with a message naming each setting, instead of the host finding "no job functions".
 */
export function getRuntime(): Promise<Runtime> {
  runtime ??= Promise.resolve().then(() => createRuntime(loadConfig()));
  runtime.catch(() => {
    runtime = undefined;
  });
  return runtime;
}
