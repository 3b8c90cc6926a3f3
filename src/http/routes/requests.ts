import { exportView } from "../../app/export";
import { processorsView } from "../../app/processors";
import { createRequest, type CreateRequestInput } from "../../app/requests";
import { staffRoleOf, standingOf } from "../../app/requests";
import { getRequest, listRequests } from "../../app/requests";
import { requestView } from "../../app/requests";
import { invocationLog } from "../invocation-log";
import { json, route } from "../route";
import { Problem as problemSchema } from "../schemas/problem";
import { CreateRequestBody, IdParams, ListQuery, RequestList, RequestView } from "../schemas/requests";

const location = (id: string) => `/api/v1/requests/${id}`;

/** The wire body as the use case takes it: kind-specific fields travel in `details`. */
function toInput(body: CreateRequestBody): CreateRequestInput {
  const base: CreateRequestInput = {
    kind: body.kind,
    ...(body.scope ? { scope: body.scope } : {}),
    ...(body.contact ? { contact: body.contact } : {}),
    ...(body.language ? { language: body.language } : {}),
    ...(body.channel ? { channel: body.channel } : {}),
    ...(body.messageRef ? { messageRef: body.messageRef } : {}),
    ...("onBehalfOf" in body && body.onBehalfOf ? { onBehalfOf: body.onBehalfOf } : {}),
  };
  switch (body.kind) {
    case "erasure":
      return { ...base, details: body.reason ? { reason: body.reason } : {} };
    case "access":
      return base;
    case "correction":
      return { ...base, details: { corrections: body.corrections } };
    case "nomination":
      return { ...base, details: { nominee: body.nominee } };
    case "grievance":
      return { ...base, details: body.details };
    case "consent_withdrawal":
      return { ...base, details: { purposes: body.purposes } };
  }
}

export const createRequestRoute = route({
  name: "createRequest",
  method: "POST",
  path: "v1/requests",
  summary:
    "Make a rights request: from the dashboard (JWT), from staff (JWT, a request that arrived by email), or public",
  access: "optional",
  // A filing's replay has rules of its own (the requestToken only while unverified): the use case keeps them.
  idempotent: "in-handler",
  rateLimited: true,
  body: CreateRequestBody,
  responses: {
    201: {
      description: "Created; public requests get their requestToken here, once",
      schema: RequestView,
      headers: ["Location"],
    },
    200: {
      description: "An open request of this kind for this subject already exists, and is returned",
      schema: RequestView,
      headers: ["Location"],
    },
    400: { description: "Invalid input; nothing stored", schema: problemSchema },
    403: {
      description: "Not allowed for this role (e.g. account deletion by a non-owner)",
      schema: problemSchema,
    },
    409: {
      description: "The first request with this Idempotency-Key is still being processed",
      schema: problemSchema,
    },
    429: { description: "Too many requests for this number or from this address", schema: problemSchema },
  },
  async handler({ rt, caller, body, idempotency }) {
    const result = await createRequest(rt.app, caller, toInput(body), idempotency, { log: invocationLog() });
    const view = {
      ...requestView(result.request, rt.app.ports.clock.now(), standingOf(caller), {}, staffRoleOf(caller)),
      ...(result.requestToken ? { requestToken: result.requestToken } : {}),
    };
    return json(result.outcome === "created" ? 201 : 200, view, {
      location: location(result.request.id),
      "cache-control": "no-store",
      ...(result.replayed ? { "idempotent-replayed": "true" } : {}),
    });
  },
});

export const listRequestsRoute = route({
  name: "listRequests",
  method: "GET",
  path: "v1/requests",
  summary: "List requests: tenant members see their tenant's, staff see all",
  access: ["owner", "admin", "member", "support", "privacy_officer"],
  query: ListQuery,
  responses: { 200: { description: "One page, newest first", schema: RequestList } },
  async handler({ rt, caller, query }) {
    const page = await listRequests(rt.app, caller, {
      ...(query.status ? { status: query.status } : {}),
      ...(query.kind ? { kind: query.kind } : {}),
      ...(query.overdue === "true" ? { overdue: true } : {}),
      limit: query.limit,
      ...(query.continuationToken ? { continuationToken: query.continuationToken } : {}),
    });
    const now = rt.app.ports.clock.now();
    return json(200, {
      items: page.items.map((doc) => requestView(doc, now, page.relation, {}, staffRoleOf(caller))),
      ...(page.continuationToken ? { continuationToken: page.continuationToken } : {}),
    });
  },
});

export const getRequestRoute = route({
  name: "getRequest",
  method: "GET",
  path: "v1/requests/{id}",
  summary: "One request: status, deadlines, what can be done next (requester token, tenant member, staff)",
  access: "optional",
  params: IdParams,
  responses: {
    200: { description: "The request", schema: RequestView },
    404: { description: "No such request, or not yours", schema: problemSchema },
  },
  async handler({ rt, caller, params }) {
    const { doc, relation } = await getRequest(rt.app, caller, params.id);
    const extra = { ...(await exportView(rt.app, doc)), ...(await processorsView(rt.app, doc, relation)) };
    return json(200, requestView(doc, rt.app.ports.clock.now(), relation, extra, staffRoleOf(caller)), {
      "cache-control": "no-store",
    });
  },
});
