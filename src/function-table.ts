import {
  createDispatcher,
  HOST_HTTP_METHODS,
  type HostHttpFunction,
  hostRoutingProblems,
  isValidFunctionName,
  ROUTE_PREFIX,
} from "./http/dispatch";
import { problem } from "./http/problem";
import { allRoutes } from "./http/routes";
import type { HttpRoute } from "./http/route";
import type {
  FunctionEntry,
  HttpCatchAllFunction,
  HttpFunction,
  QueueFunction,
  TimerFunction,
} from "./function-types";
import { accountPurgeQueue, reconcileTimer } from "./triggers/account";
import { auditAnchorTimer } from "./triggers/audit-anchor";
import {
  backupRotationQueue,
  backupSetsQueue,
  backupTimer,
  reconcileBackupsTimer,
  retentionSweepTimer,
} from "./triggers/backups";
import { requestExecutionQueue } from "./triggers/execution";
import { reconcileExportsTimer } from "./triggers/export";
import { noticeDeadLettersTimer, ownRecordsSweepTimer } from "./triggers/own-records";
import { requestTimersQueue } from "./triggers/request-timers";
import { processorTasksTimer } from "./triggers/processors";
import { rightsSweepTimer } from "./triggers/rights";
import { verificationSweepTimer } from "./triggers/verification";
import { reconcileWhatsAppErasuresTimer } from "./triggers/whatsapp-erasure";

export type {
  FunctionEntry,
  HttpCatchAllFunction,
  HttpFunction,
  Invocation,
  QueueFunction,
  QueueMeta,
  TimerFunction,
} from "./function-types";

/** `zz…`: after every route name under the host's OrdinalIgnoreCase order (checked, not assumed). */
export const CATCH_ALL_NAME = "zzNotFound";

const queueFunctions: QueueFunction[] = [
  accountPurgeQueue,
  requestTimersQueue,
  backupRotationQueue,
  requestExecutionQueue,
  backupSetsQueue,
];
const timerFunctions: TimerFunction[] = [
  reconcileTimer,
  reconcileExportsTimer,
  reconcileWhatsAppErasuresTimer,
  verificationSweepTimer,
  rightsSweepTimer,
  backupTimer,
  reconcileBackupsTimer,
  retentionSweepTimer,
  ownRecordsSweepTimer,
  noticeDeadLettersTimer,
  processorTasksTimer,
  // Last: the local host runs timers in this order, so the anchor seals what the others just wrote.
  auditAnchorTimer,
];

function catchAll(routes: HttpRoute[]): HttpCatchAllFunction {
  const dispatch = createDispatcher(routes);
  const prefix = new RegExp(`^/${ROUTE_PREFIX}(?=/|$)`, "i");
  return {
    trigger: "httpCatchAll",
    name: CATCH_ALL_NAME,
    route: "{*path}",
    methods: HOST_HTTP_METHODS,
    answer(method, pathname) {
      const found = prefix.test(pathname) ? dispatch(method, pathname.replace(prefix, "")) : undefined;
      return found?.kind === "method_not_allowed"
        ? problem(405, `Use ${found.allow.join(" or ")} on this path.`, {}, { allow: found.allow.join(", ") })
        : problem(404, "No such endpoint. See /api/openapi.json.");
    },
  };
}

/** The HTTP functions of a table as the Functions host sees them (name, route template, methods). */
export function hostHttpFunctions(
  table: FunctionEntry[],
): (HostHttpFunction & { entry: HttpFunction | HttpCatchAllFunction })[] {
  return table.flatMap((f): (HostHttpFunction & { entry: HttpFunction | HttpCatchAllFunction })[] => {
    if (f.trigger === "http")
      return [{ name: f.name, route: f.route.path, methods: [f.route.method], entry: f }];
    if (f.trigger === "httpCatchAll") return [{ name: f.name, route: f.route, methods: f.methods, entry: f }];
    return [];
  });
}

/**
 * Refuses a table the Functions host would not serve as the local host does: an HTTP function that its
 * own route and method do not reach in the host's name order (a catch-all or a parameter route named
 * earlier takes it), conflicting or reserved routes, invalid or clashing names (src/http/dispatch.ts
 * cites the host's code for each rule).
 */
export function checkFunctionTable(table: FunctionEntry[]): FunctionEntry[] {
  const names = table.map((f) => f.name.toUpperCase());
  const clash = names.find((n, i) => names.indexOf(n) !== i);
  const problems = [
    ...(clash ? [`two functions are named "${clash}" (the host ignores case)`] : []),
    ...table
      .filter((f) => !isValidFunctionName(f.name))
      .map((f) => `"${f.name}" is not a valid function name`),
    ...hostRoutingProblems(hostHttpFunctions(table)),
  ];
  if (problems.length) {
    throw new Error(
      `The function table would not route in Azure as it does locally:\n- ${problems.join("\n- ")}`,
    );
  }
  return table;
}

/**
 * The function table (DESIGN §2), defined once: functions/ registers it with `@azure/functions`, the
 * local host serves the same entries. Dev-only routes are left out of the Azure table. Checked against
 * the host's routing when built: a table where a route would be shadowed in Azure never loads.
 */
export function functionTable(options: { includeDev: boolean }): FunctionEntry[] {
  const routes = allRoutes(options.includeDev);
  return checkFunctionTable([
    ...routes.map((route) => ({ trigger: "http" as const, name: route.name, route })),
    catchAll(routes),
    ...queueFunctions,
    ...timerFunctions,
  ]);
}
