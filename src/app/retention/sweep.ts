import { parseDuration } from "../../domain/duration";
import { anonymised } from "../../domain/inventory/anonymisation";
import { ANONYMISED_MARK, decide, recordTenant } from "../../domain/inventory/record-actions";
import { getPath } from "../../domain/inventory/record-path";
import { cosmosEntries, type InventoryEntry } from "../../domain/inventory/schema";
import { AlreadyExistsError, type Condition, type Doc } from "../../ports/document-store";
import { type RunOptions, startRun } from "../operations";
import type { AppContext } from "../context";
import { expireExport } from "../export";
import { ExportJobs } from "../export";
import { AuditLog } from "../audit";
import { firstNonEmptyPage } from "../util";
import { forEachLimit } from "../util";
import { platformRecords } from "../stores";

/** The chain in the `audit` container where the sweeps are recorded (counts only). */
export const RETENTION_AUDIT = "ops:retention";

/** The moment before which a record of `duration` retention is past it (calendar units on the calendar, UTC). */
export function retentionCutoff(now: Date, duration: string): Date {
  const d = parseDuration(duration);
  if (!d) throw new Error(`not an ISO 8601 duration: ${duration}`);
  const t = new Date(now.getTime());
  if (d.years || d.months) t.setUTCMonth(t.getUTCMonth() - (d.years * 12 + d.months));
  const ms = (((d.weeks * 7 + d.days) * 24 + d.hours) * 60 + d.minutes) * 60_000 + d.seconds * 1000;
  return new Date(t.getTime() - ms);
}

/** A record that a restore must not bring back: past its sweep's retention, or past its retainUntil. */
export function pastRetention(entry: InventoryEntry, doc: Record<string, unknown>, now: Date): boolean {
  if (entry.sweep && entry.retention) {
    const at = getPath(doc, entry.sweep.ageField);
    if (typeof at === "string" && at < retentionCutoff(now, entry.retention.duration).toISOString())
      return true;
  }
  const until = doc.retainUntil;
  return (
    entry.onAccountPurge.type === "anonymise" &&
    doc.anonymisedAt !== undefined &&
    typeof until === "string" &&
    until <= now.toISOString()
  );
}

export interface SweepLine {
  category: string;
  rule: "usage_retention" | "retained_until" | "export_expiry";
  action: "deleted" | "anonymised";
  records: number;
  /** The retention applied, as the policy names it. */
  retention?: { duration: string; basis: string };
}

/** The summary of one sweep (`jobs`, partition `retention-sweeps`): counts per category, no personal data. */
export interface SweepSummary {
  id: string;
  pk: string;
  docType: "retention-sweep";
  startedAt: string;
  finishedAt: string;
  by: "timer" | "manual";
  lines: SweepLine[];
  /** Tenants whose records were left alone because a legal hold covers them (a count, not who). */
  heldTenants: number;
  failed: number;
}

const PAGE = 200;
const SWEEP_PARTITION = "retention-sweeps";

/** Tenants under a legal hold: an account erasure `on_hold` defers every deletion it covers (Account Deletion §4). */
async function heldTenants(app: AppContext): Promise<string[]> {
  const out: string[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await app.stores.requests.list({
      where: [
        { field: "status", op: "=", value: "on_hold" },
        { field: "scope.type", op: "=", value: "account" },
      ],
      limit: 200,
      ...(continuationToken ? { continuationToken } : {}),
    });
    for (const r of page.items) if (r.scope.type === "account") out.push(r.scope.tenantId);
    continuationToken = page.continuationToken;
  } while (continuationToken);
  return [...new Set(out)];
}

/**
 * Deletes or anonymises, page by page, the records of one entry matching `where` outside the held
 * tenants, as the inventory decides for `rule` (src/domain/inventory/record-actions.ts; one cross-partition
 * query per page: handled records no longer match). Returns the count.
 */
async function sweepWhere(
  app: AppContext,
  entry: InventoryEntry & { store: { kind: "cosmos" } },
  where: Condition[],
  held: string[],
  rule: "retention_sweep" | "retained_until",
  now: Date,
): Promise<number> {
  const decision = decide(app.inventory, entry, rule, now);
  if (decision.type !== "delete" && decision.type !== "anonymise") return 0;
  const coll = platformRecords(app, entry);
  const tenantField = entry.store.tenantField;
  const notHeld: Condition[] = held.map((t) => ({ field: tenantField, op: "!=", value: t }));
  let count = 0;
  for (;;) {
    // From the start each time (handled records drop out); done when nothing matches, past empty pages.
    const page = await firstNonEmptyPage<Doc & Record<string, unknown>>(coll, {
      where: [...where, ...notHeld],
      limit: PAGE,
    });
    if (page.items.length === 0) return count;
    const before = count;
    await forEachLimit(page.items, 16, async (doc) => {
      const tenantId = recordTenant(entry, doc);
      if (tenantId === undefined) throw new Error(`${entry.category} record without a tenant id`);
      if (decision.type === "delete") {
        if (await coll.delete(doc.id, tenantId)) count++;
        return;
      }
      await coll.upsert(anonymised(doc, decision.anonymisation));
      count++;
    });
    // Nothing on the page was ours to handle (deleted meanwhile by someone else): stop; tomorrow's sweep
    // sees whatever is left, and a loop that cannot progress never spins.
    if (count === before) return count;
  }
}

/**
 * The retention sweep (Privacy Policy §5), for the daily timer: usage records past the usage period are
 * deleted or anonymised as the inventory says; records retained after an erasure (anonymised payments)
 * are deleted once their `retainUntil` has passed (7 years); expired access-export packages are
 * deleted. Tenants under a legal hold are left alone. Writes a summary to `jobs` and an event to the
 * `ops:retention` audit chain: counts per category, nothing personal.
 */
export async function runRetentionSweep(
  app: AppContext,
  options: { id?: string; by?: SweepSummary["by"] } & RunOptions = {},
): Promise<SweepSummary> {
  const run = startRun(app, "retentionSweep", options);
  const started = app.ports.clock.now();
  const held = await heldTenants(app);
  const lines: SweepLine[] = [];
  let failed = 0;
  for (const entry of cosmosEntries(app.inventory)) {
    if (entry.sweep && entry.retention) {
      const cutoff = retentionCutoff(started, entry.retention.duration).toISOString();
      const action = entry.sweep.action;
      const where: Condition[] = [{ field: entry.sweep.ageField, op: "<", value: cutoff }];
      if (action.type === "anonymise")
        where.push({ field: ANONYMISED_MARK.retention_sweep, op: "undefined" });
      try {
        lines.push({
          category: entry.category,
          rule: "usage_retention",
          action: action.type === "delete" ? "deleted" : "anonymised",
          records: await sweepWhere(app, entry, where, held, "retention_sweep", started),
          retention: { duration: entry.retention.duration, basis: entry.retention.basis },
        });
      } catch (e) {
        failed++;
        run.fail({}, `usage_retention:${entry.category}`, e);
      }
    }
    if (entry.onAccountPurge.type === "anonymise") {
      const where: Condition[] = [
        { field: "anonymisedAt", op: "defined" },
        { field: "retainUntil", op: "<=", value: started.toISOString() },
      ];
      try {
        lines.push({
          category: entry.category,
          rule: "retained_until",
          action: "deleted",
          records: await sweepWhere(app, entry, where, held, "retained_until", started),
          retention: {
            duration: entry.onAccountPurge.thenRetain.duration,
            basis: entry.onAccountPurge.thenRetain.basis,
          },
        });
      } catch (e) {
        failed++;
        run.fail({}, `retained_until:${entry.category}`, e);
      }
    }
  }
  // Access exports past their expiry: the export's own expiry (idempotent with its timer and reconciliation).
  let exportsDeleted = 0;
  const due: string[] = [];
  for await (const job of new ExportJobs(app).scan([
    { field: "status", op: "=", value: "ready" },
    { field: "expiresAt", op: "<=", value: started.toISOString() },
  ]))
    due.push(job.requestId);
  for (const requestId of due) {
    try {
      if ((await expireExport(app, requestId, "reconciliation")) === "deleted") exportsDeleted++;
    } catch (e) {
      failed++;
      run.fail({ requestId }, "export_expiry", e);
    }
  }
  lines.push({
    category: "access_exports",
    rule: "export_expiry",
    action: "deleted",
    records: exportsDeleted,
    retention: {
      duration: app.policy.periods.exportExpiry.duration,
      basis: app.policy.periods.exportExpiry.basis,
    },
  });
  const finishedAt = app.ports.clock.now().toISOString();
  const summary: SweepSummary = {
    id: options.id ?? `retention-sweep:${started.toISOString()}`,
    pk: SWEEP_PARTITION,
    docType: "retention-sweep",
    startedAt: started.toISOString(),
    finishedAt,
    by: options.by ?? "manual",
    lines,
    heldTenants: held.length,
    failed,
  };
  await app.stores.retentionSweeps.upsert(summary);
  await new AuditLog(app).append(RETENTION_AUDIT, {
    actor: { kind: "system" },
    action: "retention_sweep",
    data: {
      sweepId: summary.id,
      counts: Object.fromEntries(lines.map((l) => [`${l.category}:${l.rule}`, { [l.action]: l.records }])),
      heldTenants: held.length,
      failed,
    },
  });
  await run.finish({
    records: Object.fromEntries(lines.map((l) => [`${l.category}:${l.rule}`, l.records])),
    failed,
  });
  return summary;
}

/** The daily timer: one sweep per day (UTC) of the clock, however often the timer fires. */
export async function runDailyRetentionSweep(
  app: AppContext,
  options: RunOptions = {},
): Promise<SweepSummary | undefined> {
  const day = app.ports.clock.now().toISOString().slice(0, 10);
  const id = `retention-sweep:${day}`;
  const claims = app.stores.retentionSweepClaims;
  try {
    // Claimed first, so two timers on one day do not both sweep; replaced by the summary at the end.
    await claims.create({ id, pk: SWEEP_PARTITION, docType: "retention-sweep-claim", day });
  } catch (e) {
    if (e instanceof AlreadyExistsError) return undefined;
    throw e;
  }
  return runRetentionSweep(app, { ...options, id, by: "timer" });
}
