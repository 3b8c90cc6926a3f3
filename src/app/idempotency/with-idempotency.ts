import type { z } from "zod";
import type { Caller } from "../caller";
import type { AppContext } from "../context";
import { type Logger, silentLogger } from "../../ports/logger";
import { claimKey, completeKey, findReplay, releaseKey } from "./record";

/**
 * A client's Idempotency-Key (draft-ietf-httpapi-idempotency-key-header-07) and the fingerprint of the
 * request it came with (SHA-256 of the canonical JSON of what the request asks for).
 */
export interface IdempotencyKey {
  key: string;
  fingerprint: string;
}

export interface Idempotent<T> {
  value: T;
  /** True when this is the first answer given again (`Idempotent-Replayed: true`). */
  replayed: boolean;
}

/**
 * Whose keys a signed-in caller's are: a dashboard user's in their tenant, staff's in their identity, so
 * nobody else's key ever finds the record (another tenant or staff member using the same key gets their
 * own). A public caller has no identity to scope to: a use case that takes public calls scopes them itself
 * (a filing: the client address and the subject, src/app/requests/idempotency.ts).
 */
export function callerScope(caller: Caller): string | undefined {
  if (caller.kind === "dashboard") return `dashboard:${caller.tenantId}:${caller.subject}`;
  if (caller.kind === "staff") return `staff:${caller.subject}`;
  return undefined;
}

export interface IdempotencyOptions {
  /**
   * Runs before anything is stored for a new claim (and before `work` without a key), never for a replay:
   * a charge (a rate limit) that a client recovering its first answer must not pay again. With it, a
   * completed key is looked up first, one point read.
   */
  beforeClaim?: () => Promise<unknown>;
  /** Where a completion that lost its claim is reported (the invocation's logger at the HTTP edge). */
  log?: Logger;
}

/**
 * Runs `work` once per key: the same key and fingerprint again gets the first answer (parsed with
 * `schema`), another fingerprint 422, a call while the first runs 409. No key: `work` runs as usual.
 * `scope` names the operation and the caller, so a key is never shared across either. A failed `work`
 * leaves no answer behind: this call's claim is released, and a retry runs again.
 */
export async function withIdempotency<T>(
  app: AppContext,
  scope: string,
  idempotency: IdempotencyKey | undefined,
  schema: z.ZodType<T>,
  work: () => Promise<T>,
  options: IdempotencyOptions = {},
): Promise<Idempotent<T>> {
  const replayed = (text: string): Idempotent<T> => ({
    value: schema.parse(JSON.parse(text)),
    replayed: true,
  });
  if (!idempotency) {
    await options.beforeClaim?.();
    return { value: await work(), replayed: false };
  }
  const { key, fingerprint } = idempotency;
  if (options.beforeClaim) {
    const prior = await findReplay(app, scope, key, fingerprint);
    if (prior !== undefined) return replayed(prior);
    await options.beforeClaim();
  }
  const outcome = await claimKey(app, scope, key, fingerprint);
  if (outcome.replay !== undefined) return replayed(outcome.replay);
  const { claim } = outcome;
  let value: T;
  try {
    value = await work();
  } catch (e) {
    await releaseKey(app, claim);
    throw e;
  }
  if (!(await completeKey(app, scope, key, claim, JSON.stringify(value)))) {
    // The work is done and this is its answer: failing the caller now would make it retry work that
    // succeeded. The key no longer records it (a retry took the claim over, or the record is gone), which
    // only an operator can weigh: the line says so, with nothing of the caller, key or scope.
    (options.log ?? silentLogger).warn("idempotency_claim_lost", { recorded: false });
  }
  return { value, replayed: false };
}
