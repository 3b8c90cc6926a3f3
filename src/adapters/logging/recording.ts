import type { LogFields, Logger, LoggerFactory, LogLevel, LogScope } from "../../ports/logger";

export interface RecordedLine {
  level: LogLevel;
  scope: LogScope;
  event: string;
  fields: LogFields;
}

/** Keeps every line in memory, for tests that read what was logged (and that nothing personal was). */
export class RecordingLogs {
  readonly lines: RecordedLine[] = [];

  readonly factory: LoggerFactory = (scope) => this.logger(scope);

  logger(scope: LogScope, bound: LogFields = {}): Logger {
    const at =
      (level: LogLevel) =>
      (event: string, fields: LogFields = {}): void => {
        this.lines.push({ level, scope, event, fields: { ...bound, ...fields } });
      };
    return {
      debug: at("debug"),
      info: at("info"),
      warn: at("warn"),
      error: at("error"),
      with: (fields) => this.logger(scope, { ...bound, ...fields }),
    };
  }
}
