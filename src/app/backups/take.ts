import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { z } from "zod";
import { sha256 } from "../../domain/crypto";
import { getPath } from "../../domain/inventory/record-path";
import { cosmosEntries } from "../../domain/inventory/schema";
import type { Actor } from "../../domain/requests/model";
import { AlreadyExistsError, type Doc } from "../../ports/document-store";
import type { AppContext } from "../context";
import { AuditLog } from "../audit";
import { asRunning } from "../requests";
import { forEachLimit } from "../util";
import { completeWaitingErasures } from "./complete";
import {
  BACKUP_CONTAINER,
  type BackupSet,
  type BackupSetTenant,
  blobContext,
  catalogue,
  manifestBlobName,
  newSetId,
  readSet,
  setExpiry,
  setPartition,
  setTenantId,
  setTenants,
  tenantBlobName,
} from "./catalogue";
import { FORMAT, SegmentEncryptor } from "./crypto-stream";
import { recordHoldings } from "./holdings";
import { BackupSetMessage, claimSetJob, enqueueBackupSet, releaseSetJob, scheduleSetRecheck } from "./job";
import { dataKeyForBackup } from "./keys";
import { numberPartition, tenantPartition } from "../../domain/storage/partition-keys";
import { platformRecords } from "../stores";

/** The chain in the `audit` container where backups, rotations and restores are recorded. */
export const BACKUP_AUDIT = "ops:backups";

/** The body of a `backup-rotation` message. Carries the expiry so an early delivery is recognisable. */
export const RotationMessage = z
  .object({ setId: z.string().min(1).max(100), expiresAt: z.iso.datetime() })
  .strict();
export type RotationMessage = z.infer<typeof RotationMessage>;

/**
 * Records per Cosmos page read into a backup: the adapter's largest page, so a tenant costs as few
 * round trips (and, in the emulator, as few scans) as a plain read of it.
 */
const PAGE = 1000;
/** Number hashes are recorded as holdings in batches of this. */
const HOLDING_BATCH = 500;
/**
 * Tenants written at once into a set. Each tenant is a chain of waits (its key from Key Vault, a
 * query per store, the holdings, the upload), so a few at a time keep the stores busy where one would
 * leave them idle between calls; more than a few would only queue on the same stores and on Key Vault
 * (its per-vault request limits), and hold that many tenants' buffers at once. Measured here, 4 and 8
 * were alike and 1 or 2 slower.
 */
export const TENANT_CONCURRENCY = 4;
/**
 * The set's heartbeat is moved on after a tenant at most this often: reconciliation resumes a set
 * only once it has been quiet for STALE_WRITE_MS (15 minutes), and one write per tenant would cost a
 * platform of thousands of tenants thousands of writes per set for nothing.
 */
export const SET_HEARTBEAT_MS = 60_000;

/** Every tenant of the platform: the ids of the inventory's `account` records, a page at a time. */
async function* platformTenants(app: AppContext): AsyncIterable<string> {
  const entry = cosmosEntries(app.inventory).find((e) => e.category === "account");
  if (!entry) throw new Error("the inventory has no `account` entry: backups cannot list the tenants");
  const coll = platformRecords(app, entry);
  let continuationToken: string | undefined;
  do {
    const page = await coll.query<Doc & Record<string, unknown>>({
      select: [entry.store.tenantField],
      limit: 500,
      ...(continuationToken ? { continuationToken } : {}),
    });
    for (const doc of page.items) {
      const tenantId = getPath(doc, entry.store.tenantField);
      if (typeof tenantId === "string") yield tenantId;
    }
    continuationToken = page.continuationToken;
  } while (continuationToken);
}

/** Schedules the set's own deletion at its expiry on `backup-rotation` and keeps the ticket on the set. */
async function scheduleRotation(app: AppContext, set: BackupSet): Promise<void> {
  const ticket = await app.ports.scheduler.schedule({
    queue: "backup-rotation",
    messageId: `backup-rotation:${set.id}:${set.expiresAt}`,
    body: { setId: set.id, expiresAt: set.expiresAt } satisfies RotationMessage,
    deliverAt: new Date(set.expiresAt),
  });
  await catalogue(app).patch(set.id, set.pk, [{ op: "set", path: "rotationTicket", value: ticket }]);
}

/**
 * One tenant into the set: every record of every Cosmos store of the inventory, as NDJSON lines
 * `{"c":<category>,"d":<record>}`, gzip-compressed, encrypted under the tenant's data key, streamed to
 * the blob (memory stays flat, whatever the size). The tenant's holding is recorded before a record is
 * read, each WhatsApp-number hash found as it is found, and the tenant entry (counts, size, SHA-256)
 * last: a tenant without one is written again on resume.
 */
async function backupTenant(
  app: AppContext,
  set: BackupSet,
  tenantId: string,
): Promise<BackupSetTenant | "skipped"> {
  const key = await dataKeyForBackup(app, tenantId);
  if (key === "shredded") return "skipped";
  try {
    await recordHoldings(app, set, [tenantPartition(tenantId)]);
    const counts: Record<string, number> = {};
    const seen = new Set<string>();
    let fresh: string[] = [];
    const flush = async () => {
      const batch = fresh;
      fresh = [];
      await recordHoldings(
        app,
        set,
        batch.map((h) => numberPartition(h)),
      );
    };
    async function* lines(): AsyncIterable<Buffer> {
      for (const entry of cosmosEntries(app.inventory)) {
        counts[entry.category] = 0;
        const coll = platformRecords(app, entry);
        const hashField = entry.store.whatsappHashField;
        let continuationToken: string | undefined;
        do {
          const page = await coll.query<Doc & Record<string, unknown>>({
            partitionKey: tenantId,
            limit: PAGE,
            ...(continuationToken ? { continuationToken } : {}),
          });
          const out: string[] = [];
          for (const doc of page.items) {
            out.push(JSON.stringify({ c: entry.category, d: doc }));
            if (hashField) {
              const hash = getPath(doc, hashField);
              if (typeof hash === "string" && hash && !seen.has(hash)) {
                seen.add(hash);
                fresh.push(hash);
              }
            }
          }
          counts[entry.category] = (counts[entry.category] ?? 0) + page.items.length;
          if (fresh.length >= HOLDING_BATCH) await flush();
          if (out.length) yield Buffer.from(`${out.join("\n")}\n`, "utf8");
          continuationToken = page.continuationToken;
        } while (continuationToken);
      }
      await flush();
    }
    const encryptor = new SegmentEncryptor(key, blobContext(set.id, tenantId));
    const blob = tenantBlobName(set.id, tenantId);
    await pipeline(Readable.from(lines()), createGzip(), encryptor, async (source: AsyncIterable<Buffer>) => {
      await app.ports.blobs.put(BACKUP_CONTAINER, blob, Readable.from(source), {
        contentType: "application/octet-stream",
        metadata: { setid: set.id, format: "dpdp-backup-1" },
      });
    });
    const entry: BackupSetTenant = {
      id: setTenantId(set.id, tenantId),
      pk: setPartition(set.id),
      docType: "backup-set-tenant",
      setId: set.id,
      tenantId,
      blob,
      records: counts,
      total: Object.values(counts).reduce((a, b) => a + b, 0),
      bytes: encryptor.bytes,
      sha256: encryptor.sha256(),
      numberHashes: seen.size,
      writtenAt: app.ports.clock.now().toISOString(),
    };
    await catalogue(app).upsert(entry);
    return entry;
  } finally {
    key.fill(0);
  }
}

/**
 * Writes (or resumes writing) a set: each tenant not yet in it (TENANT_CONCURRENCY at a time), then the
 * manifest, then the set is `active`. Resumable at any point: a tenant is complete only once its entry
 * exists, and every write before that is an idempotent overwrite. One writer at a time: the set's job
 * claim (src/app/backups/job.ts) is taken first; while another writer holds it this returns the set as
 * it stands (`busy`, with when the claim runs out), so two never interleave one tenant's blob and entry.
 */
export async function writeSetClaimed(
  app: AppContext,
  setId: string,
): Promise<{ outcome: "written" | "not_writing" | "busy"; set: BackupSet; until?: string }> {
  const found = await readSet(app, setId);
  if (!found) throw new Error(`no backup set ${setId}`);
  if (found.doc.status !== "writing") return { outcome: "not_writing", set: found.doc };
  const claimId = randomUUID();
  return asRunning(claimId, async () => {
    const claim = await claimSetJob(app, setId, claimId);
    if (!claim.claimed) return { outcome: "busy" as const, set: found.doc, until: claim.until };
    try {
      return { outcome: "written" as const, set: await writeTenantsAndManifest(app, setId) };
    } finally {
      // Best effort: a claim left behind runs out after HANDLER_LEASE_MS and the next delivery resumes.
      await releaseSetJob(app, setId, claimId).catch(() => undefined);
    }
  });
}

/** writeSetClaimed's set (for reconciliation, which resumes a set whose writing went quiet). */
export async function writeSet(app: AppContext, setId: string): Promise<BackupSet> {
  return (await writeSetClaimed(app, setId)).set;
}

async function writeTenantsAndManifest(app: AppContext, setId: string): Promise<BackupSet> {
  const found = await readSet(app, setId);
  if (!found) throw new Error(`no backup set ${setId}`);
  const set = found.doc;
  if (set.status !== "writing") return set;
  const done = new Set<string>();
  for await (const t of setTenants(app, setId)) done.add(t.tenantId);
  const todo: string[] = [];
  for await (const tenantId of platformTenants(app)) if (!done.has(tenantId)) todo.push(tenantId);
  let skipped = 0;
  let beat = app.ports.clock.now().getTime();
  await forEachLimit(new Set(todo), TENANT_CONCURRENCY, async (tenantId) => {
    if ((await backupTenant(app, set, tenantId)) === "skipped") skipped++;
    else done.add(tenantId);
    const now = app.ports.clock.now();
    if (now.getTime() - beat < SET_HEARTBEAT_MS) return;
    beat = now.getTime();
    await catalogue(app).patch(set.id, set.pk, [
      { op: "set", path: "heartbeatAt", value: now.toISOString() },
    ]);
  });
  // The manifest: what the set holds and the SHA-256 of each blob, beside the blobs (ops can verify a
  // set offline with it); the catalogue keeps the same per tenant, and the manifest's own hash.
  const tenants: Omit<BackupSetTenant, "id" | "pk" | "docType">[] = [];
  for await (const { id: _id, pk: _pk, docType: _d, ...t } of setTenants(app, setId)) tenants.push(t);
  const manifest = Buffer.from(
    `${JSON.stringify(
      { setId, format: FORMAT, takenAt: set.takenAt, expiresAt: set.expiresAt, tenants },
      null,
      1,
    )}\n`,
  );
  const manifestBlob = manifestBlobName(setId);
  await app.ports.blobs.put(BACKUP_CONTAINER, manifestBlob, manifest, { contentType: "application/json" });
  const now = app.ports.clock.now().toISOString();
  const latest = (await readSet(app, setId))!;
  const active: BackupSet = {
    ...latest.doc,
    status: latest.doc.status === "writing" ? "active" : latest.doc.status,
    heartbeatAt: now,
    finishedAt: latest.doc.finishedAt ?? now,
    tenants: tenants.length,
    records: tenants.reduce((a, t) => a + t.total, 0),
    bytes: tenants.reduce((a, t) => a + t.bytes, 0),
    skippedErased: latest.doc.skippedErased + skipped,
    manifest: { blob: manifestBlob, sha256: sha256(manifest) },
  };
  await catalogue(app).replace(active, latest.etag);
  await new AuditLog(app).append(BACKUP_AUDIT, {
    actor: { kind: "system" },
    action: "backup_written",
    data: {
      setId,
      tenants: active.tenants,
      records: active.records,
      bytes: active.bytes,
      skippedErased: active.skippedErased,
    },
  });
  // A request that waited only because this set was being written may complete now.
  await completeWaitingErasures(app);
  return active;
}

/** Records a new set (`writing`) and schedules its rotation before any data is copied. */
async function recordSet(app: AppContext, trigger: BackupSet["trigger"], actor: Actor): Promise<BackupSet> {
  const now = app.ports.clock.now();
  const id = newSetId(now);
  const set: BackupSet = {
    id,
    pk: setPartition(id),
    docType: "backup-set",
    status: "writing",
    trigger,
    format: FORMAT,
    takenAt: now.toISOString(),
    expiresAt: setExpiry(app, now).toISOString(),
    heartbeatAt: now.toISOString(),
    tenants: 0,
    records: 0,
    bytes: 0,
    skippedErased: 0,
  };
  await catalogue(app).create(set);
  await scheduleRotation(app, set);
  await new AuditLog(app).append(BACKUP_AUDIT, {
    actor,
    action: "backup_started",
    data: { setId: id, trigger, expiresAt: set.expiresAt },
  });
  return set;
}

/**
 * Starts a backup set of the platform's Cosmos stores (the inventory's), for the daily timer and
 * POST /api/v1/backups: the set is recorded (`writing`) and its rotation scheduled before any data is
 * copied, so even a set that never finishes is deleted at its expiry; then one `backup-sets` message
 * writes it (src/app/backups/job.ts). Returns the set as it stands once the message is sent: in Azure
 * still `writing`; locally (the local scheduler delivers work messages at once) already written.
 */
export async function startBackup(
  app: AppContext,
  trigger: BackupSet["trigger"],
  actor: Actor,
): Promise<BackupSet> {
  const set = await recordSet(app, trigger, actor);
  await enqueueBackupSet(app, set.id);
  return (await readSet(app, set.id))?.doc ?? set;
}

/**
 * Takes a whole set here and now (inline, for tools and tests that need the set written on return;
 * nothing on an HTTP path calls it).
 */
export async function takeBackup(
  app: AppContext,
  trigger: BackupSet["trigger"],
  actor: Actor,
): Promise<BackupSet> {
  const set = await recordSet(app, trigger, actor);
  return writeSet(app, set.id);
}

export type BackupSetOutcome =
  "written" | "already_written" | "claimed_elsewhere" | "not_found" | "malformed_message_dropped";

/**
 * One delivery of a `backup-sets` message (at least once, possibly two at the same time): a set no
 * longer `writing` is done (a duplicate); a set another delivery is writing is left to it, and this
 * message comes back when that claim runs out (a writer that died is taken over there); otherwise the
 * set is written, resuming after the tenants already in it. A failure throws: the message is delivered
 * again and resumes, and reconciliation finishes a set whose writing went quiet either way.
 */
export async function runBackupSetJob(
  app: AppContext,
  body: unknown,
): Promise<{ outcome: BackupSetOutcome; setId?: string; set?: BackupSet }> {
  const parsed = BackupSetMessage.safeParse(body);
  if (!parsed.success) return { outcome: "malformed_message_dropped" };
  const { setId } = parsed.data;
  if (!(await readSet(app, setId))) return { outcome: "not_found", setId };
  const result = await writeSetClaimed(app, setId);
  if (result.outcome === "busy") {
    await scheduleSetRecheck(app, setId, result.until!);
    return { outcome: "claimed_elsewhere", setId };
  }
  return {
    outcome: result.outcome === "written" ? "written" : "already_written",
    setId,
    set: result.set,
  };
}

/**
 * The daily timer: one set per day (UTC) of the clock, however often the timer fires (the local host
 * runs timers on every move of the dev clock). A marker document claims the day first; the set is
 * then started as a job, as POST /api/v1/backups starts one.
 */
export async function takeScheduledBackup(app: AppContext): Promise<BackupSet | undefined> {
  const day = app.ports.clock.now().toISOString().slice(0, 10);
  try {
    await catalogue(app).create({
      id: `schedule:${day}`,
      pk: "backup-schedule",
      docType: "backup-schedule",
      day,
    });
  } catch (e) {
    if (e instanceof AlreadyExistsError) return undefined;
    throw e;
  }
  return startBackup(app, "schedule", { kind: "system" });
}
