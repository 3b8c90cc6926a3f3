import { z } from "zod";
import { type BackupSet, listSets, SET_ID } from "../../app/backups/catalogue";
import { restoreTenant } from "../../app/backups/restore";
import { takeBackup } from "../../app/backups/take";
import { actorOf } from "../../app/requests/transition";
import { json, route } from "../route";
import { TenantId } from "../schemas/common";
import { Problem } from "../schemas/problem";

const SetItem = z
  .object({
    id: z.string(),
    takenAt: z.string(),
    expiresAt: z.string(),
    status: z.enum(["active", "rotated"]),
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
  status: set.status === "rotated" ? "rotated" : "active",
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

export const takeBackupRoute = route({
  name: "takeBackup",
  method: "POST",
  path: "v1/backups",
  summary:
    "Take an encrypted backup set of the platform's stores now, per tenant under its own key, in India (privacy officer)",
  access: ["privacy_officer"],
  responses: {
    201: { description: "The set, written and active", schema: SetItem },
  },
  async handler({ rt, caller }) {
    const set = await takeBackup(rt.app, "manual", actorOf(rt.app, caller));
    return json(201, item(set), { location: `/api/v1/backups/${set.id}` });
  },
});

const RestoreBody = z.object({ tenantId: TenantId }).strict();

export const restoreBackupRoute = route({
  name: "restoreBackup",
  method: "POST",
  path: "v1/backups/{id}/restore",
  summary:
    "Restore one tenant's records from a backup set, then re-apply every erasure completed since it was taken (privacy officer)",
  access: ["privacy_officer"],
  params: z.object({ id: z.string().regex(SET_ID, "a backup set id, bk-…") }).strict(),
  body: RestoreBody,
  responses: {
    200: {
      description: "Restored: records written back per category, what was left out and re-erased",
      schema: z
        .object({
          setId: z.string(),
          tenantId: z.string(),
          takenAt: z.string(),
          restoredAt: z.string(),
          restored: z.record(z.string(), z.number().int()),
          skippedPastRetention: z.number().int(),
          erasuresReapplied: z.object({ numbers: z.number().int(), records: z.number().int() }).strict(),
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

export const backupRoutes = [listBackupsRoute, takeBackupRoute, restoreBackupRoute];
