import { AsyncLocalStorage } from "node:async_hooks";
import type { Logger } from "../ports/logger";

/**
 * The logger of the invocation in hand, for the one line the HTTP edge writes on its own: an unexpected
 * failure caught by `guard` (src/http/route.ts). A route's handler runs its own guard, several calls below
 * the host's handler, so the host sets the logger here once rather than threading it through every route.
 */
const current = new AsyncLocalStorage<Logger>();

export const runWithInvocationLog = <T>(log: Logger, work: () => T): T => current.run(log, work);

export const invocationLog = (): Logger | undefined => current.getStore();
