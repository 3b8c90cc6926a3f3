import { z } from "zod";
import { DomainError } from "../../domain/errors";
import { RequestDoc } from "../../domain/requests/model";
import type { AppContext } from "../context";
import { type IdempotencyKey, type IdempotencyOptions, withIdempotency } from "../idempotency";

/** What POST /requests answered first, given again to a replay of the same key and body. */
export interface FirstAnswer {
  request: RequestDoc;
  /** Shown once, for public requests: how the requester reads and verifies their request. */
  requestToken?: string;
  /** "existing": an open request of this kind for this subject already existed, and is returned. */
  outcome: "created" | "existing";
}

/**
 * What a filing's Idempotency-Key record keeps, sealed under the client's key (src/app/idempotency):
 * which request it was, the first answer, and the public requestToken.
 */
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

const replayOf = (result: FirstAnswer): Replay => ({
  requestId: result.request.id,
  requestPk: result.request.pk,
  firstAnswer: result.request,
  outcome: result.outcome,
  ...(result.requestToken ? { requestToken: result.requestToken } : {}),
});

/**
 * Files once per Idempotency-Key in `scope`: the same key and body again gets the first answer (422 for
 * another body, 409 while the first runs). The requestToken is handed back only while the filing is
 * unverified, when it reads nothing but the filing itself (its own typed scope): once the filing is
 * verified it reads the subject's request, which a replayer must prove again for. `options` as
 * `withIdempotency` takes them (a charge only a new filing pays, the logger).
 */
export async function fileOnce(
  app: AppContext,
  scope: string,
  idempotency: IdempotencyKey | undefined,
  file: () => Promise<FirstAnswer>,
  options: IdempotencyOptions = {},
): Promise<FirstAnswer & { replayed: boolean }> {
  let first: FirstAnswer | undefined;
  const { value, replayed } = await withIdempotency(
    app,
    scope,
    idempotency,
    Replay,
    async () => {
      first = await file();
      return replayOf(first);
    },
    options,
  );
  if (!replayed && first) return { ...first, replayed: false };
  const request = await app.stores.requests.collection().read(value.requestId, value.requestPk);
  if (!request)
    throw new DomainError("conflict", "The request for this Idempotency-Key is gone; use a new key.");
  const doc = RequestDoc.parse(request.doc);
  const token = doc.status === "pending_verification" ? value.requestToken : undefined;
  const shown = RequestDoc.safeParse(value.firstAnswer);
  return {
    request: shown.success ? shown.data : doc,
    outcome: value.outcome,
    replayed: true,
    ...(token ? { requestToken: token } : {}),
  };
}
