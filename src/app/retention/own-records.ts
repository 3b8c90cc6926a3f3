import { z } from "zod";
import type { PeriodName } from "../../domain/policy/periods";
import { type RequestDoc, TERMINAL } from "../../domain/requests/model";
import type { Condition, QuerySpec } from "../../ports/document-store";
import { type Run, type RunOptions, startRun } from "../operations";
import type { AppContext } from "../context";
import { type BreachDoc, BreachStore } from "../breach";
import { AuditLog } from "../audit";
import { nominationState } from "../rights";
import { queryPages } from "../util";
import { retentionCutoff } from "./sweep";

/**
 * The service's own records of people hold the least they can (docs/own-records.md): past each period
 * of the policy module the sweep replaces the personal value on the record by a marker
 * (`{ erasedAt, by: "retention" }`, or a fixed text where the field is typed as text), keeping the
 * request's status, dates and outcome. Periods run from `details.retention.closedAt` (written when a
 * request closes, src/app/requests/transition.ts), a nomination's end, or a breach's Board report.
 *
 * Each record changes in one ETag-guarded write that also marks it swept for that kind
 * (`details.retention.swept.<kind>`), so a crash loses nothing, a re-run skips what is done, and a query
 * never finds it again. Queries follow continuation tokens to the end (real Cosmos pages may be empty).
 */

/** The kinds of personal data the sweep erases: each is the name of its period. */
export const OWN_RECORD_KINDS = [
  "requestContact",
  "correctionValues",
  "grievanceTexts",
  "nomineeDetails",
  "evidenceReferences",
  "staffNotes",
  "breachContacts",
] as const satisfies readonly PeriodName[];
export type OwnRecordKind = (typeof OWN_RECORD_KINDS)[number];

/** The chain in the `audit` container where each sweep is recorded (counts only). */
export const OWN_RECORDS_AUDIT = "ops:own-records";
const SWEEP_PARTITION = "own-records-sweeps";
const PAGE = 100;

/** Where a value was: a field typed as text keeps this text; any other becomes a marker object. */
export const ERASED_TEXT = "[erased after its retention period]";
export interface ErasedMarker {
  erasedAt: string;
  by: "retention";
}

/** What the sweep keeps on `details.retention` (beside what transition.ts writes). */
const Retention = z
  .object({
    closedAt: z.string().optional(),
    freeTextReason: z.boolean().optional(),
    swept: z.record(z.string(), z.object({ erasedAt: z.string(), values: z.number().int() })).optional(),
  })
  .loose();
type Retention = z.infer<typeof Retention>;

export const retentionOf = (doc: RequestDoc): Retention => {
  const parsed = Retention.safeParse(doc.details.retention ?? {});
  return parsed.success ? parsed.data : {};
};

type RequestKindOfData = Exclude<OwnRecordKind, "breachContacts">;

interface RequestRule {
  /** Conditions beyond "closed before the cutoff and not swept for this kind". */
  where: Condition[];
  /** When the period starts for this record; undefined: not yet (e.g. a nomination still in force). */
  from(doc: RequestDoc): string | undefined;
  /** Removes the values from `doc` (a fresh copy), returning how many it removed. */
  erase(doc: RequestDoc, marker: ErasedMarker): number;
  /** Outside the request document, done before it is marked swept (idempotent). */
  beforeWrite?(app: AppContext, doc: RequestDoc): Promise<void>;
}

const closedAt = (doc: RequestDoc) => retentionOf(doc).closedAt;

/** Sets `details[key]` to the marker when it holds something; returns 1 when it did. */
function markDetail(doc: RequestDoc, key: string, marker: ErasedMarker, keep: object = {}): number {
  if (doc.details[key] === undefined) return 0;
  doc.details = { ...doc.details, [key]: { ...keep, ...marker } };
  return 1;
}

const RULES: Record<RequestKindOfData, RequestRule> = {
  // The address notices go to: needed while the request is open, then for the export's download period.
  // A nomination in force keeps it: the principal is told when it is revoked or superseded.
  requestContact: {
    where: [{ field: "contact", op: "defined" }],
    from: (doc) =>
      doc.kind === "nomination" && nominationState(doc)?.state === "active" ? undefined : closedAt(doc),
    erase(doc) {
      if (!doc.contact) return 0;
      delete doc.contact;
      return 1;
    },
  },
  // The requested values: a restore from a set taken before the correction re-applies it from them.
  correctionValues: {
    where: [{ field: "kind", op: "=", value: "correction" }],
    from: closedAt,
    erase(doc, marker) {
      const list = doc.details.corrections;
      const fields = Array.isArray(list)
        ? [...new Set(list.map((c: { field?: unknown }) => c.field).filter((f) => typeof f === "string"))]
        : [];
      return Array.isArray(list) ? markDetail(doc, "corrections", marker, { fields }) : 0;
    },
  },
  grievanceTexts: {
    where: [{ field: "kind", op: "=", value: "grievance" }],
    from: closedAt,
    erase(doc, marker) {
      let values = typeof doc.details.summary === "string" ? markDetail(doc, "summary", marker) : 0;
      const handling = doc.details.handling as Record<string, unknown> | undefined;
      if (handling && (handling.resolution !== undefined || handling.assignee !== undefined)) {
        const { resolution, assignee, ...rest } = handling;
        values += (resolution === undefined ? 0 : 1) + (assignee === undefined ? 0 : 1);
        doc.details = { ...doc.details, handling: { ...rest, erased: marker } };
      }
      return values;
    },
  },
  // The sealed contact goes when the nomination ends (nomination.ts); this takes what is left.
  nomineeDetails: {
    where: [{ field: "kind", op: "=", value: "nomination" }],
    from(doc) {
      const state = nominationState(doc);
      if (state?.state === "active") return undefined;
      return state?.endedAt ?? closedAt(doc);
    },
    async beforeWrite(app, doc) {
      await app.stores.nominees.delete(`nominee:${doc.id}`, doc.pk);
    },
    erase: (doc, marker) => markDetail(doc, "nominee", marker),
  },
  evidenceReferences: {
    where: [{ field: "details.onBehalfOf", op: "defined" }],
    from: closedAt,
    erase(doc) {
      const onBehalf = doc.details.onBehalfOf as Record<string, unknown> | undefined;
      if (!onBehalf || onBehalf.evidenceRef === ERASED_TEXT) return 0;
      // Kept a string: the request still parses as a nominee's request (src/app/rights/on-behalf.ts).
      doc.details = { ...doc.details, onBehalfOf: { ...onBehalf, evidenceRef: ERASED_TEXT } };
      return 1;
    },
  },
  // People's own words on a request: staff reasons and notes, the requester's reason, a mail reference.
  staffNotes: {
    where: [],
    from: closedAt,
    erase(doc, marker) {
      let values = 0;
      if (doc.review?.reason !== undefined) {
        delete doc.review.reason;
        values++;
      }
      for (const extension of doc.deadlineExtensions) {
        if (extension.reason === ERASED_TEXT) continue;
        extension.reason = ERASED_TEXT;
        values++;
      }
      if (doc.closedReason !== undefined && retentionOf(doc).freeTextReason) {
        doc.closedReason = ERASED_TEXT;
        values++;
      }
      if (doc.hold) {
        doc.hold.reason = ERASED_TEXT;
        values++;
      }
      values += markDetail(doc, "reason", marker) + markDetail(doc, "messageRef", marker);
      return values;
    },
  },
};

export interface OwnRecordsSweep {
  id: string;
  pk: string;
  docType: "own-records-sweep";
  by: "timer" | "manual";
  startedAt: string;
  /** Set at the end; a sweep without it stopped part-way (what it did stays done). */
  finishedAt?: string;
  /** Per kind: records swept (values removed, or found holding none) and values removed. */
  counts: Record<string, { records: number; values: number }>;
  /** Closed requests that had no close time yet: their periods start now. */
  adopted: number;
  /** Requests left alone because their tenant is under a legal hold (a count, not which). */
  held: number;
  failed: number;
}

/** Tenants under a legal hold: an account erasure `on_hold` defers every deletion about them. */
async function heldPartitions(app: AppContext): Promise<Set<string>> {
  const held = new Set<string>();
  for await (const page of queryPages<RequestDoc>(app.stores.requests.collection(), {
    where: [{ field: "status", op: "=", value: "on_hold" }],
    select: ["pk"],
  }))
    for (const r of page) held.add(r.pk);
  return held;
}

const requestsWhere = (where: Condition[]): Omit<QuerySpec, "continuationToken"> => ({
  where,
  limit: PAGE,
});

class Skip extends Error {}

/**
 * Runs every kind once over what is due at the clock's now. Safe to run twice at once or after a crash:
 * every change is one guarded write, decided again on fresh state.
 */
export async function sweepOwnRecords(
  app: AppContext,
  options: { by?: OwnRecordsSweep["by"] } & RunOptions = {},
): Promise<OwnRecordsSweep> {
  const run = startRun(app, "ownRecordsSweep", options);
  const now = app.ports.clock.now();
  const at = now.toISOString();
  const marker: ErasedMarker = { erasedAt: at, by: "retention" };
  const store = app.stores.requests;
  const requests = store.collection();
  const held = await heldPartitions(app);
  const summary: OwnRecordsSweep = {
    id: `own-records-sweep:${at}`,
    pk: SWEEP_PARTITION,
    docType: "own-records-sweep",
    by: options.by ?? "manual",
    startedAt: at,
    counts: Object.fromEntries(OWN_RECORD_KINDS.map((k) => [k, { records: 0, values: 0 }])),
    adopted: 0,
    held: 0,
    failed: 0,
  };
  // Progress for long runs: the summary in `jobs` is rewritten after every page.
  const progress = () => saveProgress(app, summary);
  await progress();

  // A request closed by a path that did not mark it (or before the mark existed): it closed when its
  // audit trail says it reached its final status (a restore orders decisions by it); without such an
  // event its periods start now, never earlier.
  const audit = new AuditLog(app);
  for await (const page of queryPages<RequestDoc>(
    requests,
    requestsWhere([
      { field: "status", op: "in", value: [...TERMINAL] },
      { field: "details.retention.closedAt", op: "undefined" },
    ]),
  )) {
    for (const item of page) {
      try {
        const events = await audit.events(item.id);
        await store.update(item.id, (doc) => {
          if (closedAt(doc) || !TERMINAL.includes(doc.status)) throw new Skip();
          const closed = events.findLast((e) => e.to === doc.status)?.at ?? at;
          doc.details = { ...doc.details, retention: { ...retentionOf(doc), closedAt: closed } };
          return doc;
        });
        summary.adopted++;
      } catch (e) {
        if (!(e instanceof Skip)) {
          summary.failed++;
          run.fail({ requestId: item.id }, "adopt_close_time", e);
        }
      }
    }
    await progress();
  }

  for (const kind of Object.keys(RULES) as RequestKindOfData[]) {
    const rule = RULES[kind];
    const cutoff = cutoffFor(app, kind, now);
    const due = (doc: RequestDoc) => {
      const from = rule.from(doc);
      return from !== undefined && from <= cutoff && retentionOf(doc).swept?.[kind] === undefined;
    };
    for await (const page of queryPages<RequestDoc>(
      requests,
      requestsWhere([
        // Every period starts at or after the close: a cheap, indexed first cut.
        { field: "details.retention.closedAt", op: "<=", value: cutoff },
        { field: `details.retention.swept.${kind}`, op: "undefined" },
        ...rule.where,
      ]),
    )) {
      for (const item of page) {
        if (!due(item)) continue;
        if (held.has(item.pk)) {
          summary.held++;
          continue;
        }
        try {
          await rule.beforeWrite?.(app, item);
          let values = 0;
          await store.update(item.id, (doc) => {
            if (!due(doc)) throw new Skip();
            values = rule.erase(doc, marker);
            const retention = retentionOf(doc);
            doc.details = {
              ...doc.details,
              retention: { ...retention, swept: { ...retention.swept, [kind]: { erasedAt: at, values } } },
            };
            return doc;
          });
          summary.counts[kind]!.records++;
          summary.counts[kind]!.values += values;
        } catch (e) {
          if (!(e instanceof Skip)) {
            summary.failed++;
            run.fail({ requestId: item.id }, kind, e);
          }
        }
      }
      await progress();
    }
  }

  await sweepBreachContacts(app, now, summary, run);
  summary.finishedAt = app.ports.clock.now().toISOString();
  await progress();
  await new AuditLog(app).append(OWN_RECORDS_AUDIT, {
    actor: { kind: "system" },
    action: "own_records_sweep",
    data: { sweepId: summary.id, counts: summary.counts, adopted: summary.adopted, failed: summary.failed },
  });
  await run.finish({
    records: Object.fromEntries(Object.entries(summary.counts).map(([k, c]) => [k, c.records])),
    adopted: summary.adopted,
    failed: summary.failed,
  });
  return summary;
}

/**
 * How much longer than a backup set lives correction values are kept at the least: a set is restorable
 * until its expiry (src/app/restore/restore.ts), so the values must strictly outlive every set taken
 * before the correction, with room for the timers' own delays.
 */
export const ROTATION_MARGIN = "P1D";

/**
 * The cutoff of a kind at `now`: a record whose period started at or before it is due. Correction
 * values are kept at least as long as a backup set lives plus {@link ROTATION_MARGIN}, whichever period
 * is longer.
 */
export function cutoffFor(app: AppContext, kind: OwnRecordKind, now: Date): string {
  const of = (name: PeriodName) => retentionCutoff(now, app.policy.periods[name].duration).toISOString();
  if (kind !== "correctionValues") return of(kind);
  const own = of("correctionValues");
  const rotation = retentionCutoff(
    retentionCutoff(now, app.policy.periods.backupRotation.duration),
    ROTATION_MARGIN,
  ).toISOString();
  return own < rotation ? own : rotation;
}

/** Breaches reported to the Board more than `breachContacts` ago: their sealed addresses go. */
async function sweepBreachContacts(
  app: AppContext,
  now: Date,
  summary: OwnRecordsSweep,
  run: Run,
): Promise<void> {
  const cutoff = cutoffFor(app, "breachContacts", now);
  const at = now.toISOString();
  const breaches = new BreachStore(app);
  for await (const page of queryPages<BreachDoc>(app.stores.breaches, {
    where: [
      { field: "state", op: "=", value: "reported" },
      { field: "board.reportedAt", op: "<=", value: cutoff },
      { field: "contactsErasedAt", op: "undefined" },
    ],
    limit: PAGE,
  })) {
    for (const item of page) {
      try {
        let values = 0;
        await breaches.update(item.id, (doc) => {
          if (doc.contactsErasedAt) throw new Skip();
          doc.principals.contacts = doc.principals.contacts.map(({ sealed, ...kept }) => {
            if (sealed !== undefined) values++;
            return kept;
          });
          doc.contactsErasedAt = at;
          return doc;
        });
        summary.counts.breachContacts!.records++;
        summary.counts.breachContacts!.values += values;
      } catch (e) {
        if (!(e instanceof Skip)) {
          summary.failed++;
          run.fail({ breachId: item.id }, "breachContacts", e);
        }
      }
    }
    await saveProgress(app, summary);
  }
}

const saveProgress = (app: AppContext, summary: OwnRecordsSweep) =>
  app.stores.ownRecordsSweeps.upsert(summary);
