import { addDuration } from "../../domain/duration";
import type { InventoryEntry } from "../../domain/inventory/schema";
import type { RequestDoc } from "../../domain/requests/model";
import type { Condition } from "../../ports/document-store";
import type { AppContext } from "../context";
import { firstNonEmptyPage } from "../util/paging";
import { forEachLimit } from "../util/pool";
import {
  type BlobEntry,
  type CosmosEntry,
  countTenantRecords,
  isCosmos,
  platformCollection,
  type RecordRef,
  tenantBlobPrefix,
} from "./tenant-records";

/**
 * The ids of a tenant's next batch of records in an entry (its partition), asked from the start: the
 * first page that holds any, past empty pages, so `[]` means none is left (not "one page was empty",
 * which Cosmos gives in Azure). `where` narrows it, e.g. to records not yet anonymised.
 */
async function nextTenantRecords(
  app: AppContext,
  entry: CosmosEntry,
  tenantId: string,
  limit: number,
  where: Condition[] = [],
): Promise<RecordRef[]> {
  const page = await firstNonEmptyPage(platformCollection(app, entry), {
    partitionKey: tenantId,
    where,
    select: [],
    limit,
  });
  return page.items.map((d) => ({ id: d.id, pk: tenantId }));
}

/** What the purge did to one category: the certificate's line for it. */
export interface CategoryOutcome {
  action: "deleted" | "anonymised" | "retained" | "forfeited";
  before: number;
  processed: number;
  done: boolean;
  retention?: { duration: string; basis: string };
  forfeitedAmount?: number;
}

/**
 * The checkpoint of one account purge (`jobs`, `purge:<requestId>`): counts taken before anything was
 * touched, then per category how far it got. A crash resumes at the first unfinished category, and
 * every step is a no-op on records already handled, so a re-run converges to the same end state.
 */
export interface PurgeJob {
  id: string;
  pk: string;
  docType: "purge-job";
  requestId: string;
  tenantId: string;
  startedAt: string;
  updatedAt: string;
  runs: number;
  categories: Record<string, CategoryOutcome>;
  finishedAt?: string;
}

/** Records per chunk: one checkpoint each. Concurrency: deletes in flight against one store. */
export const PURGE_CHUNK = 100;
export const PURGE_CONCURRENCY = 16;

const jobs = (app: AppContext) => app.ports.documents.collection("service", "jobs");

const outcomeAction = (entry: InventoryEntry): CategoryOutcome["action"] => {
  switch (entry.onAccountPurge.type) {
    case "delete":
      return "deleted";
    case "anonymise":
      return "anonymised";
    case "retain":
      return "retained";
    case "forfeit":
      return "forfeited";
  }
};

/** Blobs (named by tenant prefix) go first, the account record itself last. */
function purgeOrder(inventory: InventoryEntry[]): InventoryEntry[] {
  const rank = (e: InventoryEntry) => (e.store.kind === "blob" ? 0 : e.category === "account" ? 2 : 1);
  return [...inventory].sort((a, b) => rank(a) - rank(b));
}

async function openJob(app: AppContext, request: RequestDoc, tenantId: string): Promise<PurgeJob> {
  const id = `purge:${request.id}`;
  const pk = `tenant:${tenantId}`;
  const existing = await jobs(app).read<PurgeJob>(id, pk);
  const now = app.ports.clock.now().toISOString();
  if (existing) {
    const job = { ...existing.doc, runs: existing.doc.runs + 1, updatedAt: now };
    await jobs(app).upsert(job);
    return job;
  }
  const categories: PurgeJob["categories"] = {};
  for (const entry of app.inventory) {
    const action = entry.onAccountPurge;
    categories[entry.category] = {
      action: outcomeAction(entry),
      before: await countTenantRecords(app, entry, tenantId),
      processed: 0,
      done: false,
      ...(action.type === "anonymise"
        ? { retention: { duration: action.thenRetain.duration, basis: action.thenRetain.basis } }
        : action.type === "retain"
          ? { retention: { duration: action.retention.duration, basis: action.retention.basis } }
          : {}),
    };
  }
  const job: PurgeJob = {
    id,
    pk,
    docType: "purge-job",
    requestId: request.id,
    tenantId,
    startedAt: now,
    updatedAt: now,
    runs: 1,
    categories,
  };
  await jobs(app).upsert(job);
  return job;
}

async function checkpoint(
  app: AppContext,
  job: PurgeJob,
  category: string,
  change: Partial<CategoryOutcome>,
) {
  const current = job.categories[category]!;
  job.categories[category] = { ...current, ...change };
  job.updatedAt = app.ports.clock.now().toISOString();
  await jobs(app).upsert(job);
}

/**
 * Deletes `items` with PURGE_CONCURRENCY in flight and no barrier between chunks (a barrier every 100
 * leaves the pipe half empty at each tail); every PURGE_CHUNK completions a checkpoint is written,
 * one at a time, beside the deletes.
 */
async function deleteCheckpointed<T>(
  app: AppContext,
  job: PurgeJob,
  category: string,
  items: T[],
  remove: (item: T) => Promise<unknown>,
): Promise<void> {
  let sinceCheckpoint = 0;
  let written = Promise.resolve();
  const flush = (n: number) => {
    written = written.then(() =>
      checkpoint(app, job, category, { processed: job.categories[category]!.processed + n }),
    );
    return written;
  };
  await forEachLimit(items, PURGE_CONCURRENCY, async (item) => {
    await remove(item);
    if (++sinceCheckpoint >= PURGE_CHUNK) {
      const n = sinceCheckpoint;
      sinceCheckpoint = 0;
      await flush(n);
    }
  });
  if (sinceCheckpoint > 0) await flush(sinceCheckpoint);
  await written;
}

/** Ids and names are fetched a page at a time: fewer queries and listings, same checkpoints. */
const ID_PAGE = 10 * PURGE_CHUNK;

/**
 * A tenant's blobs are found by listing its own prefix, never through the names its records hold: a
 * record that names another tenant's blob (or `<tenant>/../<other>/…`) leads nowhere here, and goes
 * with the record. A listed name cannot climb out either: the store holds no "."/".." segments (the
 * URL a blob is written through resolves them first).
 */
async function purgeBlobs(app: AppContext, job: PurgeJob, entry: BlobEntry): Promise<void> {
  const prefix = tenantBlobPrefix(job.tenantId);
  for (;;) {
    const names: string[] = [];
    for await (const blob of app.ports.blobs.list(entry.store.container, prefix)) {
      names.push(blob.name);
      if (names.length >= ID_PAGE) break;
    }
    if (names.length === 0) return;
    await deleteCheckpointed(app, job, entry.category, names, (name) =>
      app.ports.blobs.delete(entry.store.container, name),
    );
  }
}

async function deleteRecords(app: AppContext, job: PurgeJob, entry: CosmosEntry): Promise<void> {
  const coll = platformCollection(app, entry);
  for (;;) {
    // Always from the start: deleted records drop out, so no continuation token is needed (or trusted).
    const refs = await nextTenantRecords(app, entry, job.tenantId, ID_PAGE);
    if (refs.length === 0) return;
    await deleteCheckpointed(app, job, entry.category, refs, (r) => coll.delete(r.id, r.pk));
  }
}

async function forfeit(app: AppContext, job: PurgeJob, entry: CosmosEntry, amountField: string) {
  const coll = platformCollection(app, entry);
  let amount = job.categories[entry.category]!.forfeitedAmount ?? 0;
  for (;;) {
    // From the start each time (deleted records drop out); done when none is left, past empty pages.
    const page = await firstNonEmptyPage<{ id: string } & Record<string, unknown>>(coll, {
      partitionKey: job.tenantId,
      limit: PURGE_CHUNK,
    });
    if (page.items.length === 0) return;
    for (const doc of page.items) {
      const value = doc[amountField];
      if (typeof value === "number") amount += value;
    }
    // The amount is recorded before the records go, so a crash in between cannot lose it.
    await checkpoint(app, job, entry.category, { forfeitedAmount: amount });
    await forEachLimit(page.items, PURGE_CONCURRENCY, async (d) => {
      await coll.delete(d.id, job.tenantId);
    });
    await checkpoint(app, job, entry.category, {
      processed: job.categories[entry.category]!.processed + page.items.length,
    });
  }
}

async function anonymise(
  app: AppContext,
  job: PurgeJob,
  entry: CosmosEntry,
  fields: string[],
  retainFor: string,
  basis: string,
) {
  const coll = platformCollection(app, entry);
  const now = app.ports.clock.now();
  const retainUntil = addDuration(now, retainFor).toISOString();
  for (;;) {
    const refs = await nextTenantRecords(app, entry, job.tenantId, PURGE_CHUNK, [
      { field: "anonymisedAt", op: "undefined" },
    ]);
    if (refs.length === 0) return;
    await forEachLimit(refs, PURGE_CONCURRENCY, async (r) => {
      const doc = (await coll.read<{ id: string } & Record<string, unknown>>(r.id, r.pk))?.doc;
      if (!doc) return;
      const kept = Object.fromEntries(Object.entries(doc).filter(([k]) => !fields.includes(k)));
      await coll.upsert({
        ...kept,
        id: r.id,
        anonymisedAt: now.toISOString(),
        retainUntil,
        retentionBasis: basis,
      });
    });
    await checkpoint(app, job, entry.category, {
      processed: job.categories[entry.category]!.processed + refs.length,
    });
  }
}

/**
 * Executes the inventory for a tenant (Account Deletion §3–§4): delete, anonymise-and-retain, retain
 * or forfeit, category by category, chunk by chunk, with bounded concurrency.
 */
export async function runPurgeJob(
  app: AppContext,
  request: RequestDoc,
  tenantId: string,
  step: (name: string) => void = () => {},
): Promise<PurgeJob> {
  const job = await openJob(app, request, tenantId);
  for (const entry of purgeOrder(app.inventory)) {
    const state = job.categories[entry.category]!;
    if (state.done) continue;
    step(`purge:${entry.category}`);
    const action = entry.onAccountPurge;
    if (!isCosmos(entry)) {
      if (action.type !== "retain") await purgeBlobs(app, job, entry as BlobEntry);
    } else if (action.type === "delete") {
      await deleteRecords(app, job, entry);
    } else if (action.type === "forfeit") {
      await forfeit(app, job, entry, action.amountField);
    } else if (action.type === "anonymise") {
      await anonymise(app, job, entry, action.fields, action.thenRetain.duration, action.thenRetain.basis);
    }
    await checkpoint(app, job, entry.category, {
      done: true,
      ...(action.type === "retain" ? { processed: state.before } : {}),
    });
  }
  job.finishedAt ??= app.ports.clock.now().toISOString();
  await jobs(app).upsert(job);
  return job;
}

/**
 * How many records a category's action covered: those held when the purge began (every one of them is
 * gone or anonymised once the category is done: its loop ends on an empty page), or more if records
 * arrived later. A chunk interrupted by a crash is not counted twice, nor lost.
 */
export const recordsHandled = (o: CategoryOutcome) => Math.max(o.before, o.processed);

export async function readPurgeJob(app: AppContext, requestId: string, tenantId: string) {
  return (await jobs(app).read<PurgeJob>(`purge:${requestId}`, `tenant:${tenantId}`))?.doc;
}
