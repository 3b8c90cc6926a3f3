import type { InvocationContext } from "@azure/functions";
import type { Logger } from "../../ports/logger";
import { jsonLine, lineLogger } from "./line-logger";

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
  const scope = { fn: context.functionName, invocationId: context.invocationId };
  return lineLogger((level, event, fields) => context[level](jsonLine(scope, level, event, fields)));
}
