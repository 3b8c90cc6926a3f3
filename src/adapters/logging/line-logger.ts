import type { LogFields, Logger, LogLevel, LogScope } from "../../ports/logger";

/** Where a logger's lines go: each with its level, event, and the bound fields merged under its own. */
export type LineSink = (level: LogLevel, event: string, fields: LogFields) => void;

/** A logger over a sink: the four levels, and `with` binding fields for every later line. */
export function lineLogger(sink: LineSink, bound: LogFields = {}): Logger {
  const at =
    (level: LogLevel) =>
    (event: string, fields: LogFields = {}): void =>
      sink(level, event, { ...bound, ...fields });
  return {
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    with: (fields) => lineLogger(sink, { ...bound, ...fields }),
  };
}

/** The one line every host writes: `{level, fn, invocationId, event, ...fields}` as JSON. */
export const jsonLine = (scope: LogScope, level: LogLevel, event: string, fields: LogFields): string =>
  JSON.stringify({ level, fn: scope.fn, invocationId: scope.invocationId, event, ...fields });
