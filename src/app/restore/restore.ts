import { randomUUID } from "node:crypto";
import { StringDecoder } from "node:string_decoder";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { z } from "zod";
import { DomainError, notFound } from "../../domain/errors";
import { requestDecisions } from "../../domain/inventory/lasting-decisions";
import { recordHash, recordTenant } from "../../domain/inventory/record-actions";
import { cosmosEntries, type InventoryEntry } from "../../domain/inventory/schema";
import type { Actor } from "../../domain/requests/model";
import { addRefused, type RefusedReference } from "../../domain/storage/record-references";
import type { Doc } from "../../ports/document-store";
import type { AppContext } from "../context";
import { AuditLog } from "../audit";
import { pastRetention } from "../retention";
import { forEachLimit } from "../util";
import { BACKUP_CONTAINER, type BackupSetTenant, blobContext, readSet, readSetTenant } from "../backups";
import { BackupIntegrityError, SegmentDecryptor } from "../backups";
import { dataKeyForRestore } from "../backups";
import { decisionsSince, reapplyDecisions, type ReappliedDecision, type RestoredIndex } from "./reapply";
import { BACKUP_AUDIT } from "../backups";
import { tenantPartition } from "../../domain/storage/partition-keys";
import { platformRecords } from "../stores";

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

/** An open or finished account erasure refuses the restore, as the list of lasting decisions says. */
async function refuseErasedTenant(app: AppContext, tenantId: string): Promise<void> {
  const honoured = requestDecisions["erasure:account"];
  const refusals = honoured.how === "reapplied" ? (honoured.refusedWhile ?? {}) : {};
  if (Object.keys(refusals).length === 0) return;
  // The first hit across pages: an empty or short first page is not "no erasure" (DESIGN §9).
  const hit = await app.stores.requests.first({
    partitionKey: tenantPartition(tenantId),
    where: [
      { field: "kind", op: "=", value: "erasure" },
      { field: "scope.type", op: "=", value: "account" },
      { field: "status", op: "in", value: Object.keys(refusals) },
    ],
  });
  if (hit)
    throw new DomainError("conflict", refusals[hit.status]!, [], { requestId: hit.id, status: hit.status });
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
  /**
   * Every decision made after the set's time that touches the tenant's records, in the order made, and
   * how the restore honoured it (src/domain/inventory/lasting-decisions.ts).
   */
  reapplied: ReappliedDecision[];
  /**
   * References refused on the way (a blob name outside the tenant's storage, a record naming another
   * tenant): never followed, read or deleted. Per category and field, a count.
   */
  refusedReferences: RefusedReference[];
  verified: { sha256: string; bytes: number };
}

/** Per decision kind and outcome: how many decisions, and the records they changed. */
function summarise(list: readonly ReappliedDecision[]) {
  const out: Record<string, { decisions: number; records: number }> = {};
  for (const d of list) {
    const key = `${d.kind}:${d.honoured}`;
    const at = (out[key] ??= { decisions: 0, records: 0 });
    at.decisions++;
    at.records += d.records;
  }
  return out;
}

/**
 * Restores one tenant's Cosmos records from a backup set (POST /api/v1/backups/{id}/restore): refuses an
 * expired set, an erased tenant (its key is destroyed anyway) or one with an open account erasure (one
 * that opens while the restore runs is re-applied like any other decision); verifies the whole
 * blob first (authentication, SHA-256, counts: a tampered blob restores nothing); then writes the
 * records back (upsert: records made since stay) into the tenant's partition only, skipping those past
 * their retention; then re-applies, in the order they were made, every decision recorded after the set's
 * time (src/domain/inventory/lasting-decisions.ts; handlers in ./reapply), so a restore never undoes an
 * erasure, a correction, a withdrawal of consent or a revocation. Re-running it converges to the same state.
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
  // Past its expiry a set is as good as rotated out, even before rotation runs (a late or lost message):
  // its data must leave every backup by then, and correction values are kept only that long (own-records).
  if (Date.parse(set.expiresAt) <= app.ports.clock.now().getTime()) {
    throw new DomainError(
      "gone",
      `The backup set expired on ${set.expiresAt}: it is due to be rotated out and can no longer be restored.`,
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
    const index: RestoredIndex = { ids: new Map(), numberHashes: new Set() };
    let refusedReferences: RefusedReference[] = [];
    let skipped = 0;
    await readTenantBlob(app, entry, key, async (records) => {
      await forEachLimit(records, 16, async ({ category, doc }) => {
        const target = byCategory.get(category);
        // A category the inventory no longer has: nothing to restore it into.
        if (!target) return;
        // Written into the tenant's partition only: a record naming another tenant is refused.
        if (recordTenant(target, doc) !== tenantId) {
          refusedReferences = addRefused(refusedReferences, category, target.store.tenantField, 1);
          return;
        }
        if (pastRetention(target, doc, now)) {
          skipped++;
          return;
        }
        await platformRecords(app, target).upsert(doc);
        restored[category] = (restored[category] ?? 0) + 1;
        if (target.onDeactivation) {
          const ids = index.ids.get(category) ?? new Set<string>();
          index.ids.set(category, ids.add(doc.id));
        }
        const hash = recordHash(target, doc);
        if (hash) index.numberHashes.add(hash);
      });
    });
    // Looked for once the write-back is done: a decision made while it ran (an account deactivated, a
    // correction applied but not yet completed) is found and applied over what was written back.
    const decisions = await decisionsSince(app, tenantId, set.takenAt, index);
    const done = await reapplyDecisions({ app, tenantId, takenAt: set.takenAt, restored: index }, decisions);
    for (const r of done.refusedReferences)
      refusedReferences = addRefused(refusedReferences, r.category, r.field, r.count);
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
      reapplied: done.reapplied,
      refusedReferences,
      verified: { sha256: verified.sha256, bytes: verified.bytes },
    };
    await app.stores.restores.create(result);
    await new AuditLog(app).append(BACKUP_AUDIT, {
      actor,
      action: "backup_restored",
      data: {
        setId,
        tenantId,
        restored: Object.values(restored).reduce((a, b) => a + b, 0),
        skippedPastRetention: skipped,
        // Per decision kind, how many were honoured and the records changed: no values, no numbers.
        reapplied: summarise(done.reapplied),
        refusedReferences,
      },
    });
    return result;
  } finally {
    key.fill(0);
  }
}
