import type { Logger, LoggerFactory, LogLevel, LogScope } from "../../ports/logger";
import { jsonLine, lineLogger } from "./line-logger";

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
  return lineLogger((level, event, fields) => {
    if (RANK[level] >= min) write(jsonLine(scope, level, event, fields));
  });
}

export const jsonLinesLoggers =
  (options: JsonLinesOptions = {}): LoggerFactory =>
  (scope) =>
    jsonLinesLogger(scope, options);
