import { DomainError } from "../../domain/errors";
import { open, seal } from "../../domain/crypto";
import { keyedHash } from "../../domain/subject";
import { RequestDoc } from "../../domain/requests/model";
import type { AppContext } from "../context";
import { AlreadyExistsError, PreconditionFailedError } from "../../ports/document-store";
import type { CreateRequestResult } from "./create-request";

interface IdempotencyRecord {
  id: string;
  pk: string;
  docType: "idempotency";
  bodyHash: string;
  claimedAt: string;
  requestId?: string;
  /** The request's partition, so a replay reads it with one point read. */
  requestPk?: string;
  /** The request as the first answer showed it: a replay answers that, not the request as it is now. */
  firstAnswer?: unknown;
  outcome?: "created" | "existing";
  /** The public requestToken, sealed, so a replay can hand the same answer back. */
  sealedToken?: string;
}

/** A claim older than this with no result is taken to be from a crashed attempt, and is reused. */
const STALE_CLAIM_MS = 60_000;

const recordKey = (app: AppContext, callerRef: string, key: string) =>
  `idem:${keyedHash(app.keys.hash, `${callerRef}|${key}`)}`;

/**
 * Claims an Idempotency-Key for this caller. Returns the earlier result for the same key and body;
 * 409 for the same key with another body, or while the first call is still running.
 */
export async function claimIdempotencyKey(
  app: AppContext,
  callerRef: string,
  key: string,
  bodyHash: string,
): Promise<Omit<CreateRequestResult, "replayed"> | undefined> {
  const coll = app.ports.documents.collection("service", "requests");
  const pk = recordKey(app, callerRef, key);
  const now = app.ports.clock.now();
  const fresh: IdempotencyRecord = {
    id: pk,
    pk,
    docType: "idempotency",
    bodyHash,
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
  if (held.doc.bodyHash !== bodyHash) {
    throw new DomainError(
      "conflict",
      "This Idempotency-Key was used with a different body. Use a new key for a new request.",
    );
  }
  if (!held.doc.requestId) {
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
  const request = held.doc.requestPk
    ? await coll.read<RequestDoc>(held.doc.requestId, held.doc.requestPk)
    : undefined;
  if (!request)
    throw new DomainError("conflict", "The request for this Idempotency-Key is gone; use a new key.");
  const doc = RequestDoc.parse(request.doc);
  // The token is handed back only while it reads nothing but the filing itself (its own typed scope):
  // once the filing is verified it reads the subject's request, which a replayer must prove again for.
  const token =
    held.doc.sealedToken && doc.status === "pending_verification"
      ? open(app.keys.seal, held.doc.sealedToken)
      : undefined;
  const first = RequestDoc.safeParse(held.doc.firstAnswer);
  return {
    request: first.success ? first.data : doc,
    outcome: held.doc.outcome ?? "created",
    ...(token ? { requestToken: token } : {}),
  };
}

export async function completeIdempotencyKey(
  app: AppContext,
  callerRef: string,
  key: string,
  result: CreateRequestResult,
): Promise<void> {
  const coll = app.ports.documents.collection("service", "requests");
  const pk = recordKey(app, callerRef, key);
  await coll.patch(pk, pk, [
    { op: "set", path: "requestId", value: result.request.id },
    { op: "set", path: "requestPk", value: result.request.pk },
    { op: "set", path: "firstAnswer", value: result.request },
    { op: "set", path: "outcome", value: result.outcome },
    ...(result.requestToken
      ? [{ op: "set" as const, path: "sealedToken", value: seal(app.keys.seal, result.requestToken) }]
      : []),
  ]);
}
