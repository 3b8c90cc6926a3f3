import { z } from "zod";
import { DomainError } from "../../domain/errors";
import { open, seal } from "../../domain/crypto";
import { keyedHash } from "../../domain/subject";
import { idempotencyPartition } from "../../domain/storage/partition-keys";
import { RequestDoc } from "../../domain/requests/model";
import type { AppContext } from "../context";
import { AlreadyExistsError, PreconditionFailedError } from "../../ports/document-store";

/** What POST /requests answered first, given again to a replay of the same key and body. */
export interface FirstAnswer {
  request: RequestDoc;
  /** Shown once, for public requests: how the requester reads and verifies their request. */
  requestToken?: string;
  /** "existing": an open request of this kind for this subject already existed, and is returned. */
  outcome: "created" | "existing";
}

/**
 * An Idempotency-Key record. What a replay needs (the first answer, the public requestToken, which
 * request it was) is sealed under a key derived from the client's own Idempotency-Key, which is stored
 * only as a keyed hash (the record's id): the service alone cannot open it, only a client presenting the
 * key again. The body is compared the same way, so the record holds nothing a guess could be tested on
 * without the client's key (a body names a number or an address).
 */
interface IdempotencyRecord {
  id: string;
  pk: string;
  docType: "idempotency";
  /** Keyed (with the client's key) hash of the body's SHA-256. */
  bodyCheck: string;
  claimedAt: string;
  completedAt?: string;
  /** {@link Replay}, sealed (AES-GCM) with the key derived from the client's Idempotency-Key. */
  sealedReplay?: string;
}

const Replay = z
  .object({
    requestId: z.string(),
    /** The request's partition, so a replay reads it with one point read. */
    requestPk: z.string(),
    /** The request as the first answer showed it: a replay answers that, not the request as it is now. */
    firstAnswer: z.unknown(),
    outcome: z.enum(["created", "existing"]),
    requestToken: z.string().optional(),
  })
  .strict();
type Replay = z.infer<typeof Replay>;

/** A claim older than this with no result is taken to be from a crashed attempt, and is reused. */
const STALE_CLAIM_MS = 60_000;

const recordKey = (app: AppContext, callerRef: string, key: string) =>
  idempotencyPartition(keyedHash(app.keys.hash, `${callerRef}|${key}`));

/** The sealing key of a record: from the client's key, under a label the record's id never uses. */
const replayKey = (app: AppContext, callerRef: string, key: string) =>
  Buffer.from(keyedHash(app.keys.hash, `idempotency-replay:${callerRef}|${key}`), "base64url");

const bodyCheckOf = (sealingKey: Buffer, bodyHash: string) => keyedHash(sealingKey, `body:${bodyHash}`);

/**
 * Claims an Idempotency-Key for this caller. Returns the earlier result for the same key and body;
 * 409 for the same key with another body, or while the first call is still running.
 */
export async function claimIdempotencyKey(
  app: AppContext,
  callerRef: string,
  key: string,
  bodyHash: string,
): Promise<FirstAnswer | undefined> {
  const coll = app.stores.idempotency;
  const pk = recordKey(app, callerRef, key);
  const sealingKey = replayKey(app, callerRef, key);
  const now = app.ports.clock.now();
  const fresh: IdempotencyRecord = {
    id: pk,
    pk,
    docType: "idempotency",
    bodyCheck: bodyCheckOf(sealingKey, bodyHash),
    claimedAt: now.toISOString(),
  };
  try {
    await coll.create(fresh);
    return undefined;
  } catch (e) {
    if (!(e instanceof AlreadyExistsError)) throw e;
  }
  const held = await coll.read<IdempotencyRecord>(pk, pk);
  if (!held) throw new DomainError("conflict", "This Idempotency-Key is being used right now; try again.");
  if (held.doc.bodyCheck !== fresh.bodyCheck) {
    throw new DomainError(
      "conflict",
      "This Idempotency-Key was used with a different body. Use a new key for a new request.",
    );
  }
  if (!held.doc.sealedReplay) {
    if (now.getTime() - Date.parse(held.doc.claimedAt) < STALE_CLAIM_MS) {
      throw new DomainError(
        "conflict",
        "A request with this Idempotency-Key is still being processed; try again shortly.",
      );
    }
    try {
      await coll.replace(fresh, held.etag);
      return undefined;
    } catch (e) {
      if (e instanceof PreconditionFailedError)
        throw new DomainError("conflict", "This Idempotency-Key is being used right now; try again.");
      throw e;
    }
  }
  const replay = Replay.parse(JSON.parse(open(sealingKey, held.doc.sealedReplay)));
  const request = await app.stores.requests.collection().read(replay.requestId, replay.requestPk);
  if (!request)
    throw new DomainError("conflict", "The request for this Idempotency-Key is gone; use a new key.");
  const doc = RequestDoc.parse(request.doc);
  // The token is handed back only while it reads nothing but the filing itself (its own typed scope):
  // once the filing is verified it reads the subject's request, which a replayer must prove again for.
  const token = doc.status === "pending_verification" ? replay.requestToken : undefined;
  const first = RequestDoc.safeParse(replay.firstAnswer);
  return {
    request: first.success ? first.data : doc,
    outcome: replay.outcome,
    ...(token ? { requestToken: token } : {}),
  };
}

export async function completeIdempotencyKey(
  app: AppContext,
  callerRef: string,
  key: string,
  result: FirstAnswer,
): Promise<void> {
  const coll = app.stores.idempotency;
  const pk = recordKey(app, callerRef, key);
  const replay: Replay = {
    requestId: result.request.id,
    requestPk: result.request.pk,
    firstAnswer: result.request,
    outcome: result.outcome,
    ...(result.requestToken ? { requestToken: result.requestToken } : {}),
  };
  await coll.patch(pk, pk, [
    { op: "set", path: "sealedReplay", value: seal(replayKey(app, callerRef, key), JSON.stringify(replay)) },
    { op: "set", path: "completedAt", value: app.ports.clock.now().toISOString() },
  ]);
}
