import type { InventoryEntry } from "../../domain/inventory/schema";
import type { RequestDoc } from "../../domain/requests/model";
import { AlreadyExistsError, PreconditionFailedError } from "../../ports/document-store";
import type { AppContext } from "../context";
import { purgeCategory } from "./purge-steps";

/** What the purge did to one category: the certificate's line for it. */
export interface CategoryOutcome {
  action: "deleted" | "anonymised" | "retained" | "forfeited";
  /**
   * The records this purge took on, counted as it goes: a chunk is counted by the checkpoint written
   * before anything is done to it (with its ids in `pending`), so a crash can neither lose it nor, since a
   * resumed run acts on `pending` again without counting it, count it twice. Retained: how many are kept.
   */
  processed: number;
  /**
   * The ids (blob names) of the chunk this checkpoint was written for, already counted in `processed`; a
   * run that resumes acts on them again first (every step is a no-op on a record already handled). Gone
   * once the category is done.
   */
  pending?: string[];
  /**
   * When the tenant's whole partition was handed to Cosmos to delete (delete-by-partition-key): counted
   * just before, and done once a count of the partition reads 0, so nothing is called deleted that is
   * still there.
   */
  partitionDeleteAt?: string;
  done: boolean;
  retention?: { duration: string; basis: string };
  forfeitedAmount?: number;
  /** Jobs opened before counts were taken as the purge goes: the records held when it began. */
  before?: number;
}

/**
 * The checkpoint of one account purge (`jobs`, `purge:<requestId>`): per category how far it got. A
 * crash resumes at the first unfinished category, and every step is a no-op on records already handled,
 * so a re-run converges to the same end state. Written only under the ETag this run last read or wrote:
 * a second run of the same purge (a duplicate delivery, reconciliation resuming a slow one) takes the
 * job over when it opens it, and the first stops at its next checkpoint instead of counting beside it.
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

/** Deletes (and patches) in flight against one store. */
export const PURGE_CONCURRENCY = 16;

export interface PurgeTuning {
  /** Records per checkpoint: what a crash can leave half done, and what a resumed run acts on again. */
  chunk: number;
  /** Ids (blob names) asked of a store per listing, then taken a chunk at a time: fewer queries, memory bounded. */
  listPage: number;
  concurrency: number;
  /** After a partition delete, the wait (ms) before each count of what is left; then this run gives up. */
  partitionPollsMs: readonly number[];
  wait(ms: number): Promise<void>;
}

export const PURGE_TUNING: PurgeTuning = {
  chunk: 1000,
  listPage: 10_000,
  concurrency: PURGE_CONCURRENCY,
  // About two minutes in all, far below the 15 minutes after which reconciliation takes a purge for dead.
  partitionPollsMs: [0, 250, 500, 1000, 2000, 4000, 8000, 15_000, 30_000, 60_000],
  wait: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Another run of the same purge wrote the job since this one did: that run goes on, this one stops. */
export class PurgeTakenOverError extends Error {
  constructor() {
    super("another run of this purge has taken its job over");
    this.name = "PurgeTakenOverError";
  }
}

const jobs = (app: AppContext) => app.ports.documents.collection("service", "jobs");

/** One run of a purge job: the job as this run last wrote it, and the ETag that says nobody wrote since. */
export class PurgeRun {
  constructor(
    readonly app: AppContext,
    readonly job: PurgeJob,
    private etag: string,
    readonly tuning: PurgeTuning,
  ) {}

  get tenantId() {
    return this.job.tenantId;
  }

  state(category: string): CategoryOutcome {
    return this.job.categories[category]!;
  }

  /** Changes a category's line here only: it is written with the next {@link save}. */
  set(category: string, change: Partial<CategoryOutcome>): void {
    const next: CategoryOutcome = { ...this.state(category), ...change };
    if (next.pending === undefined || next.pending.length === 0) delete next.pending;
    this.job.categories[category] = next;
  }

  async save(): Promise<void> {
    this.job.updatedAt = this.app.ports.clock.now().toISOString();
    try {
      this.etag = (await jobs(this.app).replace(this.job, this.etag)).etag;
    } catch (e) {
      if (e instanceof PreconditionFailedError) throw new PurgeTakenOverError();
      throw e;
    }
  }

  async checkpoint(category: string, change: Partial<CategoryOutcome>): Promise<void> {
    this.set(category, change);
    await this.save();
  }
}

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

function initialOutcome(entry: InventoryEntry): CategoryOutcome {
  const action = entry.onAccountPurge;
  return {
    action: outcomeAction(entry),
    processed: 0,
    done: false,
    ...(action.type === "anonymise"
      ? { retention: { duration: action.thenRetain.duration, basis: action.thenRetain.basis } }
      : action.type === "retain"
        ? { retention: { duration: action.retention.duration, basis: action.retention.basis } }
        : {}),
  };
}

/** Blobs (named by tenant prefix) go first, the account record itself last. */
function purgeOrder(inventory: InventoryEntry[]): InventoryEntry[] {
  const rank = (e: InventoryEntry) => (e.store.kind === "blob" ? 0 : e.category === "account" ? 2 : 1);
  return [...inventory].sort((a, b) => rank(a) - rank(b));
}

/** Opens (or takes over) the job: nothing is counted up front, each category counts as it goes. */
async function openJob(
  app: AppContext,
  request: RequestDoc,
  tenantId: string,
  tuning: PurgeTuning,
): Promise<PurgeRun> {
  const id = `purge:${request.id}`;
  const now = app.ports.clock.now().toISOString();
  const existing = await jobs(app).read<PurgeJob>(id, `tenant:${tenantId}`);
  if (existing) {
    const run = new PurgeRun(app, existing.doc, existing.etag, tuning);
    run.job.runs += 1;
    for (const entry of app.inventory) run.job.categories[entry.category] ??= initialOutcome(entry);
    await run.save();
    return run;
  }
  const job: PurgeJob = {
    id,
    pk: `tenant:${tenantId}`,
    docType: "purge-job",
    requestId: request.id,
    tenantId,
    startedAt: now,
    updatedAt: now,
    runs: 1,
    categories: Object.fromEntries(app.inventory.map((e) => [e.category, initialOutcome(e)])),
  };
  try {
    return new PurgeRun(app, job, (await jobs(app).create(job)).etag, tuning);
  } catch (e) {
    if (e instanceof AlreadyExistsError) throw new PurgeTakenOverError();
    throw e;
  }
}

/**
 * Executes the inventory for a tenant (Account Deletion §3–§4): delete, anonymise-and-retain, retain
 * or forfeit, category by category, chunk by chunk, with bounded concurrency. Throws
 * {@link PurgeTakenOverError} when another run of the same purge holds the job.
 */
export async function runPurgeJob(
  app: AppContext,
  request: RequestDoc,
  tenantId: string,
  step: (name: string) => void = () => {},
  tuning: PurgeTuning = PURGE_TUNING,
): Promise<PurgeJob> {
  const run = await openJob(app, request, tenantId, tuning);
  for (const entry of purgeOrder(app.inventory)) {
    if (run.state(entry.category).done) continue;
    step(`purge:${entry.category}`);
    await purgeCategory(run, entry);
    // Written with the next checkpoint: a crash before it finds nothing left to do here and says done again.
    run.set(entry.category, { done: true, pending: [] });
  }
  run.job.finishedAt ??= app.ports.clock.now().toISOString();
  await run.save();
  return run.job;
}

/**
 * How many records a category's action covered: counted as the purge went (see
 * {@link CategoryOutcome.processed}); for a job opened before that, at least those held when it began.
 */
export const recordsHandled = (o: CategoryOutcome) => Math.max(o.before ?? 0, o.processed);

export async function readPurgeJob(app: AppContext, requestId: string, tenantId: string) {
  return (await jobs(app).read<PurgeJob>(`purge:${requestId}`, `tenant:${tenantId}`))?.doc;
}
