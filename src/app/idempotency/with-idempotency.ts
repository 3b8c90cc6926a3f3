import type { z } from "zod";
import type { Caller } from "../caller";
import type { AppContext } from "../context";
import { claimKey, completeKey, releaseKey } from "./record";

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

/**
 * Runs `work` once per key: the same key and fingerprint again gets the first answer (parsed with
 * `schema`), another fingerprint 422, a call while the first runs 409. No key: `work` runs as usual.
 * `scope` names the operation and the caller, so a key is never shared across either. A failed `work`
 * leaves no answer behind: the key is released, and a retry runs again.
 */
export async function withIdempotency<T>(
  app: AppContext,
  scope: string,
  idempotency: IdempotencyKey | undefined,
  schema: z.ZodType<T>,
  work: () => Promise<T>,
): Promise<Idempotent<T>> {
  if (!idempotency) return { value: await work(), replayed: false };
  const { key, fingerprint } = idempotency;
  const prior = await claimKey(app, scope, key, fingerprint);
  if (prior !== undefined) return { value: schema.parse(JSON.parse(prior)), replayed: true };
  let value: T;
  try {
    value = await work();
  } catch (e) {
    await releaseKey(app, scope, key);
    throw e;
  }
  await completeKey(app, scope, key, JSON.stringify(value));
  return { value, replayed: false };
}
