import { DomainError } from "../../domain/errors";
import { type AuditEvent, GENESIS, sealEvent, verifyChain } from "../../domain/requests/audit-chain";
import type { Ports } from "../../ports";
import { AlreadyExistsError, type DocumentCollection } from "../../ports/document-store";
import { checkAnchored } from "../audit/verify-chain";
import { queryFirst } from "../util/paging";

export type NewEvent = Omit<AuditEvent, "id" | "pk" | "requestId" | "seq" | "prevHash" | "hash" | "at">;

/** The `audit` container: append-only, one hash chain per request, partitioned by request id. */
export class AuditLog {
  private readonly audit: DocumentCollection;

  constructor(private readonly ports: Ports) {
    this.audit = ports.documents.collection("service", "audit");
  }

  async append(requestId: string, event: NewEvent): Promise<AuditEvent> {
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
      const seq = (last?.seq ?? 0) + 1;
      const sealed = sealEvent({
        ...event,
        id: `${requestId}:${String(seq).padStart(6, "0")}`,
        pk: requestId,
        requestId,
        seq,
        at: this.ports.clock.now().toISOString(),
        prevHash: last?.hash ?? GENESIS,
      });
      try {
        await this.audit.create(sealed);
        return sealed;
      } catch (e) {
        // Someone appended the same seq first: link to theirs instead.
        if (!(e instanceof AlreadyExistsError)) throw e;
      }
    }
    throw new DomainError("conflict", "The audit trail is busy; try again.");
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
    const anchored = await checkAnchored(this.ports, requestId, events);
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
