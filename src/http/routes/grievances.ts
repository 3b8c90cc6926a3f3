import { z } from "zod";
import type { Caller } from "../../app/caller";
import type { AppContext } from "../../app/context";
import { assignGrievance, resolveGrievance, respondToGrievance } from "../../app/rights";
import type { RequestDoc } from "../../domain/requests/model";
import type { HttpRoute } from "../route";
import { Problem } from "../schemas/problem";
import { TextLanguage } from "../schemas/requests";
import { actionRoute } from "./request-actions";

/** Grievance handling by staff (Privacy Policy §14): assign, answer, resolve. */

const STAFF = ["support", "privacy_officer"] as const;

export const AssignBody = z
  .object({
    assignee: z
      .string()
      .trim()
      .min(1)
      .max(120)
      .describe("Who handles the grievance: a staff member's handle or work email"),
  })
  .strict();
export const RespondBody = z
  .object({
    message: z
      .string()
      .trim()
      .min(1)
      .max(2000)
      .describe("The answer sent to the complainant: write it in the grievance's noticeLanguage"),
    textLanguage: TextLanguage,
  })
  .strict();
export const ResolveBody = z
  .object({
    resolution: z
      .string()
      .trim()
      .min(1)
      .max(2000)
      .describe(
        "The resolution sent to the complainant (write it in the grievance's noticeLanguage), with how to escalate to the Data Protection Board",
      ),
    textLanguage: TextLanguage,
  })
  .strict();

const refusals = {
  400: { description: "Invalid input; nothing changed", schema: Problem },
  403: { description: "Staff only", schema: Problem },
  404: { description: "No such request", schema: Problem },
  409: { description: "Not a grievance, or no longer open", schema: Problem },
};

function grievanceRoute<B>(spec: {
  name: string;
  verb: string;
  summary: string;
  body: z.ZodType<B>;
  run(app: AppContext, caller: Caller, id: string, body: B): Promise<RequestDoc>;
}): HttpRoute {
  return actionRoute({ ...spec, access: STAFF, refusals });
}

export const grievanceRoutes: HttpRoute[] = [
  grievanceRoute({
    name: "assignGrievance",
    verb: "assign",
    summary: "Assign a grievance to the staff member who handles it",
    body: AssignBody,
    run: (app, caller, id, body) => assignGrievance(app, caller, id, body.assignee),
  }),
  grievanceRoute({
    name: "respondToGrievance",
    verb: "respond",
    summary: "Answer the complainant; the grievance stays open",
    body: RespondBody,
    run: (app, caller, id, body) => respondToGrievance(app, caller, id, body.message, body.textLanguage),
  }),
  grievanceRoute({
    name: "resolveGrievance",
    verb: "resolve",
    summary: "Resolve the grievance: completed, the complainant told the resolution and how to escalate",
    body: ResolveBody,
    run: (app, caller, id, body) => resolveGrievance(app, caller, id, body.resolution, body.textLanguage),
  }),
];
