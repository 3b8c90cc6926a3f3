import { canonicalJson, sha256 } from "../crypto";
import type { Actor, RequestStatus } from "./model";

/** One link of a request's audit trail. No raw personal data: actors and values appear as hashes. */
export interface AuditEvent {
  /**
   * 2: the hash covers the event's header and the hash of its body (`actor`, `reason`, `data`), so a proof
   * can show the header and leave the body out (docs/audit-anchoring.md). Absent: written before that, the
   * hash covers the whole event.
   */
  v?: 2;
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

/** A version-2 event with its body replaced by the body's hash: what a proof shows of events it need not. */
export type RedactedEvent = Omit<AuditEvent, "actor" | "reason" | "data" | "v"> & { v: 2; bodyHash: string };

/**
 * A legacy event (no `v`) in a proof: its hash covers the whole event, body included, so no part of it can be
 * shown without all of it, and it may hold staff free text (`reason`), actor refs and data. Only its place in
 * the chain is shown; the next event's `prevHash` binds its hash, but its own hash cannot be recomputed.
 */
export interface WithheldEvent {
  seq: number;
  prevHash: string;
  hash: string;
  withheld: true;
}

/** An event as a chain shows it: whole, (version 2) redacted to its header, or (legacy) withheld. */
export type ChainEvent = AuditEvent | RedactedEvent | WithheldEvent;

const WITHHELD_KEYS = ["hash", "prevHash", "seq", "withheld"].join();

/** Exactly the four fields of a withheld event: an event with anything more is checked as a whole one. */
export function isWithheld(e: ChainEvent): e is WithheldEvent {
  return "withheld" in e && e.withheld === true && Object.keys(e).sort().join() === WITHHELD_KEYS;
}

export const GENESIS = "0".repeat(64);

function bodyHashOf(e: Pick<AuditEvent, "actor" | "reason" | "data">): string {
  return sha256(canonicalJson({ actor: e.actor, reason: e.reason, data: e.data }));
}

export function hashEvent(event: Omit<AuditEvent, "hash"> | Omit<RedactedEvent, "hash">): string {
  if (event.v !== 2 || !("actor" in event)) return sha256(canonicalJson(event));
  const { actor, reason, data, ...header } = event;
  return sha256(canonicalJson({ ...header, bodyHash: bodyHashOf({ actor, reason, data }) }));
}

export function sealEvent(event: Omit<AuditEvent, "hash" | "v">): AuditEvent {
  const v2 = { ...event, v: 2 as const };
  return { ...v2, hash: hashEvent(v2) };
}

/** The event without who acted and why (the body's hash stands for them); legacy events are withheld whole. */
export function redactEvent(e: AuditEvent): RedactedEvent | WithheldEvent {
  if (e.v !== 2) return { seq: e.seq, prevHash: e.prevHash, hash: e.hash, withheld: true };
  const { actor, reason, data, ...header } = e;
  return { ...header, v: 2, bodyHash: bodyHashOf({ actor, reason, data }) };
}

/**
 * Recomputes every hash and link: a changed, removed or reordered event breaks the chain there. A withheld
 * event is linked but not rehashed; withheld events may only open the chain (legacy events predate every
 * version-2 one), so none can stand in for a later event, such as a newer certificate's.
 */
export function verifyChain(events: readonly ChainEvent[]): {
  valid: boolean;
  brokenAt?: number;
  headHash: string;
  /** How many events were withheld: linked, their content not checked. */
  withheld: number;
} {
  let prev = GENESIS;
  let withheld = 0;
  for (const [i, e] of events.entries()) {
    const linked = e.seq === i + 1 && e.prevHash === prev;
    const ok = isWithheld(e) ? linked && withheld++ === i : linked && hashesAsShown(e);
    if (!ok) return { valid: false, brokenAt: e.seq, headHash: prev, withheld };
    prev = e.hash;
  }
  return { valid: true, headHash: prev, withheld };
}

function hashesAsShown(e: AuditEvent | RedactedEvent | WithheldEvent): boolean {
  if ("withheld" in e) return false; // a malformed withheld event (more fields than the four)
  const { hash, ...rest } = e;
  return (e.v === 2 || e.v === undefined) && hashEvent(rest) === hash;
}
