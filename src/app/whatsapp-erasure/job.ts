import { z } from "zod";
import { DomainError } from "../../domain/errors";
import type { RequestDoc } from "../../domain/requests/model";
import { anonymised } from "../../domain/inventory/anonymisation";
import { recordBlobs } from "../../domain/inventory/record-actions";
import { getPath } from "../../domain/inventory/record-path";
import { addRefused, RefusedReference } from "../../domain/storage/record-references";
import { keyedHash } from "../../domain/subject";
import {
  AlreadyExistsError,
  type DocumentCollection,
  PreconditionFailedError,
} from "../../ports/document-store";
import type { AppContext } from "../context";
import { auditRefusals } from "../export";
import { AuditLog } from "../audit";
import { firstNonEmptyPage } from "../util";
import { forEachLimit } from "../util";
import {
  type ErasureOutcome,
  type ErasurePlan,
  type ErasureTarget,
  erasurePlan,
  targetAnonymisation,
} from "./plan";
import { recordForTenant } from "./tenant-record";
import { platformRecords } from "../stores";

/** Records per chunk (one write-ahead and one commit checkpoint each); deletes in flight per chunk. */
export const ERASURE_CHUNK = 100;
export const ERASURE_CONCURRENCY = 16;

const Outcome = z.enum(["deleted", "anonymised", "routed"]);

const CategoryProgress = z
  .object({
    action: Outcome,
    /** Records deleted, anonymised or (routed) left to the account flow: each counted exactly once. */
    count: z.number().int(),
    done: z.boolean(),
    /** Its audit event is written (after done; a crash in between may write it twice, never not at all). */
    audited: z.boolean(),
  })
  .strict();

/**
 * The chunk being applied, written before anything in it is touched (write-ahead): a crash in the
 * middle of a chunk is finished on resume from this list, since the deleted or anonymised records can
 * no longer be found by the number's hash. Ids and tenant ids only, no personal data.
 */
const PendingChunk = z
  .object({
    seq: z.number().int(),
    category: z.string(),
    records: z.array(z.object({ id: z.string(), tenantId: z.string() }).strict()),
    blobs: z.array(
      z
        .object({ category: z.string(), container: z.string(), name: z.string(), tenantId: z.string() })
        .strict(),
    ),
    /** References on the chunk's records into another tenant's storage: counted, never followed. */
    refused: z
      .array(
        z
          .object({ category: z.string(), field: z.string(), tenantId: z.string(), count: z.number().int() })
          .strict(),
      )
      .default([]),
  })
  .strict();
type PendingChunk = z.infer<typeof PendingChunk>;

/**
 * The checkpoint of one WhatsApp-number erasure (`jobs`, id `whatsapp-erasure:<requestId>`, partition
 * the request's `wa:<hash>`): per category a done flag and a count, the affected tenants as a count and
 * a list of keyed hashes (never their ids), and the chunk in flight. Every write is ETag-guarded, so two
 * runs of the same job (a retry racing a slow original) cannot both advance it.
 */
export const WhatsAppErasureJob = z
  .object({
    id: z.string(),
    pk: z.string(),
    docType: z.literal("whatsapp-erasure-job"),
    requestId: z.string(),
    numberHash: z.string(),
    startedAt: z.string(),
    updatedAt: z.string(),
    finishedAt: z.string().optional(),
    runs: z.number().int(),
    categories: z.record(z.string(), CategoryProgress),
    tenants: z.object({ count: z.number().int(), hashes: z.array(z.string()) }).strict(),
    routedToAccountFlow: z.boolean(),
    nextChunk: z.number().int(),
    pending: PendingChunk.optional(),
    /**
     * Per blob category and record field, the references refused (another tenant's storage, a path
     * that climbs out): left in place, not counted as deleted. Counts only.
     */
    refusedReferences: z.array(RefusedReference).default([]),
  })
  .strict();
export type WhatsAppErasureJob = z.infer<typeof WhatsAppErasureJob>;

export const erasureJobId = (requestId: string) => `whatsapp-erasure:${requestId}`;

const jobs = (app: AppContext) => app.stores.whatsappErasureJobs;
const platform = (app: AppContext, container: string) => platformRecords(app, container);

/** Tenants are listed on the checkpoint by keyed hash: countable and de-duplicable, not readable. */
export const tenantHash = (app: AppContext, tenantId: string) =>
  keyedHash(app.keys.hash, `erasure-tenant:${tenantId}`);

/** The checkpoint in memory with the ETag it was read or written at. */
class Checkpoint {
  constructor(
    private readonly app: AppContext,
    public job: WhatsAppErasureJob,
    private etag: string,
  ) {}

  static async open(app: AppContext, request: RequestDoc, numberHash: string, plan: ErasurePlan) {
    const coll = jobs(app);
    const id = erasureJobId(request.id);
    const now = app.ports.clock.now().toISOString();
    const existing = await coll.read<WhatsAppErasureJob>(id, request.pk);
    if (existing) {
      const cp = new Checkpoint(app, WhatsAppErasureJob.parse(existing.doc), existing.etag);
      // Finished: a re-run changes nothing, not even the checkpoint.
      if (!cp.job.finishedAt) await cp.save({ runs: cp.job.runs + 1 });
      return cp;
    }
    const job: WhatsAppErasureJob = {
      id,
      pk: request.pk,
      docType: "whatsapp-erasure-job",
      requestId: request.id,
      numberHash,
      startedAt: now,
      updatedAt: now,
      runs: 1,
      categories: Object.fromEntries(
        plan.categories.map((c) => [
          c.category,
          { action: c.outcome, count: 0, done: false, audited: false },
        ]),
      ),
      tenants: { count: 0, hashes: [] },
      routedToAccountFlow: false,
      nextChunk: 1,
      refusedReferences: [],
    };
    try {
      const created = await coll.create(job);
      return new Checkpoint(app, job, created.etag);
    } catch (e) {
      if (!(e instanceof AlreadyExistsError)) throw e;
      // Another run created it a moment ago: that run owns the job.
      throw new DomainError("conflict", "This erasure is already running.");
    }
  }

  async save(change: Partial<WhatsAppErasureJob>): Promise<void> {
    const next = WhatsAppErasureJob.parse({
      ...this.job,
      ...change,
      updatedAt: this.app.ports.clock.now().toISOString(),
    });
    if (next.pending === undefined) delete next.pending;
    try {
      const written = await jobs(this.app).replace(next, this.etag);
      this.job = next;
      this.etag = written.etag;
    } catch (e) {
      if (e instanceof PreconditionFailedError) {
        throw new DomainError(
          "conflict",
          "Another run of this erasure moved its checkpoint; this run stops.",
        );
      }
      throw e;
    }
  }
}

interface Found {
  id: string;
  tenantId: string;
  doc: Record<string, unknown>;
}

/**
 * One page of the records of a target that still carry the number's hash: a parameterised equality on
 * the hash field, without a partition key (one cross-partition query). Cosmos serves `field = @p` from
 * its index, so the cost (request units and pages) grows with the matches, not with the tenants or the
 * size of the container; infra must keep these hash paths in the indexing policy (range index on
 * `/contactHash/?`, `/subjectHash/?`, `/displayPhoneHash/?`; no composite index is needed for an
 * equality without ORDER BY). Handled records no longer match (deleted, or their hash removed), so
 * every page is asked from the start and the loop ends when none is left: the first page that holds any,
 * past empty pages (Cosmos gives those in Azure), so no items means none is left, not one empty page.
 */
async function findPage(app: AppContext, target: ErasureTarget, numberHash: string, limit: number) {
  const page = await firstNonEmptyPage<{ id: string } & Record<string, unknown>>(
    platform(app, target.container),
    {
      where: [{ field: target.hashField, op: "=", value: numberHash }],
      select: [target.tenantField, ...target.blobs.map((b) => b.field)],
      limit,
    },
  );
  const items: Found[] = [];
  for (const doc of page.items) {
    const tenantId = getPath(doc, target.tenantField);
    if (typeof tenantId !== "string") {
      throw new Error(`${target.category} record without a tenant id: the inventory's tenantField is wrong`);
    }
    items.push({ id: doc.id, tenantId, doc });
  }
  return { items, more: page.more };
}

/**
 * Anonymises one record in place, as the inventory decides (src/domain/inventory/record-actions.ts): the
 * configured fields and the hash go, the lists of the blobs deleted before this write are emptied (nor
 * does the record keep a refused blob of another tenant), the rest (billing) stays.
 */
async function anonymiseRecord(
  app: AppContext,
  coll: DocumentCollection,
  target: ErasureTarget & { action: { type: "anonymise" } },
  numberHash: string,
  ref: { id: string; tenantId: string },
): Promise<void> {
  for (let attempt = 1; attempt <= 5; attempt++) {
    const found = await coll.read<{ id: string } & Record<string, unknown>>(ref.id, ref.tenantId);
    // Gone, or anonymised by an earlier run of this chunk: nothing to do.
    if (!found || getPath(found.doc, target.hashField) !== numberHash) return;
    const doc = anonymised(found.doc, targetAnonymisation(app.inventory, target, app.ports.clock.now()));
    try {
      await coll.replace(doc, found.etag);
      return;
    } catch (e) {
      if (!(e instanceof PreconditionFailedError)) throw e;
      // The platform changed the record meanwhile: read it again and anonymise that.
    }
  }
  throw new DomainError("conflict", `A ${target.category} record kept changing; try again.`);
}

/**
 * Applies one chunk: its blobs first (their names live on the records), then the records, then each
 * affected tenant's record. Every step is idempotent, so replaying a chunk after a crash is safe.
 */
async function applyChunk(
  app: AppContext,
  target: ErasureTarget,
  numberHash: string,
  requestId: string,
  chunk: PendingChunk,
): Promise<void> {
  await forEachLimit(chunk.blobs, ERASURE_CONCURRENCY, async (b) => {
    await app.ports.blobs.delete(b.container, b.name);
  });
  const coll = platform(app, target.container);
  const action = target.action;
  if (action.type === "delete") {
    await forEachLimit(chunk.records, ERASURE_CONCURRENCY, async (r) => {
      await coll.delete(r.id, r.tenantId);
    });
  } else if (action.type === "anonymise") {
    const anonymising = { ...target, action };
    await forEachLimit(chunk.records, ERASURE_CONCURRENCY, async (r) => {
      await anonymiseRecord(app, coll, anonymising, numberHash, r);
    });
  }
  const outcome: ErasureOutcome = action.type === "delete" ? "deleted" : "anonymised";
  const perTenant = new Map<string, Record<string, { action: ErasureOutcome; count: number }>>();
  const add = (tenantId: string, category: string, a: ErasureOutcome) => {
    const counts = perTenant.get(tenantId) ?? {};
    counts[category] = { action: a, count: (counts[category]?.count ?? 0) + 1 };
    perTenant.set(tenantId, counts);
  };
  for (const r of chunk.records) add(r.tenantId, target.category, outcome);
  for (const b of chunk.blobs) add(b.tenantId, b.category, "deleted");
  const refusedOf = new Map<string, RefusedReference[]>();
  for (const r of chunk.refused) {
    refusedOf.set(r.tenantId, addRefused(refusedOf.get(r.tenantId) ?? [], r.category, r.field, r.count));
  }
  for (const [tenantId, counts] of perTenant) {
    const refused = refusedOf.get(tenantId) ?? [];
    await recordForTenant(app, { tenantId, requestId, numberHash, chunk: chunk.seq, counts, refused });
  }
}

/** Counts the chunk into the checkpoint and clears it: the commit that follows the write-ahead. */
async function commitChunk(cp: Checkpoint, app: AppContext, chunk: PendingChunk, lastOfCategory: boolean) {
  const categories = structuredClone(cp.job.categories);
  const bump = (category: string, n: number) => {
    const c = categories[category];
    if (c) c.count += n;
  };
  bump(chunk.category, chunk.records.length);
  for (const b of chunk.blobs) bump(b.category, 1);
  if (lastOfCategory) {
    for (const name of [chunk.category, ...new Set(chunk.blobs.map((b) => b.category))]) {
      const c = categories[name];
      if (c) c.done = true;
    }
  }
  const hashes = new Set(cp.job.tenants.hashes);
  for (const r of [...chunk.records, ...chunk.blobs]) hashes.add(tenantHash(app, r.tenantId));
  let refusedReferences = cp.job.refusedReferences;
  for (const r of chunk.refused) {
    refusedReferences = addRefused(refusedReferences, r.category, r.field, r.count);
  }
  await cp.save({
    categories,
    refusedReferences,
    tenants: { count: hashes.size, hashes: [...hashes].sort() },
    nextChunk: Math.max(cp.job.nextChunk, chunk.seq + 1),
    pending: undefined,
  });
}

async function markDone(cp: Checkpoint, target: ErasureTarget) {
  const categories = structuredClone(cp.job.categories);
  for (const name of [target.category, ...target.blobs.map((b) => b.category)]) {
    const c = categories[name];
    if (c) c.done = true;
  }
  await cp.save({ categories });
}

async function eraseTarget(app: AppContext, cp: Checkpoint, target: ErasureTarget, numberHash: string) {
  for (;;) {
    const { items, more } = await findPage(app, target, numberHash, ERASURE_CHUNK);
    if (items.length === 0) return markDone(cp, target);
    const chunk: PendingChunk = {
      seq: cp.job.nextChunk,
      category: target.category,
      records: items.map((i) => ({ id: i.id, tenantId: i.tenantId })),
      blobs: [],
      refused: [],
    };
    // A record's references are followed only into its own tenant's storage (the partition it is in).
    for (const i of items) {
      for (const { link: b, own, refused } of recordBlobs(i.tenantId, target.blobs, i.doc)) {
        for (const name of own) {
          chunk.blobs.push({ category: b.category, container: b.container, name, tenantId: i.tenantId });
        }
        if (refused > 0) {
          chunk.refused.push({ category: b.category, field: b.field, tenantId: i.tenantId, count: refused });
        }
      }
    }
    await cp.save({ pending: chunk });
    await applyChunk(app, target, numberHash, cp.job.requestId, chunk);
    // A last page (no continuation) needs no further query to know the category is done.
    await commitChunk(cp, app, chunk, !more && items.length < ERASURE_CHUNK);
    if (!more && items.length < ERASURE_CHUNK) return;
  }
}

/**
 * A number that is an account holder's own WhatsApp identifier: those records are the account's, so
 * they are counted and reported (certificate, request, audit) and left to the account-deletion flow,
 * which only the account owner can start (Account Deletion Policy §2). Never half-deleted here.
 */
async function routeTarget(app: AppContext, cp: Checkpoint, target: ErasureTarget, numberHash: string) {
  const count = await platform(app, target.container).count({
    where: [{ field: target.hashField, op: "=", value: numberHash }],
  });
  const categories = structuredClone(cp.job.categories);
  categories[target.category] = { action: "routed", count, done: true, audited: false };
  await cp.save({ categories, routedToAccountFlow: cp.job.routedToAccountFlow || count > 0 });
}

/**
 * Executes the inventory for one WhatsApp number across every tenant (Data Deletion Instructions
 * §1–§3): chunk by chunk, checkpointed in `jobs`, so a crash or a timeout resumes where it stopped and
 * a re-run converges on the same end state (and is a no-op once the job has finished).
 */
export async function runWhatsAppErasureJob(
  app: AppContext,
  request: RequestDoc,
  step: (name: string) => void = () => {},
): Promise<WhatsAppErasureJob> {
  if (request.scope.type !== "whatsapp_number") {
    throw new DomainError("invalid", "Not a WhatsApp-number erasure request.");
  }
  const numberHash = request.scope.numberHash;
  const plan = erasurePlan(app.inventory);
  const cp = await Checkpoint.open(app, request, numberHash, plan);
  if (cp.job.finishedAt) return cp.job;
  const audit = new AuditLog(app);

  // A chunk that was in flight when the last run stopped is finished first.
  const pending = cp.job.pending;
  if (pending) {
    const target = plan.targets.find((t) => t.category === pending.category);
    if (!target)
      throw new Error(`the checkpoint names ${pending.category}, which the inventory no longer erases`);
    step(`erase:${target.category}`);
    await applyChunk(app, target, numberHash, request.id, pending);
    await commitChunk(cp, app, pending, false);
  }

  for (const target of plan.targets) {
    const names = [target.category, ...target.blobs.map((b) => b.category)];
    if (!cp.job.categories[target.category]?.done) {
      step(`erase:${target.category}`);
      if (target.action.type === "route_to_account_flow") await routeTarget(app, cp, target, numberHash);
      else await eraseTarget(app, cp, target, numberHash);
    }
    if (!cp.job.categories[target.category]?.audited) {
      step(`audit:${target.category}`);
      // Counts only: the number, the tenants and the record ids stay out of the audit trail.
      await audit.append(request.id, {
        actor: { kind: "system" },
        action: "whatsapp_erasure_category",
        data: {
          categories: Object.fromEntries(
            names.map((n) => [
              n,
              { action: cp.job.categories[n]!.action, count: cp.job.categories[n]!.count },
            ]),
          ),
        },
      });
      await auditRefusals(
        app,
        request.id,
        cp.job.refusedReferences.filter((r) => names.includes(r.category)),
      );
      const categories = structuredClone(cp.job.categories);
      for (const n of names) if (categories[n]) categories[n].audited = true;
      await cp.save({ categories });
    }
  }
  await cp.save({ finishedAt: app.ports.clock.now().toISOString() });
  return cp.job;
}

export async function readWhatsAppErasureJob(app: AppContext, request: RequestDoc) {
  const found = await jobs(app).read<WhatsAppErasureJob>(erasureJobId(request.id), request.pk);
  return found ? WhatsAppErasureJob.parse(found.doc) : undefined;
}
