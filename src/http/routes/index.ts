import type { HttpRoute } from "../route";
import { devClockRoute, devOutboxRoute, devSeedRoute, devTokenRoute } from "./dev";
import { auditRoute, requestActionRoutes } from "./request-actions";
import { createRequestRoute, getRequestRoute, listRequestsRoute } from "./requests";
import { subjectInventoryRoute } from "./subjects";
import { healthRoute, openApiRoute } from "./system";

/** Every HTTP route, in one list: the function table registers these, the OpenAPI document lists them. */
export function allRoutes(includeDev: boolean): HttpRoute[] {
  const routes: HttpRoute[] = [
    healthRoute,
    openApiRoute,
    subjectInventoryRoute,
    createRequestRoute,
    listRequestsRoute,
    getRequestRoute,
    ...requestActionRoutes,
    auditRoute,
    devTokenRoute,
    devSeedRoute,
    devClockRoute,
    devOutboxRoute,
  ];
  return includeDev ? routes : routes.filter((r) => !r.devOnly);
}
