import { createLocalJWKSet, decodeJwt, type JSONWebKeySet, jwtVerify } from "jose";
import { z } from "zod";
import type { ConsentManagerSetting } from "../config/schema";
import { DomainError } from "../domain/errors";

/** The longest a consent manager's request may live: long enough for a retry, short enough to replay nothing. */
export const MAX_REQUEST_AGE_SECONDS = 300;

const refused = () =>
  new DomainError(
    "unauthenticated",
    "The request is not signed by a consent manager registered here, or it is expired or replayed.",
  );

/** What a verified request tells: who sent it, its id and expiry, and its claims (checked by the route). */
export interface VerifiedManagerRequest {
  manager: { id: string; name: string; registrationNumber: string };
  jti: string;
  expiresAt: Date;
  claims: Record<string, unknown>;
}

const Envelope = z.object({ jti: z.string().min(8).max(128), exp: z.number(), iat: z.number() });

/**
 * Verifies a consent manager's compact JWS (docs/consent.md): issued by a configured manager (`iss`), signed
 * with one of its configured keys (ES256, RS256 or EdDSA: never `none`, never an HMAC a shared secret could
 * forge), for this service (`aud`), with `iat`, a short `exp` and a `jti`. Every failure is the same 401: a
 * caller learns nothing about which managers or keys exist.
 */
export async function verifyManagerRequest(
  token: string,
  managers: readonly ConsentManagerSetting[],
  audience: string,
  now: Date,
): Promise<VerifiedManagerRequest> {
  let issuer: string | undefined;
  try {
    issuer = decodeJwt(token).iss;
  } catch {
    throw refused();
  }
  const manager = managers.find((m) => m.id === issuer);
  if (!manager) throw refused();
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, createLocalJWKSet(manager.jwks as JSONWebKeySet), {
      issuer: manager.id,
      audience,
      algorithms: ["ES256", "RS256", "EdDSA"],
      requiredClaims: ["exp", "iat", "jti"],
      maxTokenAge: MAX_REQUEST_AGE_SECONDS,
      currentDate: now,
    }));
  } catch {
    throw refused();
  }
  const envelope = Envelope.safeParse(payload);
  // A request valid for longer than the replay record is kept could be replayed after it goes.
  if (!envelope.success || envelope.data.exp - envelope.data.iat > MAX_REQUEST_AGE_SECONDS) throw refused();
  return {
    manager: { id: manager.id, name: manager.name, registrationNumber: manager.registrationNumber },
    jti: envelope.data.jti,
    expiresAt: new Date(envelope.data.exp * 1000),
    claims: payload,
  };
}
