import { z } from "zod";
import { type RunDoc, RUN_ID } from "../../app/operations";
import { listRuns, readRun } from "../../app/operations";
import { notFound } from "../../domain/errors";
import { json, route } from "../route";
import { Problem } from "../schemas/problem";

/**
 * The run records of the reconcilers and sweeps (src/app/operations/run-record.ts), for staff: which item
 * failed, at which step, with what class of error. Ids, counts and class names only: nothing personal.
 */

const FailedItem = z
  .object({
    requestId: z.string().optional(),
    jobId: z.string().optional(),
    tenantId: z.string().optional(),
    setId: z.string().optional(),
    breachId: z.string().optional(),
  })
  .strict();

const Run = z
  .object({
    id: z.string(),
    kind: z.string(),
    invocationId: z.string().optional(),
    startedAt: z.string(),
    finishedAt: z.string(),
    counts: z.record(z.string(), z.number()),
    failed: z.number().int(),
    failures: z.array(
      z.object({ item: FailedItem, step: z.string(), errorClass: z.string(), at: z.string() }).strict(),
    ),
    failuresOmitted: z.number().int(),
  })
  .strict();

const view = (run: RunDoc): z.infer<typeof Run> => ({
  id: run.id,
  kind: run.kind,
  ...(run.invocationId ? { invocationId: run.invocationId } : {}),
  startedAt: run.startedAt,
  finishedAt: run.finishedAt,
  counts: run.counts,
  failed: run.failed,
  failures: run.failures,
  failuresOmitted: run.failuresOmitted,
});

const ListQuery = z
  .object({
    failed: z.enum(["true", "false"]).optional(),
    kind: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9]{0,63}$/, "a run's name, as its timer is named (reconcileAccountPurges…)")
      .optional(),
    limit: z.coerce.number().int().min(1).max(100).default(25),
    continuationToken: z.string().min(1).max(4096).optional(),
  })
  .strict();

const STAFF = ["support", "privacy_officer"] as const;

export const listRunsRoute = route({
  name: "listOperationRuns",
  method: "GET",
  path: "v1/operations/runs",
  summary:
    "Reconcile and sweep runs, newest first: counts, and each failed item with its step and error class (staff)",
  access: STAFF,
  query: ListQuery,
  responses: {
    200: {
      description:
        "One page of runs; follow continuationToken until it is absent (a page may be short or empty)",
      schema: z.object({ items: z.array(Run), continuationToken: z.string().optional() }).strict(),
    },
    400: { description: "Invalid filter or continuation token", schema: Problem },
  },
  async handler({ rt, query }) {
    const page = await listRuns(rt.app, {
      limit: query.limit,
      ...(query.failed ? { failed: query.failed === "true" } : {}),
      ...(query.kind ? { kind: query.kind } : {}),
      ...(query.continuationToken ? { continuationToken: query.continuationToken } : {}),
    });
    return json(
      200,
      {
        items: page.items.map(view),
        ...(page.continuationToken ? { continuationToken: page.continuationToken } : {}),
      },
      { "cache-control": "no-store" },
    );
  },
});

export const getRunRoute = route({
  name: "getOperationRun",
  method: "GET",
  path: "v1/operations/runs/{runId}",
  summary: "One reconcile or sweep run with its failed items (staff)",
  access: STAFF,
  params: z.object({ runId: z.string().regex(RUN_ID, "a run id, run-<uuid>") }).strict(),
  responses: {
    200: { description: "The run", schema: Run },
    400: { description: "Not a run id", schema: Problem },
    404: { description: "No such run (or its record expired)", schema: Problem },
  },
  async handler({ rt, params }) {
    const run = await readRun(rt.app, params.runId);
    if (!run) throw notFound("No such run.");
    return json(200, view(run), { "cache-control": "no-store" });
  },
});

export const operationsRoutes = [listRunsRoute, getRunRoute];
