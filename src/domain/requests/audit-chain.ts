import { canonicalJson, sha256 } from "../crypto";
import type { Actor, RequestStatus } from "./model";

/** One link of a request's audit trail. No raw personal data: actors and values appear as hashes. */
export interface AuditEvent {
  id: string;
  pk: string;
  requestId: string;
  seq: number;
  at: string;
  actor: Actor;
  action: string;
  from?: RequestStatus;
  to?: RequestStatus;
  reason?: string;
  data?: Record<string, unknown>;
  /** Set when the event came through the request's outbox: a second flush of it is recognised. */
  key?: string;
  prevHash: string;
  hash: string;
}

export const GENESIS = "0".repeat(64);

export function hashEvent(event: Omit<AuditEvent, "hash">): string {
  return sha256(canonicalJson(event));
}

export function sealEvent(event: Omit<AuditEvent, "hash">): AuditEvent {
  return { ...event, hash: hashEvent(event) };
}

/** Recomputes every hash and link: a changed, removed or reordered event breaks the chain there. */
export function verifyChain(events: AuditEvent[]): { valid: boolean; brokenAt?: number; headHash: string } {
  let prev = GENESIS;
  for (const [i, e] of events.entries()) {
    const { hash, ...rest } = e;
    if (e.seq !== i + 1 || e.prevHash !== prev || hashEvent(rest) !== hash) {
      return { valid: false, brokenAt: e.seq, headHash: prev };
    }
    prev = hash;
  }
  return { valid: true, headHash: prev };
}
