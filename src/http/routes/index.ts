import type { HttpRoute } from "../route";
import { backupRoutes } from "./backups";
import { devClockRoute, devOutboxRoute, devSeedRoute, devTokenRoute } from "./dev";
import { exportLinkRoute } from "./export";
import { policyRoute } from "./policy";
import { certificateProofRoute, certificateRoute, reactivateAccountRoute } from "./accounts";
import { auditRoute, requestActionRoutes } from "./request-actions";
import { createRequestRoute, getRequestRoute, listRequestsRoute } from "./requests";
import { breachRoutes } from "./breaches";
import { correctionConfirmRoutes } from "./correction-confirm";
import { consentCheckRoute, consentLookupRoute } from "./consents";
import {
  consentHistoryRoute,
  consentNoticesRoute,
  grantConsentRoute,
  requestConsentsRoute,
  validateConsentRoute,
} from "./consent-artefacts";
import { consentManagerRoute } from "./consent-managers";
import { grievanceRoutes } from "./grievances";
import { operationsRoutes } from "./operations";
import { slaRoute } from "./sla";
import { subjectInventoryLookupRoute, subjectInventoryRoute } from "./subjects";
import { healthRoute, livenessRoute, openApiRouteOver, readinessRoute } from "./system";
import { problemTypeRoute } from "./problems";
import { processorRoutes } from "./processors";

const openApiRoute = openApiRouteOver((includeDev) => allRoutes(includeDev));

/** Every HTTP route, in one list: the function table registers these, the OpenAPI document lists them. */
export function allRoutes(includeDev: boolean): HttpRoute[] {
  const routes: HttpRoute[] = [
    healthRoute,
    livenessRoute,
    readinessRoute,
    openApiRoute,
    problemTypeRoute,
    policyRoute,
    subjectInventoryRoute,
    subjectInventoryLookupRoute,
    createRequestRoute,
    listRequestsRoute,
    getRequestRoute,
    ...requestActionRoutes,
    ...correctionConfirmRoutes,
    auditRoute,
    exportLinkRoute,
    certificateRoute,
    certificateProofRoute,
    reactivateAccountRoute,
    ...backupRoutes,
    ...grievanceRoutes,
    consentCheckRoute,
    consentLookupRoute,
    consentNoticesRoute,
    grantConsentRoute,
    validateConsentRoute,
    consentHistoryRoute,
    requestConsentsRoute,
    consentManagerRoute,
    ...breachRoutes,
    ...processorRoutes,
    slaRoute,
    ...operationsRoutes,
    devTokenRoute,
    devSeedRoute,
    devClockRoute,
    devOutboxRoute,
  ];
  return includeDev ? routes : routes.filter((r) => !r.devOnly);
}
