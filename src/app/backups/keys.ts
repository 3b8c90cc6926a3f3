import { randomBytes } from "node:crypto";
import { z } from "zod";
import { DomainError } from "../../domain/errors";
import { AlreadyExistsError, PreconditionFailedError } from "../../ports/document-store";
import { WrappedKey } from "../../ports/key-wrapper";
import type { AppContext } from "../context";
import { AuditLog } from "../audit";
import { catalogue } from "./catalogue";
import { tenantPartition } from "../../domain/storage/partition-keys";

/**
 * Each tenant's own data key (32 random bytes, AES-256-GCM) encrypts that tenant's blobs in every
 * backup set. The key is stored only wrapped by the key-encryption key (Key Vault in Azure), as one
 * `tenant-key` document. Destroying that document's key (crypto-shredding) makes every backup copy of
 * the tenant unreadable at once; the document stays as the record of when, without key material.
 */
export const TenantKeyDoc = z
  .object({
    id: z.string(),
    pk: z.string(),
    docType: z.literal("tenant-key"),
    tenantId: z.string(),
    status: z.enum(["active", "shredded"]),
    wrapped: WrappedKey.optional(),
    createdAt: z.string().optional(),
    wrappedAt: z.string().optional(),
    shreddedAt: z.string().optional(),
    /** Whether a key existed to destroy (false: the tenant was never backed up). */
    hadKey: z.boolean().optional(),
  })
  .strict();
export type TenantKeyDoc = z.infer<typeof TenantKeyDoc>;

export const tenantKeyId = (tenantId: string) => `tenant-key:${tenantId}`;

/** A data key wrapped longer ago than this is wrapped again with the current key-encryption key version. */
export const REWRAP_AFTER_MS = 180 * 86_400_000;

async function readKey(app: AppContext, tenantId: string) {
  const found = await catalogue(app).read<TenantKeyDoc>(tenantKeyId(tenantId), tenantPartition(tenantId));
  return found ? { doc: TenantKeyDoc.parse(found.doc), etag: found.etag } : undefined;
}

/**
 * The tenant's data key for writing a backup: made (and wrapped) on first use; "shredded" when the
 * tenant was erased, whose remaining records (anonymised payments, security logs) are then not backed
 * up: nothing could ever read them back.
 */
export async function dataKeyForBackup(app: AppContext, tenantId: string): Promise<Buffer | "shredded"> {
  for (let attempt = 1; attempt <= 5; attempt++) {
    const found = await readKey(app, tenantId);
    if (found?.doc.status === "shredded") return "shredded";
    if (found?.doc.wrapped) {
      const key = await app.ports.keys.unwrap(found.doc.wrapped);
      await rewrapIfOld(app, found.doc, found.etag, key);
      return key;
    }
    const key = randomBytes(32);
    const now = app.ports.clock.now().toISOString();
    const doc: TenantKeyDoc = {
      id: tenantKeyId(tenantId),
      pk: tenantPartition(tenantId),
      docType: "tenant-key",
      tenantId,
      status: "active",
      wrapped: await app.ports.keys.wrap(key),
      createdAt: now,
      wrappedAt: now,
    };
    try {
      await catalogue(app).create(doc);
      return key;
    } catch (e) {
      key.fill(0);
      // Made (or shredded) by someone else a moment ago: use theirs.
      if (!(e instanceof AlreadyExistsError)) throw e;
    }
  }
  throw new DomainError("conflict", "The tenant's backup key is being changed; try again.");
}

async function rewrapIfOld(app: AppContext, doc: TenantKeyDoc, etag: string, key: Buffer) {
  const now = app.ports.clock.now();
  if (doc.wrappedAt && now.getTime() - Date.parse(doc.wrappedAt) < REWRAP_AFTER_MS) return;
  const next: TenantKeyDoc = {
    ...doc,
    wrapped: await app.ports.keys.wrap(key),
    wrappedAt: now.toISOString(),
  };
  try {
    await catalogue(app).replace(next, etag);
  } catch (e) {
    // Shredded or re-wrapped meanwhile: that write stands.
    if (!(e instanceof PreconditionFailedError)) throw e;
  }
}

/** The tenant's data key for reading a backup; refused with the reason when it no longer exists. */
export async function dataKeyForRestore(app: AppContext, tenantId: string): Promise<Buffer> {
  const found = await readKey(app, tenantId);
  if (found?.doc.status === "shredded") {
    throw new DomainError(
      "conflict",
      `The tenant's data key was destroyed on ${found.doc.shreddedAt ?? "its erasure"} (crypto-shredding): its backups can no longer be read.`,
      [],
      { keyShreddedAt: found.doc.shreddedAt },
    );
  }
  if (!found?.doc.wrapped) throw new DomainError("conflict", "The tenant has no backup data key.");
  return app.ports.keys.unwrap(found.doc.wrapped);
}

/**
 * Crypto-shredding, run by the account purge: the tenant's wrapped data key is overwritten by a record
 * of its destruction, so every backup copy of the tenant becomes unreadable at once (Data Deletion
 * Instructions §4: erasure reaches the backups the day it happens; the sets themselves rotate out by
 * their expiry). Idempotent: a second call returns the first destruction's time. A tenant never backed
 * up gets the record too, so no later backup makes it a key.
 */
export async function shredTenantKey(
  app: AppContext,
  tenantId: string,
  requestId?: string,
): Promise<{ shreddedAt: string; hadKey: boolean }> {
  for (let attempt = 1; attempt <= 5; attempt++) {
    const found = await readKey(app, tenantId);
    if (found?.doc.status === "shredded" && found.doc.shreddedAt) {
      // A run that stopped between the destruction and its audit event: the event is written now.
      if (requestId) {
        const events = await new AuditLog(app).events(requestId);
        if (!events.some((e) => e.action === "backup_key_destroyed")) {
          await appendDestroyed(app, requestId, false);
        }
      }
      return { shreddedAt: found.doc.shreddedAt, hadKey: found.doc.hadKey ?? false };
    }
    const shreddedAt = app.ports.clock.now().toISOString();
    const tombstone: TenantKeyDoc = {
      id: tenantKeyId(tenantId),
      pk: tenantPartition(tenantId),
      docType: "tenant-key",
      tenantId,
      status: "shredded",
      ...(found?.doc.createdAt ? { createdAt: found.doc.createdAt } : {}),
      shreddedAt,
      hadKey: Boolean(found?.doc.wrapped),
    };
    try {
      if (found) await catalogue(app).replace(tombstone, found.etag);
      else await catalogue(app).create(tombstone);
    } catch (e) {
      if (e instanceof PreconditionFailedError || e instanceof AlreadyExistsError) continue;
      throw e;
    }
    const hadKey = Boolean(found?.doc.wrapped);
    if (requestId) await appendDestroyed(app, requestId, hadKey);
    return { shreddedAt, hadKey };
  }
  throw new DomainError("conflict", "The tenant's backup key is being changed; try again.");
}

const appendDestroyed = (app: AppContext, requestId: string, hadKey: boolean) =>
  new AuditLog(app).append(requestId, {
    actor: { kind: "system" },
    action: "backup_key_destroyed",
    data: { hadKey },
  });

/** When the tenant's data key was destroyed, if it had one (a tenant never backed up had none). */
export async function tenantKeyShreddedAt(app: AppContext, tenantId: string): Promise<string | undefined> {
  const found = await readKey(app, tenantId);
  return found?.doc.status === "shredded" && found.doc.hadKey !== false ? found.doc.shreddedAt : undefined;
}
