import { randomUUID } from "node:crypto";
import { errorClass, type Logger, type SafeId, safeId, silentLogger } from "../../ports/logger";
import type { AppContext } from "../context";

/**
 * What a reconcile or sweep run did, kept for staff (GET /api/v1/operations/runs): its counts, and for each
 * item that failed which item (ids only), at which step, with what class of error, and when. One document
 * per run in `jobs`, partition `runs` (docs/cosmos-queries.md), expiring after RUN_RECORD_DAYS
 * (docs/own-records.md). Never a message, a number or an address: ids, step names and error classes only.
 */

export const RUNS_PARTITION = "runs";
/** How long a run record stays: long enough to see a failure that repeats across a quarter's runs. */
export const RUN_RECORD_DAYS = 90;
/** Failures kept per record; more are counted (`failuresOmitted`), so one bad hour cannot outgrow a document. */
export const MAX_FAILURES_KEPT = 100;
export const RUN_ID = /^run-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The work failed and said so on the request itself (`failure`, with its step) rather than throwing: its
 * class in a run record, so staff find the request and read the step there.
 */
export class FailureRecordedOnRequest extends Error {
  constructor() {
    super("the failure is recorded on the request");
    this.name = "FailureRecordedOnRequest";
  }
}

/** Which item failed: the ids that find it again, nothing else. */
export interface FailedItem {
  requestId?: string;
  jobId?: string;
  tenantId?: string;
  setId?: string;
  breachId?: string;
}

export interface RunFailure {
  /** The item's ids, each checked by `safeId` as it is kept. */
  item: { [K in keyof FailedItem]?: SafeId };
  step: SafeId;
  errorClass: SafeId;
  at: string;
}

export interface RunDoc {
  id: string;
  pk: typeof RUNS_PARTITION;
  docType: "run";
  /** The run's name: the timer that runs it (`reconcileAccountPurges`, `retentionSweep`…). */
  kind: string;
  invocationId?: string;
  startedAt: string;
  finishedAt: string;
  counts: Record<string, number>;
  /** Items that failed (so `?failed=true` is one indexed comparison). */
  failed: number;
  failures: RunFailure[];
  failuresOmitted: number;
  /** Cosmos per-item TTL in seconds (the container has TTL on, per item). */
  ttl: number;
}

/** Numbers of a report, flattened: `{found: {a: 1}}` → `{"found.a": 1}`; anything else is left out. */
function numbers(report: object, prefix = ""): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(report)) {
    if (typeof v === "number") out[`${prefix}${k}`] = v;
    else if (v && typeof v === "object" && !Array.isArray(v))
      Object.assign(out, numbers(v, `${prefix}${k}.`));
  }
  return out;
}

/**
 * One run in progress. `fail` keeps a failed item and logs it (ids and class only); `finish` stores the record.
 * A failure is kept, never thrown: one item's trouble does not stop the others, and the next run tries again.
 */
export class Run {
  readonly id = `run-${randomUUID()}`;
  private readonly failures: RunFailure[] = [];
  private failedCount = 0;
  private readonly startedAt: Date;
  readonly log: Logger;

  constructor(
    private readonly app: AppContext,
    readonly kind: string,
    log: Logger = silentLogger,
    private readonly invocationId?: string,
  ) {
    this.startedAt = app.ports.clock.now();
    this.log = log.with({ runId: safeId(this.id) });
  }

  get failed(): number {
    return this.failedCount;
  }

  fail(item: FailedItem, step: string, e: unknown): void {
    this.failedCount++;
    const failure: RunFailure = {
      item: Object.fromEntries(Object.entries(item).map(([k, v]) => [k, safeId(String(v))])),
      step: safeId(step),
      errorClass: errorClass(e),
      at: this.app.ports.clock.now().toISOString(),
    };
    if (this.failures.length < MAX_FAILURES_KEPT) this.failures.push(failure);
    this.log.warn("item_failed", { step: failure.step, errorClass: failure.errorClass, ...failure.item });
  }

  /** Runs `work` for one item; a throw is kept as that item's failure at `step`, and gives undefined. */
  async attempt<T>(item: FailedItem, step: string, work: () => Promise<T>): Promise<T | undefined> {
    try {
      return await work();
    } catch (e) {
      this.fail(item, step, e);
      return undefined;
    }
  }

  /**
   * Stores the record with the report's counts and logs them. A run that found nothing and failed nothing
   * stores nothing unless `keepIdle` (its log line says it ran): an idle hour costs no write.
   */
  async finish(report: object, options: { keepIdle?: boolean } = {}): Promise<RunDoc | undefined> {
    const counts = numbers(report);
    this.log.info("run_finished", { kind: safeId(this.kind), counts, failed: this.failedCount });
    const idle = this.failedCount === 0 && Object.values(counts).every((n) => n === 0);
    if (idle && !options.keepIdle) return undefined;
    const doc: RunDoc = {
      id: this.id,
      pk: RUNS_PARTITION,
      docType: "run",
      kind: this.kind,
      ...(this.invocationId ? { invocationId: this.invocationId } : {}),
      startedAt: this.startedAt.toISOString(),
      finishedAt: this.app.ports.clock.now().toISOString(),
      counts,
      failed: this.failedCount,
      failures: this.failures,
      failuresOmitted: this.failedCount - this.failures.length,
      ttl: RUN_RECORD_DAYS * 86_400,
    };
    try {
      await this.app.stores.runs.create(doc);
    } catch (e) {
      // The run's work is done either way; a record that could not be written is logged, not thrown.
      this.log.error("run_record_not_stored", { errorClass: errorClass(e) });
      return undefined;
    }
    return doc;
  }
}

/** How a use case is told about its run: who logs, and under which invocation. */
export interface RunOptions {
  log?: Logger;
  invocationId?: string;
}

export const startRun = (app: AppContext, kind: string, options: RunOptions = {}): Run =>
  new Run(app, kind, options.log, options.invocationId);
