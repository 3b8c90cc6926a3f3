import { z } from "zod";
import { slaView } from "../../app/sla";
import { RequestKind } from "../../domain/requests/model";
import { json, route } from "../route";
import { Problem } from "../schemas/problem";

const Query = z
  .object({
    kind: z.union([RequestKind, z.literal("breach")]).optional(),
    overdue: z.enum(["true", "false"]).optional(),
  })
  .strict();

const SlaItem = z
  .object({
    id: z.string(),
    kind: z.string(),
    status: z.string(),
    deadline: z.string(),
    dueAt: z.string(),
    timeLeftSeconds: z.number().int(),
    overdue: z.boolean(),
  })
  .loose();

const SlaView = z.object({
  now: z.string(),
  items: z.array(SlaItem),
  counts: z.object({
    total: z.number().int(),
    overdue: z.number().int(),
    acknowledgementsLate: z.number().int(),
  }),
  awaitingVerification: z.number().int(),
});

export const slaRoute = route({
  name: "slaView",
  method: "GET",
  path: "v1/sla",
  summary: "Every open request and breach with its deadline, time left and overdue flag, most urgent first",
  access: ["support", "privacy_officer"],
  query: Query,
  responses: {
    200: { description: "The open items, most urgent first", schema: SlaView },
    400: { description: "Invalid filter", schema: Problem },
  },
  async handler({ rt, caller, query }) {
    const view = await slaView(rt.app, caller, {
      ...(query.kind ? { kind: query.kind } : {}),
      ...(query.overdue ? { overdue: query.overdue === "true" } : {}),
    });
    return json(200, view, { "cache-control": "no-store" });
  },
});
