import { DomainError, notFound } from "../../domain/errors";
import { partitionOfRequestId } from "../../domain/requests/request-id";
import { isOpen, RequestDoc, type RequestKind } from "../../domain/requests/model";
import { AlreadyExistsError, PreconditionFailedError, type QuerySpec } from "../../ports/document-store";
import type { TypedStore } from "./typed-store";
import { queryAll, queryFirst } from "../util";

const MAX_ATTEMPTS = 5;

/** Names the open request of one kind for one subject (see {@link RequestStore.claimOpenSlot}). */
export type OpenSlot = { id: string; pk: string; docType: "open-slot"; requestId: string };

/**
 * The `requests` container: one document per request, partitioned by subject, every write guarded by
 * its ETag. A lost race re-reads and re-decides; it never overwrites.
 */
export class RequestStore {
  constructor(
    /** The `request` documents alone: a read of another type answers undefined, queries see requests only. */
    private readonly requests: TypedStore<RequestDoc>,
    private readonly openSlots: TypedStore<OpenSlot>,
  ) {}

  async create(doc: RequestDoc): Promise<RequestDoc> {
    // Parsed before it is written, so every stored request carries the schema's defaults (`visibleTo`).
    return RequestDoc.parse((await this.requests.create(RequestDoc.parse(doc))).doc);
  }

  /** One point read: the id names its partition (src/domain/requests/request-id.ts). */
  async find(id: string): Promise<{ doc: RequestDoc; etag: string } | undefined> {
    const pk = partitionOfRequestId(id);
    if (pk === undefined) return undefined;
    const read = await this.requests.read(id, pk);
    if (!read) return undefined;
    return { doc: RequestDoc.parse(read.doc), etag: read.etag };
  }

  async get(id: string): Promise<RequestDoc> {
    const found = await this.find(id);
    if (!found) throw notFound("No such request.");
    return found.doc;
  }

  /**
   * Read, decide, write with If-Match; on a lost race, decide again on fresh state. `decide` may throw
   * (a DomainError, e.g. 409) to refuse, and then nothing is written. `current`: the request as the
   * caller read or wrote it moments ago, with its ETag, decided on first instead of a fresh read (if it
   * is stale the write fails its If-Match and the usual read follows). The answer's `etag` is the
   * written request's, for the caller's next write.
   */
  async update(
    id: string,
    decide: (doc: RequestDoc) => RequestDoc | Promise<RequestDoc>,
    current?: { doc: RequestDoc; etag: string },
  ): Promise<{ before: RequestDoc; after: RequestDoc; etag: string }> {
    let known = current?.doc.id === id ? current : undefined;
    for (let attempt = 1; ; attempt++) {
      const given = known;
      known = undefined;
      const found = given ?? (await this.find(id));
      if (!found) throw notFound("No such request.");
      let next: RequestDoc;
      try {
        next = await decide(structuredClone(found.doc));
      } catch (e) {
        // A refusal is only ever decided on the request as it is now, never on the caller's copy.
        if (given) continue;
        throw e;
      }
      const candidate = RequestDoc.parse({ ...next, version: found.doc.version + 1 });
      try {
        const written = await this.requests.replace(candidate, found.etag);
        return { before: found.doc, after: RequestDoc.parse(written.doc), etag: written.etag };
      } catch (e) {
        if (!(e instanceof PreconditionFailedError)) throw e;
        if (attempt >= MAX_ATTEMPTS) {
          throw new DomainError("conflict", "The request is being changed by someone else; try again.");
        }
      }
    }
  }

  /** Every request matching `where`, page by page (for timers and sweeps, not for HTTP answers). */
  async listAll(where: QuerySpec["where"] = []): Promise<RequestDoc[]> {
    return queryAll<RequestDoc>(this.requests, { where: where ?? [] });
  }

  /** The first request `spec` finds (its order's first), past empty pages; undefined when none. */
  async first(spec: Omit<QuerySpec, "continuationToken">): Promise<RequestDoc | undefined> {
    return queryFirst<RequestDoc>(this.requests, spec);
  }

  async list(spec: QuerySpec) {
    return this.requests.query(spec);
  }

  /**
   * One open request per kind and subject, race-free: a slot document `open:<kind>` in the subject's
   * partition names the open request. Returns the open request's id when the slot is taken. Only a
   * request whose requester proved control of the subject holds the slot: one still waiting for its
   * code (a stranger's filing, say) never stands in the way of the person who holds the channel.
   */
  async claimOpenSlot(pk: string, kind: RequestKind, requestId: string): Promise<string | undefined> {
    const slot: OpenSlot = { id: `open:${kind}`, pk, docType: "open-slot", requestId };
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      try {
        await this.openSlots.create(slot);
        return undefined;
      } catch (e) {
        if (!(e instanceof AlreadyExistsError)) throw e;
      }
      const held = await this.openSlots.read(slot.id, pk);
      if (!held) continue;
      if (held.doc.requestId === requestId) return undefined;
      const holder = await this.requests.read(held.doc.requestId, pk);
      const status = holder ? RequestDoc.parse(holder.doc).status : undefined;
      if (status && isOpen(status) && status !== "pending_verification") return held.doc.requestId;
      // The holder closed (or never got written): take the slot over, guarded by its ETag.
      try {
        await this.openSlots.replace(slot, held.etag);
        return undefined;
      } catch (e) {
        if (!(e instanceof PreconditionFailedError)) throw e;
      }
    }
    throw new DomainError("conflict", "Another request for this subject is being created; try again.");
  }

  async releaseOpenSlot(pk: string, kind: RequestKind, requestId: string): Promise<void> {
    const held = await this.openSlots.read(`open:${kind}`, pk);
    if (held && held.doc.requestId === requestId) {
      await this.openSlots.delete(`open:${kind}`, pk, held.etag).catch((e: unknown) => {
        if (!(e instanceof PreconditionFailedError)) throw e;
      });
    }
  }

  /** The request documents as a store, for queries of shapes the methods above do not make. */
  collection(): TypedStore<RequestDoc> {
    return this.requests;
  }
}
