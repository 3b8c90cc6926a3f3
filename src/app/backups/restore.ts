import { randomUUID } from "node:crypto";
import { StringDecoder } from "node:string_decoder";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { z } from "zod";
import { DomainError, notFound } from "../../domain/errors";
import { cosmosEntries, type InventoryEntry } from "../../domain/inventory/schema";
import type { Actor } from "../../domain/requests/model";
import type { Doc } from "../../ports/document-store";
import type { AppContext } from "../context";
import { AuditLog } from "../requests/audit-log";
import { RequestStore } from "../requests/request-store";
import { pastRetention } from "../retention/sweep";
import { firstNonEmptyPage } from "../util/paging";
import { forEachLimit } from "../util/pool";
import { deletePath, erasurePlan, getPath, setPath } from "../whatsapp-erasure/plan";
import { BACKUP_CONTAINER, type BackupSetTenant, blobContext, readSet, readSetTenant } from "./catalogue";
import { BackupIntegrityError, SegmentDecryptor } from "./crypto-stream";
import { dataKeyForRestore } from "./keys";
import { BACKUP_AUDIT } from "./take";

const Line = z.object({ c: z.string().min(1), d: z.object({ id: z.string().min(1) }).loose() }).strict();
export interface BackupRecord {
  category: string;
  doc: Doc & Record<string, unknown>;
}

const BATCH = 100;

/** zlib and JSON failures after authentication mean a damaged blob, not a failing store. */
const isContentError = (e: unknown) =>
  e instanceof BackupIntegrityError ||
  e instanceof SyntaxError ||
  (e instanceof Error &&
    typeof (e as NodeJS.ErrnoException).code === "string" &&
    /^Z_/.test(String((e as NodeJS.ErrnoException).code)));

/**
 * Reads one tenant's blob of a set: authenticates and decrypts it segment by segment, decompresses,
 * parses the NDJSON lines and hands them on in batches (none at all when `onBatch` is absent: a
 * verification pass). Returns what it read: SHA-256 and size of the blob, records per category.
 */
export async function readTenantBlob(
  app: AppContext,
  entry: BackupSetTenant,
  key: Buffer,
  onBatch?: (records: BackupRecord[]) => Promise<void>,
): Promise<{ sha256: string; bytes: number; records: Record<string, number> }> {
  const stream = await app.ports.blobs.openRead(BACKUP_CONTAINER, entry.blob);
  if (!stream) throw new BackupIntegrityError("the blob is missing");
  const decryptor = new SegmentDecryptor(key, blobContext(entry.setId, entry.tenantId));
  const records: Record<string, number> = {};
  try {
    await pipeline(stream, decryptor, createGunzip(), async (source: AsyncIterable<Buffer>) => {
      const decoder = new StringDecoder("utf8");
      let rest = "";
      let batch: BackupRecord[] = [];
      const take = async (line: string) => {
        if (!line) return;
        const parsed = Line.safeParse(JSON.parse(line));
        if (!parsed.success) throw new BackupIntegrityError("a record of the blob is malformed");
        records[parsed.data.c] = (records[parsed.data.c] ?? 0) + 1;
        if (!onBatch) return;
        batch.push({ category: parsed.data.c, doc: parsed.data.d as Doc & Record<string, unknown> });
        if (batch.length >= BATCH) {
          const full = batch;
          batch = [];
          await onBatch(full);
        }
      };
      for await (const chunk of source) {
        const text = rest + decoder.write(chunk);
        const lines = text.split("\n");
        rest = lines.pop() ?? "";
        for (const line of lines) await take(line);
      }
      await take(rest + decoder.end());
      if (onBatch && batch.length) await onBatch(batch);
    });
  } catch (e) {
    if (isContentError(e) && !(e instanceof BackupIntegrityError)) {
      throw new BackupIntegrityError("the decrypted content is not a valid backup");
    }
    throw e;
  }
  return { sha256: decryptor.sha256(), bytes: decryptor.bytes, records };
}

const integrityFailure = (setId: string, reason: string) =>
  new DomainError(
    "conflict",
    `The backup of this tenant in set ${setId} failed its integrity check (${reason}): it was tampered with or damaged. Nothing was restored.`,
    [],
    { integrity: "failed" },
  );

/**
 * Checks a tenant's blob end to end without writing anything: every segment authenticates, and the
 * blob's SHA-256 and record counts are the catalogue's. Throws a DomainError (409) naming the failure.
 */
export async function verifyTenantBackup(app: AppContext, entry: BackupSetTenant, key: Buffer) {
  let read: Awaited<ReturnType<typeof readTenantBlob>>;
  try {
    read = await readTenantBlob(app, entry, key);
  } catch (e) {
    if (e instanceof BackupIntegrityError) throw integrityFailure(entry.setId, e.message);
    throw e;
  }
  if (read.sha256 !== entry.sha256) throw integrityFailure(entry.setId, "its SHA-256 is not the catalogue's");
  const names = new Set([...Object.keys(read.records), ...Object.keys(entry.records)]);
  for (const name of names) {
    if ((read.records[name] ?? 0) !== (entry.records[name] ?? 0)) {
      throw integrityFailure(entry.setId, "its record counts are not the catalogue's");
    }
  }
  return read;
}

/** Statuses of an account erasure that forbid restoring the tenant, with why. */
const REFUSALS: Record<string, string> = {
  deactivated:
    "An account erasure is open for this tenant (deactivated, in its 30-day window): reactivate the account or let the erasure finish before restoring.",
  on_hold: "An account erasure for this tenant is on legal hold: release or resolve it before restoring.",
  purging: "The tenant's account is being erased: a restore would bring deleted data back. Refused.",
  purged:
    "The tenant's account was erased: a restore would bring deleted data back, and its backup data key is destroyed. Refused.",
  completed:
    "The tenant's account was erased: a restore would bring deleted data back, and its backup data key is destroyed. Refused.",
};

async function refuseErasedTenant(app: AppContext, tenantId: string): Promise<void> {
  // The first hit across pages: an empty or short first page is not "no erasure" (DESIGN §9).
  const hit = await new RequestStore(app.ports).first({
    partitionKey: `tenant:${tenantId}`,
    where: [
      { field: "kind", op: "=", value: "erasure" },
      { field: "scope.type", op: "=", value: "account" },
      { field: "status", op: "in", value: Object.keys(REFUSALS) },
    ],
  });
  if (hit)
    throw new DomainError("conflict", REFUSALS[hit.status]!, [], { requestId: hit.id, status: hit.status });
}

/**
 * The keyed hashes of WhatsApp numbers whose erasure finished after `since` (or is running): the
 * erasures a restore of data taken at `since` must apply again.
 */
async function numberErasuresSince(app: AppContext, since: string): Promise<string[]> {
  const jobs = app.ports.documents.collection("service", "jobs");
  const out = new Set<string>();
  for (const condition of [
    { field: "finishedAt", op: ">=" as const, value: since },
    { field: "finishedAt", op: "undefined" as const },
  ]) {
    let continuationToken: string | undefined;
    do {
      const page = await jobs.query<Doc & { numberHash?: unknown }>({
        where: [{ field: "docType", op: "=", value: "whatsapp-erasure-job" }, condition],
        select: ["numberHash"],
        limit: 500,
        ...(continuationToken ? { continuationToken } : {}),
      });
      for (const d of page.items) if (typeof d.numberHash === "string") out.add(d.numberHash);
      continuationToken = page.continuationToken;
    } while (continuationToken);
  }
  return [...out];
}

/**
 * Applies a WhatsApp-number erasure again to one tenant's records, as the erasure itself does (the
 * inventory's plan): delete, or anonymise (the configured fields and the hash go, linked blob lists
 * are emptied), linked blobs deleted. Entries routed to the account flow are left alone.
 */
async function reapplyNumberErasure(app: AppContext, tenantId: string, numberHash: string): Promise<number> {
  let count = 0;
  for (const target of erasurePlan(app.inventory).targets) {
    const action = target.action;
    if (action.type === "route_to_account_flow") continue;
    const coll = app.ports.documents.collection("platform", target.container);
    for (;;) {
      // From the start each time (handled records drop out); done when nothing matches, past empty pages.
      const page = await firstNonEmptyPage<Doc & Record<string, unknown>>(coll, {
        partitionKey: tenantId,
        where: [{ field: target.hashField, op: "=", value: numberHash }],
        limit: BATCH,
      });
      if (page.items.length === 0) break;
      await forEachLimit(page.items, 16, async (doc) => {
        for (const b of target.blobs) {
          const names = getPath(doc, b.field);
          if (Array.isArray(names)) {
            for (const name of names)
              if (typeof name === "string") await app.ports.blobs.delete(b.container, name);
          }
        }
        if (action.type === "delete") {
          await coll.delete(doc.id, tenantId);
        } else {
          const next = structuredClone(doc);
          for (const field of action.fields) deletePath(next, field);
          deletePath(next, target.hashField);
          for (const b of target.blobs) setPath(next, b.field, []);
          next.anonymisedAt = app.ports.clock.now().toISOString();
          next.anonymisedFor = "whatsapp_number_erasure";
          await coll.upsert(next);
        }
        count++;
      });
    }
  }
  return count;
}

export interface RestoreResult {
  id: string;
  pk: string;
  docType: "backup-restore";
  setId: string;
  tenantId: string;
  takenAt: string;
  restoredAt: string;
  /** Records written back, per category. */
  restored: Record<string, number>;
  /** Records in the backup left out because their retention has passed since (a sweep would delete them). */
  skippedPastRetention: number;
  /** WhatsApp-number erasures finished after the backup was taken, applied again to this tenant. */
  erasuresReapplied: { numbers: number; records: number };
  verified: { sha256: string; bytes: number };
}

/**
 * Restores one tenant's Cosmos records from a backup set (POST /api/v1/backups/{id}/restore): refuses an
 * erased tenant (its key is destroyed anyway) or one with an open account erasure; verifies the whole
 * blob first (authentication, SHA-256, counts: a tampered blob restores nothing); then writes the
 * records back (upsert: records made since stay), skipping those past their retention; then applies
 * again every WhatsApp-number erasure finished since the backup was taken, so a restore never brings
 * erased data back. Re-running it converges to the same state.
 */
export async function restoreTenant(
  app: AppContext,
  actor: Actor,
  setId: string,
  tenantId: string,
): Promise<RestoreResult> {
  const set = (await readSet(app, setId))?.doc;
  if (!set) throw notFound("No such backup set.");
  if (set.status === "rotated") {
    throw new DomainError(
      "gone",
      `The backup set rotated out on ${set.rotatedAt ?? set.expiresAt}: its data is deleted.`,
    );
  }
  if (set.status !== "active") throw new DomainError("conflict", "The backup set is still being written.");
  const entry = await readSetTenant(app, setId, tenantId);
  if (!entry) throw notFound("The backup set holds no data of this tenant.");
  await refuseErasedTenant(app, tenantId);
  const key = await dataKeyForRestore(app, tenantId);
  try {
    const verified = await verifyTenantBackup(app, entry, key);
    const now = app.ports.clock.now();
    const byCategory = new Map<string, InventoryEntry & { store: { kind: "cosmos" } }>(
      cosmosEntries(app.inventory).map((e) => [e.category, e]),
    );
    const restored: Record<string, number> = {};
    let skipped = 0;
    await readTenantBlob(app, entry, key, async (records) => {
      await forEachLimit(records, 16, async ({ category, doc }) => {
        const target = byCategory.get(category);
        // A category the inventory no longer has: nothing to restore it into.
        if (!target) return;
        if (pastRetention(target, doc, now)) {
          skipped++;
          return;
        }
        await app.ports.documents.collection("platform", target.store.container).upsert(doc);
        restored[category] = (restored[category] ?? 0) + 1;
      });
    });
    const numbers = await numberErasuresSince(app, set.takenAt);
    let reErased = 0;
    for (const hash of numbers) reErased += await reapplyNumberErasure(app, tenantId, hash);
    const result: RestoreResult = {
      id: `restore:${randomUUID()}`,
      pk: "backup-restores",
      docType: "backup-restore",
      setId,
      tenantId,
      takenAt: set.takenAt,
      restoredAt: app.ports.clock.now().toISOString(),
      restored,
      skippedPastRetention: skipped,
      erasuresReapplied: { numbers: numbers.length, records: reErased },
      verified: { sha256: verified.sha256, bytes: verified.bytes },
    };
    await app.ports.documents.collection("service", "jobs").create(result);
    await new AuditLog(app.ports).append(BACKUP_AUDIT, {
      actor,
      action: "backup_restored",
      data: {
        setId,
        tenantId,
        restored: Object.values(restored).reduce((a, b) => a + b, 0),
        skippedPastRetention: skipped,
        erasuresReapplied: numbers.length,
        recordsReErased: reErased,
      },
    });
    return result;
  } finally {
    key.fill(0);
  }
}
