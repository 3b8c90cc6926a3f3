import {
  createLocalJWKSet,
  createRemoteJWKSet,
  type JSONWebKeySet,
  jwtVerify,
  type JWTVerifyGetKey,
} from "jose";
import { z } from "zod";
import { DomainError } from "../domain/errors";

export const DashboardRole = z.enum(["owner", "admin", "member"]);
export const StaffRole = z.enum(["support", "privacy_officer"]);
export const Role = z.union([DashboardRole, StaffRole]);
export type Role = z.infer<typeof Role>;

export type Principal =
  | { kind: "dashboard"; subject: string; tenantId: string; role: z.infer<typeof DashboardRole> }
  | { kind: "staff"; subject: string; role: z.infer<typeof StaffRole> };

const Claims = z.union([
  z.object({ sub: z.string().min(1), role: DashboardRole, tid: z.string().min(1).max(128) }),
  z.object({ sub: z.string().min(1), role: StaffRole }),
]);

export interface TokenSettings {
  issuer: string;
  audience: string;
  keys: { jwksUrl: string } | { jwks: JSONWebKeySet };
}

const unauthenticated = (message: string) => new DomainError("unauthenticated", message);

/** Verifies dashboard and staff JWTs (signature, issuer, audience, a required expiry) and reads their roles. */
export class Authenticator {
  private readonly getKey: JWTVerifyGetKey;

  constructor(private readonly settings: TokenSettings) {
    this.getKey =
      "jwksUrl" in settings.keys
        ? createRemoteJWKSet(new URL(settings.keys.jwksUrl))
        : createLocalJWKSet(settings.keys.jwks);
  }

  async fromHeader(header: string | null): Promise<Principal | undefined> {
    if (header === null || header === "") return undefined;
    const m = /^Bearer ([A-Za-z0-9_\-.]+)$/.exec(header.trim());
    if (!m?.[1]) throw unauthenticated("The Authorization header must be 'Bearer <token>'.");
    return this.verify(m[1]);
  }

  async verify(token: string): Promise<Principal> {
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, this.getKey, {
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        algorithms: ["ES256", "RS256"],
        // jose checks exp only when present: a token without one would be valid forever.
        requiredClaims: ["exp"],
      }));
    } catch {
      throw unauthenticated("The token is invalid or expired.");
    }
    const claims = Claims.safeParse(payload);
    if (!claims.success)
      throw unauthenticated("The token does not carry a known role (and a tenant for dashboard roles).");
    const c = claims.data;
    return "tid" in c
      ? { kind: "dashboard", subject: c.sub, tenantId: c.tid, role: c.role }
      : { kind: "staff", subject: c.sub, role: c.role };
  }
}
