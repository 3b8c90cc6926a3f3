import { DomainError } from "../../domain/errors";
import { open, seal } from "../../domain/crypto";
import { keyedHash } from "../../domain/subject";
import { idempotencyPartition } from "../../domain/storage/partition-keys";
import type { AppContext } from "../context";
import { AlreadyExistsError, PreconditionFailedError } from "../../ports/document-store";

/**
 * An Idempotency-Key record. The replay (the first answer) is sealed under a key derived from the
 * client's own Idempotency-Key, which is stored only as a keyed hash (the record's id): the service
 * alone cannot open it, only a client presenting the key again. The request's fingerprint is compared
 * the same way, so the record holds nothing a guess could be tested on without the client's key (a body
 * names a number or an address).
 */
interface IdempotencyRecord {
  id: string;
  pk: string;
  docType: "idempotency";
  /** Keyed (with the client's key) hash of the request's fingerprint. */
  bodyCheck: string;
  claimedAt: string;
  /** After this the key is free again: checked on every read, since Cosmos deletes expired items lazily. */
  expiresAt?: string;
  /** Cosmos per-item TTL (seconds): deletes the record once the window has passed, where the container has TTL on. */
  ttl?: number;
  completedAt?: string;
  /** The first answer, sealed (AES-GCM) with the key derived from the client's Idempotency-Key. */
  sealedReplay?: string;
}

/** A claim older than this with no result is taken to be from a crashed attempt, and is reused. */
const STALE_CLAIM_MS = 60_000;

/** How long a key holds its first answer when IDEMPOTENCY_TTL_HOURS is not set. */
export const DEFAULT_TTL_HOURS = 24;

export const ttlHoursOf = (app: AppContext) => app.settings.idempotencyKeyTtlHours ?? DEFAULT_TTL_HOURS;

/** The problem type (src/http/problem-types.ts slug) of a key reused with another request. */
export const KEY_REUSED_TYPE = "idempotency-key-reused";

const recordKey = (app: AppContext, scope: string, key: string) =>
  idempotencyPartition(keyedHash(app.keys.hash, `${scope}|${key}`));

/** The sealing key of a record: from the client's key, under a label the record's id never uses. */
const replayKey = (app: AppContext, scope: string, key: string) =>
  Buffer.from(keyedHash(app.keys.hash, `idempotency-replay:${scope}|${key}`), "base64url");

const bodyCheckOf = (sealingKey: Buffer, fingerprint: string) => keyedHash(sealingKey, `body:${fingerprint}`);

const busy = () =>
  new DomainError(
    "conflict",
    "A request with this Idempotency-Key is still being processed; try again shortly.",
  );

/** When a record stops counting: records written before expiry was stored count from their claim. */
function expiresAt(app: AppContext, record: IdempotencyRecord): number {
  if (record.expiresAt) return Date.parse(record.expiresAt);
  return Date.parse(record.claimedAt) + ttlHoursOf(app) * 3_600_000;
}

/**
 * Claims an Idempotency-Key in a scope. Undefined: the key is this call's, run it and complete the key.
 * A string: the sealed first answer's plaintext, for the same key and fingerprint. 422 for the same key
 * with another request (draft-ietf-httpapi-idempotency-key-header-07, "Error Scenarios"), 409 while the first call is
 * still running. A record past its window is treated as absent and claimed afresh.
 */
export async function claimKey(
  app: AppContext,
  scope: string,
  key: string,
  fingerprint: string,
): Promise<string | undefined> {
  const coll = app.stores.idempotency;
  const pk = recordKey(app, scope, key);
  const sealingKey = replayKey(app, scope, key);
  const now = app.ports.clock.now();
  const ttlHours = ttlHoursOf(app);
  const fresh: IdempotencyRecord = {
    id: pk,
    pk,
    docType: "idempotency",
    bodyCheck: bodyCheckOf(sealingKey, fingerprint),
    claimedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + ttlHours * 3_600_000).toISOString(),
    ttl: Math.round(ttlHours * 3600),
  };
  try {
    await coll.create(fresh);
    return undefined;
  } catch (e) {
    if (!(e instanceof AlreadyExistsError)) throw e;
  }
  const held = await coll.read<IdempotencyRecord>(pk, pk);
  if (!held) throw busy();
  const expired = now.getTime() >= expiresAt(app, held.doc);
  if (!expired && held.doc.bodyCheck !== fresh.bodyCheck) {
    throw new DomainError(
      "unprocessable",
      "This Idempotency-Key was used with another request. Use a new key for a new request.",
      [],
      { problemType: KEY_REUSED_TYPE },
    );
  }
  if (!expired && held.doc.sealedReplay) return open(sealingKey, held.doc.sealedReplay);
  if (!expired && now.getTime() - Date.parse(held.doc.claimedAt) < STALE_CLAIM_MS) throw busy();
  try {
    await coll.replace(fresh, held.etag);
    return undefined;
  } catch (e) {
    if (e instanceof PreconditionFailedError) throw busy();
    throw e;
  }
}

/** Records the first answer of a claimed key, sealed under the client's key. */
export async function completeKey(
  app: AppContext,
  scope: string,
  key: string,
  replay: string,
): Promise<void> {
  const pk = recordKey(app, scope, key);
  await app.stores.idempotency.patch(pk, pk, [
    { op: "set", path: "sealedReplay", value: seal(replayKey(app, scope, key), replay) },
    { op: "set", path: "completedAt", value: app.ports.clock.now().toISOString() },
  ]);
}

/**
 * Frees a claimed key whose call failed: a failure is not an answer to replay (the draft leaves that to
 * the resource), and a client fixing what failed retries with the same key at once, not after a minute.
 */
export async function releaseKey(app: AppContext, scope: string, key: string): Promise<void> {
  const pk = recordKey(app, scope, key);
  const held = await app.stores.idempotency.read<IdempotencyRecord>(pk, pk);
  if (!held || held.doc.sealedReplay) return;
  // A concurrent claim replaced it (its etag changed): that claim is another call's to complete.
  await app.stores.idempotency.delete(pk, pk, held.etag).catch((e: unknown) => {
    if (!(e instanceof PreconditionFailedError)) throw e;
  });
}
