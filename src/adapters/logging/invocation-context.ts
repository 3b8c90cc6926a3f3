import type { InvocationContext } from "@azure/functions";
import type { LogFields, Logger, LogLevel } from "../../ports/logger";

/** The part of the Functions host's invocation context that logs (its methods feed Application Insights). */
export type InvocationLog = Pick<
  InvocationContext,
  "invocationId" | "functionName" | "debug" | "info" | "warn" | "error"
>;

/**
 * A logger over the invocation's own log methods, so each line reaches Application Insights with the
 * host's invocation id and level. The line is the same JSON object the local host writes.
 */
export function invocationContextLogger(context: InvocationLog): Logger {
  const make = (bound: LogFields): Logger => {
    const at =
      (level: LogLevel) =>
      (event: string, fields: LogFields = {}): void =>
        context[level](
          JSON.stringify({
            level,
            fn: context.functionName,
            invocationId: context.invocationId,
            event,
            ...bound,
            ...fields,
          }),
        );
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
