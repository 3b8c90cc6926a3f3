import { PreconditionFailedError } from "../../ports/document-store";
import type { AppContext } from "../context";

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

export const jobs = (app: AppContext) => app.stores.purgeJobs;

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
