import { z } from "zod";
import { type BackupSet, listSets, readSet, SET_ID } from "../../app/backups";
import { setProgress } from "../../app/backups";
import { ReappliedDecision } from "../../app/restore";
import { restoreTenant } from "../../app/restore";
import { startBackup } from "../../app/backups";
import { notFound } from "../../domain/errors";
import { RefusedReference } from "../../domain/storage/record-references";
import { actorOf } from "../../app/requests";
import { json, route } from "../route";
import { TenantId } from "../schemas/common";
import { Problem } from "../schemas/problem";

const SetItem = z
  .object({
    id: z.string(),
    takenAt: z.string(),
    expiresAt: z.string(),
    /** `writing` while its job runs (POST answers then; GET …/{id} shows the progress). */
    status: z.enum(["writing", "active", "rotated"]),
    tenants: z.number().int(),
    records: z.number().int(),
    bytes: z.number().int(),
    rotatedAt: z.string().optional(),
  })
  .strict();

const item = (set: BackupSet): z.infer<typeof SetItem> => ({
  id: set.id,
  takenAt: set.takenAt,
  expiresAt: set.expiresAt,
  status: set.status,
  tenants: set.tenants,
  records: set.records,
  bytes: set.bytes,
  ...(set.rotatedAt ? { rotatedAt: set.rotatedAt } : {}),
});

const ListQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(100),
    continuationToken: z.string().min(1).max(4096).optional(),
  })
  .strict();

export const listBackupsRoute = route({
  name: "listBackups",
  method: "GET",
  path: "v1/backups",
  summary:
    "The backup sets, newest first: when taken, when they expire, active or rotated out (privacy officer)",
  access: ["privacy_officer"],
  query: ListQuery,
  responses: {
    200: {
      description: "One page of backup sets",
      schema: z.object({ items: z.array(SetItem), continuationToken: z.string().optional() }).strict(),
    },
  },
  async handler({ rt, query }) {
    const page = await listSets(rt.app, {
      limit: query.limit,
      ...(query.continuationToken ? { continuationToken: query.continuationToken } : {}),
    });
    return json(
      200,
      {
        items: page.items.map(item),
        ...(page.continuationToken ? { continuationToken: page.continuationToken } : {}),
      },
      { "cache-control": "no-store" },
    );
  },
});

const setUrl = (id: string) => `/api/v1/backups/${id}`;

/**
 * The set is written by a job (a `backup-sets` message, src/app/backups/job.ts), never inside this call:
 * a set holds every tenant, and the platform's front end cuts a response at 230 s. 202 with the set
 * as it stands (`writing` in Azure) and its URL to poll.
 */
export const takeBackupRoute = route({
  name: "takeBackup",
  method: "POST",
  path: "v1/backups",
  summary:
    "Start an encrypted backup set of the platform's stores, per tenant under its own key, in India; poll its URL (privacy officer)",
  access: ["privacy_officer"],
  idempotent: true,
  responses: {
    202: {
      description: "The set, recorded and being written; `Location` is its URL, which shows the progress",
      schema: SetItem,
      headers: ["Location"],
    },
  },
  async handler({ rt, caller }) {
    const set = await startBackup(rt.app, "manual", actorOf(rt.app, caller));
    return json(202, item(set), { location: setUrl(set.id), "cache-control": "no-store" });
  },
});

const SetDetail = SetItem.extend({
  progress: z
    .object({
      tenantsWritten: z.number().int(),
      running: z.boolean(),
      runs: z.number().int(),
    })
    .strict()
    .optional(),
  finishedAt: z.string().optional(),
}).strict();

export const getBackupRoute = route({
  name: "getBackup",
  method: "GET",
  path: "v1/backups/{id}",
  summary:
    "One backup set: its status, and while it is written, the tenants written so far (privacy officer)",
  access: ["privacy_officer"],
  params: z.object({ id: z.string().regex(SET_ID, "a backup set id, bk-…") }).strict(),
  responses: {
    200: { description: "The set", schema: SetDetail },
    404: { description: "No such set", schema: Problem },
  },
  async handler({ rt, params }) {
    const found = await readSet(rt.app, params.id);
    if (!found) throw notFound("No such backup set.");
    const set = found.doc;
    return json(
      200,
      {
        ...item(set),
        ...(set.finishedAt ? { finishedAt: set.finishedAt } : {}),
        ...(set.status === "writing" ? { progress: await setProgress(rt.app, set.id) } : {}),
      },
      { "cache-control": "no-store" },
    );
  },
});

const RestoreBody = z.object({ tenantId: TenantId }).strict();

export const restoreBackupRoute = route({
  name: "restoreBackup",
  method: "POST",
  path: "v1/backups/{id}/restore",
  summary:
    "Restore one tenant's records from a backup set, then re-apply every decision recorded since it was taken: erasures, corrections, consent withdrawals, revocations (privacy officer; docs/restore.md)",
  access: ["privacy_officer"],
  idempotent: true,
  params: z.object({ id: z.string().regex(SET_ID, "a backup set id, bk-…") }).strict(),
  body: RestoreBody,
  responses: {
    200: {
      description:
        "Restored: records written back per category, what was left out, each later decision and how it was honoured, references refused",
      schema: z
        .object({
          setId: z.string(),
          tenantId: z.string(),
          takenAt: z.string(),
          restoredAt: z.string(),
          restored: z.record(z.string(), z.number().int()),
          skippedPastRetention: z.number().int(),
          reapplied: z.array(ReappliedDecision),
          refusedReferences: z.array(RefusedReference),
          verified: z.object({ sha256: z.string(), bytes: z.number().int() }).strict(),
        })
        .strict(),
    },
    404: { description: "No such set, or the set holds no data of this tenant", schema: Problem },
    409: {
      description:
        "The tenant was erased (its key is destroyed) or has an open account erasure, or the blob failed its integrity check",
      schema: Problem,
    },
    410: { description: "The set has rotated out: its data is deleted", schema: Problem },
  },
  async handler({ rt, caller, params, body }) {
    const {
      id: _id,
      pk: _pk,
      docType: _d,
      ...result
    } = await restoreTenant(rt.app, actorOf(rt.app, caller), params.id, body.tenantId);
    return json(200, result, { "cache-control": "no-store" });
  },
});

export const backupRoutes = [listBackupsRoute, takeBackupRoute, getBackupRoute, restoreBackupRoute];
