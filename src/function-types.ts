import { randomUUID } from "node:crypto";
import type { HttpRoute } from "./http/route";
import type { ApiResponse } from "./http/types";
import type { Logger } from "./ports/logger";
import type { QueueName } from "./ports/scheduler";
import type { Runtime } from "./runtime";

/**
 * The shapes of the function table's entries. Their own module, so the triggers that implement them and
 * the table that lists the triggers (src/function-table.ts) do not import each other.
 */

/** One run of a function: the host's invocation id and the logger that puts it on every line. */
export interface Invocation {
  invocationId: string;
  log: Logger;
}

export interface QueueMeta {
  messageId: string;
  deliveryCount: number;
}

export interface QueueFunction {
  trigger: "queue";
  name: string;
  queue: QueueName;
  /**
   * Validates the message body itself (zod) and acts idempotently: delivery is at least once.
   * `invocation`: the host's; without one (a test, a script) the runtime's loggers make one.
   */
  handle(rt: Runtime, body: unknown, meta: QueueMeta, invocation?: Invocation): Promise<void>;
}

export interface TimerFunction {
  trigger: "timer";
  name: string;
  /** NCRONTAB with seconds, as the Functions timer trigger reads it. */
  schedule: string;
  handle(rt: Runtime, invocation?: Invocation): Promise<void>;
}

export interface HttpFunction {
  trigger: "http";
  name: string;
  route: HttpRoute;
}

/**
 * The catch-all: every method, every path under `api/`, so unknown routes get a problem+json answer
 * instead of the host's own 404. The host routes in function-name order and the first template-and-
 * method match wins (src/http/dispatch.ts), so its name must sort after every other HTTP function's;
 * the table is refused otherwise. It reaches `answer` only when no route of the table took the
 * request, in Azure and in the local host alike.
 */
export interface HttpCatchAllFunction {
  trigger: "httpCatchAll";
  name: string;
  /** Route template without the prefix: `{*path}`. */
  route: string;
  methods: readonly string[];
  /** 405 naming the allowed methods when a route of the table has this path, else 404 (problem+json). */
  answer(method: string, pathname: string): ApiResponse;
}

export type FunctionEntry = HttpFunction | HttpCatchAllFunction | QueueFunction | TimerFunction;

/** The invocation a host passed, or a new one from the runtime's loggers (its own id). */
export function invocationOf(rt: Runtime, fn: string, given?: Invocation): Invocation {
  if (given) return given;
  const invocationId = randomUUID();
  return { invocationId, log: rt.logs({ fn, invocationId }) };
}
