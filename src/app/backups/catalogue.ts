import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { AppContext } from "../context";

/**
 * The backup catalogue, in the service's `backups` container (partition key `/pk`):
 *
 * - `backup-set` (partition `set:<setId>`): one per set: when taken, when it expires, its status
 *   (`writing` → `active` → `rotated`), the rotation message's ticket, totals, the manifest's hash.
 * - `backup-set-tenant` (same partition): one per tenant written into the set: its blob, record counts
 *   per inventory category, size and SHA-256. A tenant entry exists once its blob is complete, so an
 *   interrupted set resumes at the first tenant without one.
 * - `backup-holding` (partition: the subject, `tenant:<id>` or `wa:<hash>`): which subjects a set
 *   holds (holdings.ts), so an erasure knows which sets must rotate before it is complete.
 * - `tenant-key` (partition `tenant:<id>`): the tenant's wrapped data key, or the record that it was
 *   destroyed (keys.ts).
 *
 * Nothing here is personal data in clear: tenants by id, WhatsApp numbers by their keyed hash.
 */
export const BACKUP_CONTAINER = "backups";

export const SetStatus = z.enum(["writing", "active", "rotated"]);
export type SetStatus = z.infer<typeof SetStatus>;

export const SET_ID = /^bk-\d{8}T\d{6}Z-[0-9a-f]{6}$/;

export const BackupSet = z
  .object({
    id: z.string().regex(SET_ID),
    pk: z.string(),
    docType: z.literal("backup-set"),
    status: SetStatus,
    trigger: z.enum(["schedule", "manual"]),
    format: z.string(),
    takenAt: z.string(),
    expiresAt: z.string(),
    /** Moved on as tenants are written (at most once a minute): a `writing` set quiet for 15 minutes is resumed by reconciliation. */
    heartbeatAt: z.string(),
    finishedAt: z.string().optional(),
    rotatedAt: z.string().optional(),
    rotatedBy: z.enum(["timer", "reconciliation"]).optional(),
    /** The scheduler's ticket of the rotation message (Service Bus sequence number, as a string). */
    rotationTicket: z.string().optional(),
    tenants: z.number().int(),
    records: z.number().int(),
    bytes: z.number().int(),
    /** Tenants left out because their data key was destroyed (an erased account's retained records). */
    skippedErased: z.number().int(),
    manifest: z.object({ blob: z.string(), sha256: z.string() }).strict().optional(),
    blobsDeleted: z.number().int().optional(),
  })
  .strict();
export type BackupSet = z.infer<typeof BackupSet>;

export const BackupSetTenant = z
  .object({
    id: z.string(),
    pk: z.string(),
    docType: z.literal("backup-set-tenant"),
    setId: z.string(),
    tenantId: z.string(),
    blob: z.string(),
    records: z.record(z.string(), z.number().int()),
    total: z.number().int(),
    bytes: z.number().int(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    numberHashes: z.number().int(),
    writtenAt: z.string(),
  })
  .strict();
export type BackupSetTenant = z.infer<typeof BackupSetTenant>;

export const setPartition = (setId: string) => `set:${setId}`;
export const setTenantId = (setId: string, tenantId: string) => `set-tenant:${setId}:${tenantId}`;
export const tenantBlobName = (setId: string, tenantId: string) => `${setId}/${tenantId}.ndjson.gz.enc`;
export const manifestBlobName = (setId: string) => `${setId}/manifest.json`;
/** Binds a blob's encryption to its set and tenant (the AAD of every segment). */
export const blobContext = (setId: string, tenantId: string) => `${setId}/${tenantId}`;

export const catalogue = (app: AppContext) => app.stores.backups;

/** `bk-20260604T023000Z-1a2b3c`: sortable by time, unique across hosts sharing a blob account. */
export function newSetId(at: Date): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}Z$/, "Z");
  return `bk-${stamp}-${randomBytes(3).toString("hex")}`;
}

export async function readSet(app: AppContext, setId: string) {
  if (!SET_ID.test(setId)) return undefined;
  const found = await catalogue(app).read<BackupSet>(setId, setPartition(setId));
  return found ? { doc: BackupSet.parse(found.doc), etag: found.etag } : undefined;
}

export async function readSetTenant(app: AppContext, setId: string, tenantId: string) {
  const found = await catalogue(app).read<BackupSetTenant>(setTenantId(setId, tenantId), setPartition(setId));
  return found ? BackupSetTenant.parse(found.doc) : undefined;
}

/** Every tenant entry of a set, a page at a time. */
export async function* setTenants(app: AppContext, setId: string): AsyncIterable<BackupSetTenant> {
  let continuationToken: string | undefined;
  do {
    const page = await catalogue(app).query<BackupSetTenant>({
      partitionKey: setPartition(setId),
      where: [{ field: "docType", op: "=", value: "backup-set-tenant" }],
      limit: 500,
      ...(continuationToken ? { continuationToken } : {}),
    });
    for (const d of page.items) yield BackupSetTenant.parse(d);
    continuationToken = page.continuationToken;
  } while (continuationToken);
}

/** Sets matching `where`, oldest first, every page. */
export async function findSets(
  app: AppContext,
  where: { field: string; op: "=" | "<" | "<=" | "in"; value: string | string[] }[],
): Promise<BackupSet[]> {
  const out: BackupSet[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await catalogue(app).query<BackupSet>({
      where: [
        { field: "docType", op: "=", value: "backup-set" },
        ...where.map((w) =>
          w.op === "in"
            ? { field: w.field, op: "in" as const, value: [w.value].flat() }
            : { field: w.field, op: w.op, value: w.value as string },
        ),
      ],
      limit: 200,
      ...(continuationToken ? { continuationToken } : {}),
    });
    out.push(...page.items.map((d) => BackupSet.parse(d)));
    continuationToken = page.continuationToken;
  } while (continuationToken);
  return out.sort((a, b) => (a.takenAt < b.takenAt ? -1 : a.takenAt > b.takenAt ? 1 : 0));
}

/** GET /api/v1/backups: the newest sets first, a page at a time (`writing` sets are not listed). */
export async function listSets(
  app: AppContext,
  options: { limit?: number; continuationToken?: string } = {},
): Promise<{ items: BackupSet[]; continuationToken?: string }> {
  const page = await catalogue(app).query<BackupSet>({
    where: [
      { field: "docType", op: "=", value: "backup-set" },
      { field: "status", op: "in", value: ["active", "rotated"] },
    ],
    orderBy: { field: "takenAt", direction: "desc" },
    limit: options.limit ?? 100,
    ...(options.continuationToken ? { continuationToken: options.continuationToken } : {}),
  });
  return {
    items: page.items.map((d) => BackupSet.parse(d)),
    ...(page.continuationToken ? { continuationToken: page.continuationToken } : {}),
  };
}

/** A set's lifetime: the backupRotation period in use, never past 90 days (Data Deletion Instructions §4). */
export const MAX_SET_LIFETIME_MS = 90 * 86_400_000;
export function setExpiry(app: AppContext, takenAt: Date): Date {
  const byPolicy = app.policy.deadline(takenAt, "backupRotation").getTime();
  return new Date(Math.min(byPolicy, takenAt.getTime() + MAX_SET_LIFETIME_MS));
}
