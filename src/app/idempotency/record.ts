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

/**
 * How long a claim with no answer holds its key. It must outlive the call that took it: a call is alive
 * until the Functions host ends it at `functionTimeout` (host.json, 00:30:00), and a restore or a breach's
 * notices can run for minutes, so any shorter limit lets a retry run the work again beside the first call.
 * A claim older than this has no call behind it (it crashed or was ended), and a retry may take it. A lease
 * the running call renews would free a crashed call's key sooner, but needs a timer beside every call and a
 * renewal that can itself fail mid-work; a key held up to half an hour after a crash (the client gets 409
 * and may use a new key) is the simpler price. test/integration/idempotency-claims.test.ts keeps this and
 * host.json together.
 */
export const CLAIM_OUTLIVES_CALL_MS = 30 * 60_000;

/** Retry-After on the 409 while a claim is held: most calls answer within seconds, not the full timeout. */
const BUSY_RETRY_AFTER_SECONDS = 5;

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
    [],
    { retryAfterSeconds: BUSY_RETRY_AFTER_SECONDS },
  );

/** When a record stops counting: records written before expiry was stored count from their claim. */
function expiresAt(app: AppContext, record: IdempotencyRecord): number {
  if (record.expiresAt) return Date.parse(record.expiresAt);
  return Date.parse(record.claimedAt) + ttlHoursOf(app) * 3_600_000;
}

/**
 * A key this call holds: the record as it wrote it and the etag of that write. Completing and releasing
 * are conditioned on that etag, so they act on this claim only: once a retry has taken the key over (after
 * {@link CLAIM_OUTLIVES_CALL_MS}, or after a release) the record's etag is another's, and this call can
 * neither overwrite nor free that call's claim.
 */
export interface Claim {
  readonly record: IdempotencyRecord;
  readonly etag: string;
}

/** What a claim found: the key is this call's (`claim`), or the first answer's plaintext (`replay`). */
export type ClaimOutcome = { claim: Claim; replay?: never } | { replay: string; claim?: never };

/** The record of a key and what its holder's fingerprint checks against, as every lookup needs them. */
function keyOf(app: AppContext, scope: string, key: string, fingerprint: string) {
  const pk = recordKey(app, scope, key);
  const sealingKey = replayKey(app, scope, key);
  return { pk, sealingKey, bodyCheck: bodyCheckOf(sealingKey, fingerprint) };
}

const reused = () =>
  new DomainError(
    "unprocessable",
    "This Idempotency-Key was used with another request. Use a new key for a new request.",
    [],
    { problemType: KEY_REUSED_TYPE },
  );

/**
 * The first answer for this key and fingerprint, when there is one and its window is open; undefined
 * otherwise (no record, another request's, still running, expired). Reads only: stores nothing and
 * refuses nothing, for a caller that answers a replay before it charges anything (a public filing's rate
 * limit, src/app/requests/create-request.ts); `claimKey` is still what decides.
 */
export async function findReplay(
  app: AppContext,
  scope: string,
  key: string,
  fingerprint: string,
): Promise<string | undefined> {
  const { pk, sealingKey, bodyCheck } = keyOf(app, scope, key, fingerprint);
  const held = await app.stores.idempotency.read<IdempotencyRecord>(pk, pk);
  if (!held?.doc.sealedReplay || held.doc.bodyCheck !== bodyCheck) return undefined;
  if (app.ports.clock.now().getTime() >= expiresAt(app, held.doc)) return undefined;
  return open(sealingKey, held.doc.sealedReplay);
}

/**
 * Claims an Idempotency-Key in a scope: `claim` when the key is this call's (run the work, then complete
 * or release that claim), `replay` with the sealed first answer's plaintext for the same key and
 * fingerprint. 422 for the same key with another request (draft-ietf-httpapi-idempotency-key-header-07,
 * "Error Scenarios"), 409 while another call holds it. A record past its window, or a claim older than
 * any call can run, is treated as absent and claimed afresh.
 */
export async function claimKey(
  app: AppContext,
  scope: string,
  key: string,
  fingerprint: string,
): Promise<ClaimOutcome> {
  const coll = app.stores.idempotency;
  const { pk, sealingKey, bodyCheck } = keyOf(app, scope, key, fingerprint);
  const now = app.ports.clock.now();
  const ttlHours = ttlHoursOf(app);
  const fresh: IdempotencyRecord = {
    id: pk,
    pk,
    docType: "idempotency",
    bodyCheck,
    claimedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + ttlHours * 3_600_000).toISOString(),
    ttl: Math.round(ttlHours * 3600),
  };
  try {
    const written = await coll.create(fresh);
    return { claim: { record: fresh, etag: written.etag } };
  } catch (e) {
    if (!(e instanceof AlreadyExistsError)) throw e;
  }
  const held = await coll.read<IdempotencyRecord>(pk, pk);
  if (!held) throw busy();
  const expired = now.getTime() >= expiresAt(app, held.doc);
  if (!expired && held.doc.bodyCheck !== bodyCheck) throw reused();
  if (!expired && held.doc.sealedReplay) return { replay: open(sealingKey, held.doc.sealedReplay) };
  if (!expired && now.getTime() - Date.parse(held.doc.claimedAt) < CLAIM_OUTLIVES_CALL_MS) throw busy();
  try {
    const written = await coll.replace(fresh, held.etag);
    return { claim: { record: fresh, etag: written.etag } };
  } catch (e) {
    if (e instanceof PreconditionFailedError) throw busy();
    throw e;
  }
}

/**
 * Records the first answer of this call's claim, sealed under the client's key. False when the claim was
 * lost (the record was taken over by a retry or is gone): the record is then left as it is, since it is
 * another call's or nobody's, and the work this call did is still its caller's answer.
 */
export async function completeKey(
  app: AppContext,
  scope: string,
  key: string,
  claim: Claim,
  replay: string,
): Promise<boolean> {
  const done: IdempotencyRecord = {
    ...claim.record,
    sealedReplay: seal(replayKey(app, scope, key), replay),
    completedAt: app.ports.clock.now().toISOString(),
  };
  try {
    // The adapter reports a record gone (404) as a failed precondition too: either way, not ours.
    await app.stores.idempotency.replace(done, claim.etag);
    return true;
  } catch (e) {
    if (e instanceof PreconditionFailedError) return false;
    throw e;
  }
}

/**
 * Frees this call's claim when its work failed: a failure is not an answer to replay (the draft leaves that
 * to the resource), and a client fixing what failed retries with the same key at once. Conditioned on the
 * claim's own etag: a record another call has claimed since (or completed) is that call's, and stays.
 */
export async function releaseKey(app: AppContext, claim: Claim): Promise<void> {
  await app.stores.idempotency.delete(claim.record.id, claim.record.pk, claim.etag).catch((e: unknown) => {
    if (!(e instanceof PreconditionFailedError)) throw e;
  });
}
