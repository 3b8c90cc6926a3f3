import type { LogFields, Logger, LoggerFactory, LogLevel, LogScope } from "../../ports/logger";
import { lineLogger } from "./line-logger";

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

  logger(scope: LogScope): Logger {
    return lineLogger((level, event, fields) => this.lines.push({ level, scope, event, fields }));
  }
}
