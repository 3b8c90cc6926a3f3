import { DomainError } from "../../domain/errors";
import { type AuditEvent, GENESIS, sealEvent, verifyChain } from "../../domain/requests/audit-chain";
import type { Ports } from "../../ports";
import { AlreadyExistsError, type DocumentStore } from "../../ports/document-store";
import type { AppContext } from "../context";
import type { AppendOnly, Stores } from "../stores";
import { checkAnchored } from "./verify-chain";
import { queryFirst } from "../util";

export type NewEvent = Omit<AuditEvent, "id" | "pk" | "requestId" | "seq" | "prevHash" | "hash" | "at">;

/** A link of a chain: its place and hash. `{ seq: 0, hash: GENESIS }` stands before a chain's first event. */
export interface ChainHead {
  seq: number;
  hash: string;
}

/** Before the first event: what a chain that has none yet is appended after. */
export const EMPTY_CHAIN: ChainHead = { seq: 0, hash: GENESIS };

/**
 * The newest link of each chain this process wrote or read lately, per document store (so one host's
 * chains never answer for another's in the same process). A link, once written, never changes (the
 * container is append-only; chains are swept only long after their request closed, far past the time a
 * link is kept here), so a remembered link is a lower bound of its chain's head: see {@link AuditLog.append}.
 */
const HEAD_TTL_MS = 10 * 60_000;
const HEADS_KEPT = 10_000;
const heads = new WeakMap<DocumentStore, Map<string, ChainHead & { until: number }>>();

/** The `audit` container (`app.stores.audit`): append-only, one hash chain per request, partitioned by request id. */
export class AuditLog {
  private readonly audit: AppendOnly<AuditEvent>;
  private readonly ports: Ports;
  private readonly stores: Stores;
  private readonly known: Map<string, ChainHead & { until: number }>;

  constructor(app: Pick<AppContext, "ports" | "stores">) {
    this.ports = app.ports;
    this.stores = app.stores;
    this.audit = app.stores.audit;
    let known = heads.get(app.ports.documents);
    if (!known) heads.set(app.ports.documents, (known = new Map()));
    this.known = known;
  }

  /**
   * A link of the chain this process saw lately (the newest it saw), or undefined. Read before staging an
   * event, it is a link older than the event: what {@link append} may be told the event comes after.
   */
  lastSeen(requestId: string): ChainHead | undefined {
    const seen = this.known.get(requestId);
    if (!seen || seen.until <= Date.now()) return undefined;
    return { seq: seen.seq, hash: seen.hash };
  }

  private remember(requestId: string, link: ChainHead): void {
    const seen = this.known.get(requestId);
    if (seen && seen.seq >= link.seq && seen.until > Date.now()) return;
    this.known.delete(requestId); // re-inserted last: the Map's order is the eviction order
    this.known.set(requestId, { seq: link.seq, hash: link.hash, until: Date.now() + HEAD_TTL_MS });
    if (this.known.size > HEADS_KEPT) this.known.delete(this.known.keys().next().value!);
  }

  /**
   * Appends `event` as the chain's next link. `options.after`: a link of this chain that existed before
   * the event could have been written anywhere (for an event with a `key`, before it was staged; for a
   * new request's first event, {@link EMPTY_CHAIN}). The event is then created right after it, with no
   * query: if that place is free, nothing came after the link, so neither did this event (a chain has
   * no gaps); if it is taken, the append goes the usual way, head and key looked up.
   */
  async append(requestId: string, event: NewEvent, options: { after?: ChainHead } = {}): Promise<AuditEvent> {
    if (options.after) {
      const linked = await this.link(requestId, this.seal(requestId, event, options.after));
      if (linked) return linked;
    }
    for (let attempt = 1; attempt <= 8; attempt++) {
      // The first item across pages: a real Cosmos page may be empty while a later one holds it.
      const last = await queryFirst<AuditEvent>(this.audit, {
        partitionKey: requestId,
        orderBy: { field: "seq", direction: "desc" },
        limit: 1,
      });
      // Checked on every attempt, after the head is read: a concurrent flush of the same staged event
      // that wrote before this check is found here; one that writes after it takes the same seq, so one
      // of the two creates fails and the retry finds the other.
      if (event.key !== undefined) {
        const seen = await queryFirst<AuditEvent>(this.audit, {
          partitionKey: requestId,
          where: [{ field: "key", op: "=", value: event.key }],
          limit: 1,
        });
        if (seen) return seen;
      }
      const linked = await this.link(requestId, this.seal(requestId, event, last ?? EMPTY_CHAIN));
      if (linked) return linked;
    }
    throw new DomainError("conflict", "The audit trail is busy; try again.");
  }

  /** Creates the sealed link at its seq; undefined when someone appended that seq first (link to theirs). */
  private async link(requestId: string, sealed: AuditEvent): Promise<AuditEvent | undefined> {
    try {
      await this.audit.create(sealed);
    } catch (e) {
      if (e instanceof AlreadyExistsError) return undefined;
      throw e;
    }
    this.remember(requestId, sealed);
    return sealed;
  }

  private seal(requestId: string, event: NewEvent, after: ChainHead): AuditEvent {
    const seq = after.seq + 1;
    return sealEvent({
      ...event,
      id: `${requestId}:${String(seq).padStart(6, "0")}`,
      pk: requestId,
      requestId,
      seq,
      at: this.ports.clock.now().toISOString(),
      prevHash: after.hash,
    });
  }

  async events(requestId: string): Promise<AuditEvent[]> {
    const out: AuditEvent[] = [];
    let continuationToken: string | undefined;
    do {
      const page = await this.audit.query<AuditEvent>({
        partitionKey: requestId,
        orderBy: { field: "seq", direction: "asc" },
        limit: 500,
        continuationToken,
      });
      out.push(...page.items);
      continuationToken = page.continuationToken;
    } while (continuationToken);
    return out;
  }

  /**
   * The chain's links and hashes, and the chain against every anchor of it in the append-only store
   * (docs/audit-anchoring.md): `valid` only when both hold, so a truncation or a rewrite of the whole chain
   * (hashes recomputed) is caught even though the links still verify. `anchored` says which anchor.
   */
  async verified(requestId: string) {
    const events = await this.events(requestId);
    const links = verifyChain(events);
    const anchored = await checkAnchored({ ports: this.ports, stores: this.stores }, requestId, events);
    const brokenAt = links.brokenAt ?? anchored.brokenAt;
    return {
      events,
      valid: links.valid && anchored.valid,
      headHash: links.headHash,
      ...(brokenAt !== undefined ? { brokenAt } : {}),
      anchored,
    };
  }
}
