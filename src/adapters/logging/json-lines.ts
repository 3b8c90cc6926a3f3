import type { LogFields, Logger, LoggerFactory, LogLevel, LogScope } from "../../ports/logger";

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export interface JsonLinesOptions {
  /** Lines below this level are dropped (default `info`). */
  minLevel?: LogLevel;
  /** Where a line goes (default: stdout through `console.log`, one JSON object a line, as the host always logged). */
  write?: (line: string) => void;
}

/** One JSON object per line: `{level, fn, invocationId, event, ...fields}`. */
export function jsonLinesLogger(scope: LogScope, options: JsonLinesOptions = {}): Logger {
  const min = RANK[options.minLevel ?? "info"];
  const write = options.write ?? ((line: string) => console.log(line));
  const make = (bound: LogFields): Logger => {
    const at =
      (level: LogLevel) =>
      (event: string, fields: LogFields = {}): void => {
        if (RANK[level] < min) return;
        write(
          JSON.stringify({
            level,
            fn: scope.fn,
            invocationId: scope.invocationId,
            event,
            ...bound,
            ...fields,
          }),
        );
      };
    return {
      debug: at("debug"),
      info: at("info"),
      warn: at("warn"),
      error: at("error"),
      with: (fields) => make({ ...bound, ...fields }),
    };
  };
  return make({});
}

export const jsonLinesLoggers =
  (options: JsonLinesOptions = {}): LoggerFactory =>
  (scope) =>
    jsonLinesLogger(scope, options);
