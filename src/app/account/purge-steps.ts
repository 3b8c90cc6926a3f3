import {
  type Anonymisation,
  anonymisationPaths,
  anonymisePatches,
} from "../../domain/inventory/anonymisation";
import {
  ANONYMISED_MARK,
  decide,
  decideRecord,
  type EntryDecision,
} from "../../domain/inventory/record-actions";
import { holdsPath, topLevelFields } from "../../domain/inventory/record-path";
import type { InventoryEntry } from "../../domain/inventory/schema";
import type { Condition, DocumentCollection } from "../../ports/document-store";
import { firstNonEmptyPage } from "../util";
import { forEachLimit } from "../util";
import type { CategoryOutcome, PurgeRun } from "./purge-run";
import {
  type BlobEntry,
  type CosmosEntry,
  isCosmos,
  platformCollection,
  tenantBlobPrefix,
} from "./tenant-records";

type Row = { id: string } & Record<string, unknown>;

/** How one category's records go: found, acted on, and acted on again by key after a crash. */
interface Drain<T> {
  /** The next records to act on, asked from the start (those handled drop out): `[]` once none is left. */
  list(limit: number): Promise<T[]>;
  key(item: T): string;
  act(item: T): Promise<void>;
  /** Acts again on the chunk a stopped run left `pending`, known by key only; a no-op where already done. */
  settle(keys: string[]): Promise<void>;
  /** Checkpoint fields a chunk adds beside its count, written before it is acted on (forfeit: the amount). */
  record?(chunk: T[], state: CategoryOutcome): Partial<CategoryOutcome>;
}

/**
 * Takes a category's records a listing at a time and each listing a chunk at a time: one checkpoint per
 * chunk, written before the chunk is acted on, with its count and its keys (`pending`). `counted: false`
 * when the records were counted already (a partition delete that has to finish record by record).
 */
async function drain<T>(run: PurgeRun, category: string, d: Drain<T>, counted = true): Promise<void> {
  for (;;) {
    const items = await d.list(run.tuning.listPage);
    if (items.length === 0) return;
    for (let i = 0; i < items.length; i += run.tuning.chunk) {
      const chunk = items.slice(i, i + run.tuning.chunk);
      const state = run.state(category);
      await run.checkpoint(category, {
        ...(counted ? { processed: state.processed + chunk.length } : {}),
        pending: chunk.map((item) => d.key(item)),
        ...d.record?.(chunk, state),
      });
      await forEachLimit(chunk, run.tuning.concurrency, (item) => d.act(item));
    }
  }
}

/** The first page of the tenant's records in an entry that holds any, past empty pages (Cosmos gives them). */
function tenantRecords(
  run: PurgeRun,
  coll: DocumentCollection,
  where: Condition[] = [],
  select: string[] = [],
): Drain<Row>["list"] {
  return async (limit) =>
    (await firstNonEmptyPage<Row>(coll, { partitionKey: run.tenantId, where, select, limit })).items;
}

function deletions(run: PurgeRun, coll: DocumentCollection): Drain<Row> {
  const remove = async (id: string) => {
    await coll.delete(id, run.tenantId);
  };
  return {
    list: tenantRecords(run, coll),
    key: (r) => r.id,
    act: (r) => remove(r.id),
    settle: (ids) => forEachLimit(ids, run.tuning.concurrency, remove),
  };
}

/**
 * A tenant's blobs are found by listing its own prefix, never through the names its records hold: a
 * record that names another tenant's blob (or `<tenant>/../<other>/…`) leads nowhere here, and goes
 * with the record. A listed name cannot climb out either: the store holds no "."/".." segments (the
 * URL a blob is written through resolves them first).
 */
function blobDeletions(run: PurgeRun, entry: BlobEntry): Drain<string> {
  const { blobs } = run.app.ports;
  const container = entry.store.container;
  const remove = async (name: string) => {
    await blobs.delete(container, name);
  };
  return {
    async list(limit) {
      const names: string[] = [];
      for await (const blob of blobs.list(container, tenantBlobPrefix(run.tenantId))) {
        names.push(blob.name);
        if (names.length >= limit) break;
      }
      return names;
    },
    key: (name) => name,
    act: remove,
    settle: (names) => forEachLimit(names, run.tuning.concurrency, remove),
  };
}

/** Deleted, the amount given up recorded in the checkpoint before the records go (a crash cannot lose it). */
function forfeits(
  run: PurgeRun,
  coll: DocumentCollection,
  decision: EntryDecision & { type: "forfeit" },
): Drain<Row> {
  const base = deletions(run, coll);
  return {
    ...base,
    list: tenantRecords(run, coll, [], topLevelFields([decision.amountField])),
    record(chunk, state) {
      let amount = state.forfeitedAmount ?? 0;
      for (const doc of chunk) {
        const forfeited = decideRecord(decision, doc);
        if (forfeited.type === "forfeit") amount += forfeited.amount;
      }
      return { forfeitedAmount: amount };
    },
  };
}

/**
 * Anonymised in place by patches (no read, no rewrite of the record): the listing selects the fields to
 * remove, so each patch removes exactly those the record holds. Should the record change between the
 * listing and the patch (a field gone, so its `remove` fails), it is read once and patched for what it
 * holds then.
 */
function anonymisations(run: PurgeRun, coll: DocumentCollection, anonymisation: Anonymisation): Drain<Row> {
  const mark = ANONYMISED_MARK.account_purge;
  const patchAll = async (doc: Row) => {
    for (const ops of anonymisePatches(doc, anonymisation)) await coll.patch(doc.id, run.tenantId, ops);
  };
  const reread = async (id: string) => {
    const doc = (await coll.read<Row>(id, run.tenantId))?.doc;
    if (doc && !holdsPath(doc, mark)) await patchAll(doc);
  };
  const select = topLevelFields(anonymisationPaths(anonymisation));
  return {
    list: tenantRecords(run, coll, [{ field: mark, op: "undefined" }], select),
    key: (r) => r.id,
    async act(doc) {
      try {
        await patchAll(doc);
      } catch {
        await reread(doc.id);
      }
    },
    settle: (ids) => forEachLimit(ids, run.tuning.concurrency, reread),
  };
}

/**
 * The partition path (Azure, where the account allows it): the tenant's records of the container are
 * counted, the count and the request checkpointed, the partition deleted in one call, then counted until
 * none is left (Cosmos deletes in the background). Not done until then: this run gives up after its
 * polls, and the next one asks again (the call is idempotent) and counts again, without counting twice.
 */
async function deletePartition(run: PurgeRun, entry: CosmosEntry, coll: DocumentCollection) {
  const category = entry.category;
  const left = () => coll.count({ partitionKey: run.tenantId });
  if (!run.state(category).partitionDeleteAt) {
    const n = await left();
    if (n === 0) return;
    await run.checkpoint(category, {
      processed: run.state(category).processed + n,
      partitionDeleteAt: run.app.ports.clock.now().toISOString(),
    });
  }
  await coll.deletePartition!(run.tenantId);
  for (const ms of run.tuning.partitionPollsMs) {
    await run.tuning.wait(ms);
    if ((await left()) === 0) return;
  }
  throw new Error(`the partition delete in ${coll.name} has not finished: the next run counts again`);
}

function drainFor(
  run: PurgeRun,
  entry: InventoryEntry,
  decision: EntryDecision,
): Drain<Row> | Drain<string> | undefined {
  if (decision.type === "retain") return undefined;
  if (!isCosmos(entry)) return blobDeletions(run, entry as BlobEntry);
  const coll = platformCollection(run.app, entry);
  switch (decision.type) {
    case "delete":
      return deletions(run, coll);
    case "forfeit":
      return forfeits(run, coll, decision);
    case "anonymise":
      return anonymisations(run, coll, decision.anonymisation);
    default:
      return undefined;
  }
}

/** One category of the inventory, for the tenant of `run`: resumes where a stopped run left it. */
export async function purgeCategory(run: PurgeRun, entry: InventoryEntry): Promise<void> {
  const category = entry.category;
  const decision = decide(run.app.inventory, entry, "account_purge", run.app.ports.clock.now());
  const d = drainFor(run, entry, decision);
  if (!d) {
    // Retained: nothing is touched; the certificate says how many are kept.
    const n = isCosmos(entry)
      ? await platformCollection(run.app, entry).count({ partitionKey: run.tenantId })
      : await run.app.ports.blobs.count(entry.store.container, tenantBlobPrefix(run.tenantId));
    run.set(category, { processed: n });
    return;
  }
  const pending = run.state(category).pending;
  if (pending?.length) await d.settle(pending);
  if (isCosmos(entry)) {
    const coll = platformCollection(run.app, entry);
    // A delete category's records are the whole of the tenant's partition (the per-record path lists it
    // without a filter, too): where the store offers it, one call deletes them. Never for anonymise,
    // forfeit or retain, whose records stay or need an amount read first.
    if (decision.type === "delete" && coll.deletePartition) return deletePartition(run, entry, coll);
    // Asked of a partition delete that this store no longer offers: finished record by record, counted already.
    const counted = run.state(category).partitionDeleteAt === undefined;
    return drain(run, category, d as Drain<Row>, counted);
  }
  return drain(run, category, d as Drain<string>);
}
