import type { Logger, LoggerFactory } from "../../src/ports/logger";
import type { Runtime } from "../../src/runtime";

/**
 * The service's warnings and errors during a run, counted by event instead of printed: they are what Azure
 * Monitor's alerts count (infra/modules/alerts.bicep), so the report says which alerts a year of faults raised
 * (a silent partner's `processor_task_overdue`, a failed execution's retries…), and the console stays readable.
 */
export class AlertCounter {
  readonly counts: Record<string, number> = {};

  install(rt: Runtime): void {
    const base: LoggerFactory = rt.logs;
    const count = (level: string, event: string) => {
      const key = `${level} ${event}`;
      this.counts[key] = (this.counts[key] ?? 0) + 1;
    };
    const wrap = (logger: Logger): Logger => ({
      debug: () => {},
      info: () => {},
      warn: (event) => count("warn", event),
      error: (event) => count("error", event),
      with: (fields) => wrap(logger.with(fields)),
    });
    (rt as { logs: LoggerFactory }).logs = (scope) => wrap(base(scope));
  }
}
