import { decide, type EntryDecision } from "../../domain/inventory/record-actions";
import type { InventoryEntry } from "../../domain/inventory/schema";
import type { RequestDoc } from "../../domain/requests/model";
import { AlreadyExistsError } from "../../ports/document-store";
import type { AppContext } from "../context";
import {
  type CategoryOutcome,
  jobs,
  PURGE_TUNING,
  type PurgeJob,
  PurgeRun,
  PurgeTakenOverError,
  type PurgeTuning,
} from "./purge-run";
import { purgeCategory } from "./purge-steps";

export {
  type CategoryOutcome,
  PURGE_CONCURRENCY,
  type PurgeJob,
  PurgeTakenOverError,
  type PurgeTuning,
} from "./purge-run";
import { tenantPartition } from "../../domain/storage/partition-keys";

const OUTCOME: Record<EntryDecision["type"], CategoryOutcome["action"] | undefined> = {
  delete: "deleted",
  anonymise: "anonymised",
  retain: "retained",
  forfeit: "forfeited",
  none: undefined,
  route_to_account_flow: undefined,
};

function initialOutcome(app: AppContext, entry: InventoryEntry): CategoryOutcome {
  const decision = decide(app.inventory, entry, "account_purge", app.ports.clock.now());
  const retention =
    decision.type === "anonymise" || decision.type === "retain" ? decision.retention : undefined;
  return {
    action: OUTCOME[decision.type]!,
    processed: 0,
    done: false,
    ...(retention ? { retention: { duration: retention.duration, basis: retention.basis } } : {}),
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
  const existing = await jobs(app).read<PurgeJob>(id, tenantPartition(tenantId));
  if (existing) {
    const run = new PurgeRun(app, existing.doc, existing.etag, tuning);
    run.job.runs += 1;
    for (const entry of app.inventory) run.job.categories[entry.category] ??= initialOutcome(app, entry);
    await run.save();
    return run;
  }
  const job: PurgeJob = {
    id,
    pk: tenantPartition(tenantId),
    docType: "purge-job",
    requestId: request.id,
    tenantId,
    startedAt: now,
    updatedAt: now,
    runs: 1,
    categories: Object.fromEntries(app.inventory.map((e) => [e.category, initialOutcome(app, e)])),
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
  return (await jobs(app).read<PurgeJob>(`purge:${requestId}`, tenantPartition(tenantId)))?.doc;
}
