import type { z } from "zod";
import {
  approveRequest,
  cancelRequest,
  extendDeadline,
  holdRequest,
  rejectRequest,
  releaseRequest,
  retryRequest,
} from "../../app/requests";
import type { Caller } from "../../app/caller";
import { staffRoleOf, standingOf } from "../../app/requests";
import type { AppContext } from "../../app/context";
import { auditTrail } from "../../app/requests";
import { resendVerificationCode, submitVerificationCode } from "../../app/requests";
import { requestView } from "../../app/requests";
import type { RequestDoc } from "../../domain/requests/model";
import type { Access, HttpRoute } from "../route";
import { json, route } from "../route";
import { Problem } from "../schemas/problem";
import {
  AuditView,
  ExtendBody,
  IdParams,
  NoticeReasonBody,
  OptionalReasonBody,
  ReasonBody,
  RequestView,
  VerificationBody,
} from "../schemas/requests";

const STAFF = ["support", "privacy_officer"] as const;

const refusals = {
  400: { description: "Invalid input", schema: Problem },
  404: { description: "No such request, or not yours", schema: Problem },
  409: {
    description: "Not possible in the request's current status (named in the problem)",
    schema: Problem,
  },
};

/** One POST …/{id}/<verb> route: validate, call the use case, answer with the request as it is now. */
export function actionRoute<B>(spec: {
  name: string;
  verb: string;
  summary: string;
  access: Access;
  body?: z.ZodType<B>;
  /** The documented refusals, where they differ from the usual 400/404/409. */
  refusals?: HttpRoute["responses"];
  run(app: AppContext, caller: Caller, id: string, body: B): Promise<RequestDoc>;
}): HttpRoute {
  return route<B, Record<string, never>, z.infer<typeof IdParams>>({
    name: spec.name,
    method: "POST",
    path: `v1/requests/{id}/${spec.verb}`,
    summary: spec.summary,
    access: spec.access,
    params: IdParams,
    ...(spec.body ? { body: spec.body } : {}),
    responses: {
      200: { description: "The request after the action", schema: RequestView },
      ...(spec.refusals ?? refusals),
    },
    async handler({ rt, caller, params, body }) {
      const doc = await spec.run(rt.app, caller, params.id, body);
      return json(
        200,
        requestView(doc, rt.app.ports.clock.now(), standingOf(caller), {}, staffRoleOf(caller)),
        {
          "cache-control": "no-store",
        },
      );
    },
  });
}

export const requestActionRoutes: HttpRoute[] = [
  actionRoute({
    name: "submitVerification",
    verb: "verification",
    summary: "Submit the one-time code (6 digits, valid 15 minutes; 5 wrong codes lock for an hour)",
    access: "optional",
    body: VerificationBody,
    refusals: {
      ...refusals,
      429: { description: "Too many wrong codes from your address: locked for a while", schema: Problem },
    },
    run: (app, caller, id, body) => submitVerificationCode(app, caller, id, body.code),
  }),
  actionRoute({
    name: "resendVerification",
    verb: "verification/resend",
    summary: "Send a new code (the previous one stops working); at most 3 an hour",
    access: "optional",
    refusals: {
      ...refusals,
      429: { description: "Too many new codes for now, or verification is locked", schema: Problem },
    },
    run: (app, caller, id) => resendVerificationCode(app, caller, id),
  }),
  actionRoute({
    name: "cancelRequest",
    verb: "cancel",
    summary: "Withdraw a request before it executes (requester or account owner)",
    access: "optional",
    body: OptionalReasonBody.optional(),
    refusals: {
      ...refusals,
      403: { description: "Neither the requester nor the account's owner", schema: Problem },
    },
    run: (app, caller, id, body) => cancelRequest(app, caller, id, body?.reason),
  }),
  actionRoute({
    name: "approveRequest",
    verb: "approve",
    summary:
      "Staff review passed: the request runs (the review note stays on the request; the requester is not sent it)",
    access: STAFF,
    body: OptionalReasonBody.optional(),
    run: (app, caller, id, body) => approveRequest(app, caller, id, body?.reason),
  }),
  actionRoute({
    name: "rejectRequest",
    verb: "reject",
    summary:
      "Staff refuse the request, with the reason the requester is told (in their noticeLanguage, said in textLanguage)",
    access: STAFF,
    body: NoticeReasonBody,
    run: (app, caller, id, body) => rejectRequest(app, caller, id, body.reason, body.textLanguage),
  }),
  actionRoute({
    name: "holdRequest",
    verb: "hold",
    summary: "Legal hold: nothing is deleted while it lasts (privacy officer, with the reason)",
    access: ["privacy_officer"],
    body: ReasonBody,
    run: (app, caller, id, body) => holdRequest(app, caller, id, body.reason),
  }),
  actionRoute({
    name: "releaseRequest",
    verb: "release",
    summary: "Lift a legal hold: work already due runs at once",
    access: ["privacy_officer"],
    body: ReasonBody,
    run: (app, caller, id, body) => releaseRequest(app, caller, id, body.reason),
  }),
  actionRoute({
    name: "extendDeadline",
    verb: "extend",
    summary:
      "Move the deadline out, with a recorded reason, never past the legal ceiling; the requester is told the new date and the reason",
    access: STAFF,
    body: ExtendBody,
    run: (app, caller, id, body) =>
      extendDeadline(app, caller, id, new Date(body.until), body.reason, body.textLanguage),
  }),
  actionRoute({
    name: "retryRequest",
    verb: "retry",
    summary: "Resume a failed execution from the step it reached",
    access: STAFF,
    run: (app, caller, id) => retryRequest(app, caller, id),
  }),
];

export const auditRoute = route({
  name: "requestAudit",
  method: "GET",
  path: "v1/requests/{id}/audit",
  summary: "The hash-chained audit trail and whether it verifies (staff: every event; requester: a summary)",
  access: "optional",
  params: IdParams,
  responses: { 200: { description: "The trail", schema: AuditView }, 404: refusals[404] },
  async handler({ rt, caller, params }) {
    return json(200, await auditTrail(rt.app, caller, params.id));
  },
});
