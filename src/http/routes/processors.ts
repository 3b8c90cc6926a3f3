import { z } from "zod";
import {
  confirmByPartner,
  createProcessor,
  getProcessor,
  listProcessors,
  resolveTask,
  retireProcessor,
  staffView,
  updateProcessor,
} from "../../app/processors";
import { ProcessorId, ProcessorInput } from "../../domain/processors/register";
import { PartnerConfirmation, type ProcessorTask, WaiverReason } from "../../domain/processors/task";
import type { HttpRoute } from "../route";
import { json, route } from "../route";
import { Problem } from "../schemas/problem";

/**
 * The processor register (Privacy Policy §4's sub-processor schedule) and the partners' tasks
 * (docs/processors.md): the privacy officer keeps the register, support reads it, an owner reads the
 * partners serving its tenant; partners confirm a task by a signed callback, staff record emailed ones.
 */

const OFFICER = ["privacy_officer"] as const;
const Note = (max: number) => z.string().trim().min(1).max(max);

const ProcessorParams = z.object({ processorId: ProcessorId }).strict();
const TaskParams = z
  .object({
    taskId: z.string().regex(/^pt\.[a-z][a-z0-9-]{1,39}\.r-[A-Za-z0-9._-]{1,400}$/, "a processor task id"),
  })
  .strict();

const CreateBody = ProcessorInput.extend({ processorId: ProcessorId })
  .strict()
  .meta({ id: "ProcessorEntryInput" });

const Location = z.object({ country: z.string(), crossBorder: z.boolean() }).strict();
const StaffEntry = z
  .object({
    processorId: z.string(),
    name: z.string(),
    status: z.enum(["active", "retired"]),
    version: z.number().int(),
    categories: z.array(z.string()),
    location: Location,
    contractReference: z.string(),
    channel: z.object({ type: z.enum(["webhook", "service_bus_topic", "email"]) }).loose(),
    confirmWithin: z.string(),
  })
  .loose()
  .meta({ id: "ProcessorEntry" });
const ScheduleEntry = z
  .object({
    processorId: z.string(),
    name: z.string(),
    purpose: z.string(),
    categories: z.array(z.string()),
    location: Location,
    confirmWithin: z.string(),
  })
  .strict()
  .meta({ id: "ProcessorScheduleEntry" });

const TaskView = z
  .object({
    taskId: z.string(),
    processorId: z.string(),
    status: z.enum(["open", "confirmed", "waived"]),
    deadline: z.string(),
    confirmedAt: z.string().optional(),
    waivedAt: z.string().optional(),
  })
  .strict()
  .meta({ id: "ProcessorTaskState" });

const taskView = (t: ProcessorTask): z.infer<typeof TaskView> => ({
  taskId: t.id,
  processorId: t.processorId,
  status: t.status,
  deadline: t.deadline,
  ...(t.confirmation ? { confirmedAt: t.confirmation.at } : {}),
  ...(t.waiver ? { waivedAt: t.waiver.at } : {}),
});

const refusals = {
  400: { description: "Invalid input; nothing stored", schema: Problem },
  403: { description: "The privacy officer only", schema: Problem },
  404: { description: "No such partner", schema: Problem },
};

export const processorRoutes: HttpRoute[] = [
  route({
    name: "listProcessors",
    method: "GET",
    path: "v1/processors",
    summary:
      "The processor register: staff see every entry; an account owner the sub-processor schedule of its tenant (name, purpose, categories, country)",
    access: ["privacy_officer", "support", "owner"],
    responses: {
      200: {
        description: "The entries (audience says which view)",
        schema: z.union([
          z.object({ audience: z.literal("staff"), items: z.array(StaffEntry) }).strict(),
          z.object({ audience: z.literal("owner"), items: z.array(ScheduleEntry) }).strict(),
        ]),
      },
      403: { description: "Staff, or the account's owner", schema: Problem },
    },
    async handler({ rt, caller }) {
      return json(200, await listProcessors(rt.app, caller));
    },
  }),
  route({
    name: "createProcessor",
    method: "POST",
    path: "v1/processors",
    summary:
      "Add a service partner to the register: what it receives, where, under which contract, how it is told",
    access: OFFICER,
    idempotent: true,
    body: CreateBody,
    responses: {
      201: { description: "Added", schema: StaffEntry, headers: ["Location"] },
      409: { description: "A partner with this id exists", schema: Problem },
      ...refusals,
    },
    async handler({ rt, caller, body }) {
      const { processorId, ...input } = body;
      const entry = await createProcessor(rt.app, caller, processorId, input);
      return json(201, staffView(entry), { location: `/api/v1/processors/${entry.processorId}` });
    },
  }),
  route({
    name: "getProcessor",
    method: "GET",
    path: "v1/processors/{processorId}",
    summary: "One entry of the processor register (staff)",
    access: ["privacy_officer", "support"],
    params: ProcessorParams,
    responses: {
      200: { description: "The entry", schema: StaffEntry },
      ...refusals,
      403: { description: "Staff only", schema: Problem },
    },
    async handler({ rt, caller, params }) {
      return json(200, staffView(await getProcessor(rt.app, caller, params.processorId)));
    },
  }),
  route({
    name: "updateProcessor",
    method: "POST",
    path: "v1/processors/{processorId}/versions",
    summary: "Change an entry: the body is the whole new version (tasks already made keep theirs)",
    access: OFFICER,
    params: ProcessorParams,
    body: ProcessorInput,
    responses: {
      200: { description: "The new version", schema: StaffEntry },
      409: { description: "Retired, or changed meanwhile", schema: Problem },
      ...refusals,
    },
    async handler({ rt, caller, params, body }) {
      return json(200, staffView(await updateProcessor(rt.app, caller, params.processorId, body)));
    },
  }),
  route({
    name: "retireProcessor",
    method: "POST",
    path: "v1/processors/{processorId}/retirement",
    summary: "Retire a partner: no new tasks go to it; its open tasks still wait for it",
    access: OFFICER,
    params: ProcessorParams,
    body: z.object({ reason: Note(500) }).strict(),
    responses: {
      200: { description: "Retired", schema: StaffEntry },
      409: { description: "Retired already", schema: Problem },
      ...refusals,
    },
    async handler({ rt, caller, params, body }) {
      return json(200, staffView(await retireProcessor(rt.app, caller, params.processorId, body.reason)));
    },
  }),
  route({
    name: "confirmProcessorTask",
    method: "POST",
    path: "v1/processor-tasks/{taskId}/confirmation",
    summary:
      "A partner confirms its task, signed with its secret (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature); nothing else authenticates it",
    access: "public",
    rawBody: true,
    params: TaskParams,
    body: PartnerConfirmation,
    responses: {
      200: { description: "Confirmed (or already settled: its state)", schema: TaskView },
      400: { description: "Invalid input; nothing changed", schema: Problem },
      401: {
        description:
          "Not the partner's own signed, fresh, first confirmation of this task (or no such task); nothing changed",
        schema: Problem,
      },
      409: { description: "The task changed meanwhile: send again", schema: Problem },
    },
    async handler({ rt, req, params, body, rawBody }) {
      const headers = {
        "webhook-id": req.headers.get("webhook-id"),
        "webhook-timestamp": req.headers.get("webhook-timestamp"),
        "webhook-signature": req.headers.get("webhook-signature"),
      };
      const task = await confirmByPartner(rt.app, params.taskId, headers, rawBody ?? "", body);
      return json(200, taskView(task));
    },
  }),
  route({
    name: "resolveProcessorTask",
    method: "POST",
    path: "v1/processor-tasks/{taskId}/resolution",
    summary:
      "The privacy officer records a partner's emailed confirmation, or waives the task with the reason the partner could not confirm",
    access: OFFICER,
    params: TaskParams,
    body: z.discriminatedUnion("outcome", [
      z
        .object({
          outcome: z.literal("confirmed"),
          note: Note(1000).describe("The partner's reply"),
        })
        .strict(),
      z
        .object({
          outcome: z.literal("waived"),
          reason: WaiverReason.describe(
            "Why the partner could not confirm: the requester and the certificate read this code's fixed text only",
          ),
          note: Note(1000).describe("Staff's own account of it: kept on the task, for staff only"),
        })
        .strict(),
    ]),
    responses: {
      200: { description: "Settled", schema: TaskView },
      400: { description: "Invalid input; nothing changed", schema: Problem },
      403: { description: "The privacy officer only", schema: Problem },
      404: { description: "No such task", schema: Problem },
      409: { description: "Settled already", schema: Problem },
    },
    async handler({ rt, caller, params, body }) {
      return json(200, taskView(await resolveTask(rt.app, caller, params.taskId, body)));
    },
  }),
];
