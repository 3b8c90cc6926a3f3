import { z } from "zod";
import {
  decisionKey,
  kindsFrom,
  listedOutside,
  requestDecisions,
} from "../../../domain/inventory/lasting-decisions";
import { RequestDoc, RequestStatus } from "../../../domain/requests/model";
import type { Condition, Doc } from "../../../ports/document-store";
import type { AppContext } from "../../context";
import { readSnapshot } from "../../account";
import { appliedAtOf } from "../../rights";
import { queryAll, queryFirst } from "../../util";
import type { FoundDecision, RestoredIndex } from "./types";
import { tenantPartition } from "../../../domain/storage/partition-keys";

/**
 * Where a restore finds the decisions made after its set's time (the sources the list of lasting
 * decisions names), every query paged to the end (DESIGN §9). It looks once the write-back is done, so a
 * decision that began while the restore ran is found too:
 *
 * - the tenant's account erasures (partition `tenant:<id>`): reactivated ones since the set, and one
 *   whose deactivation began while the restore ran;
 * - its requests whose decisions are re-applied or named (same partition): applied since the set
 *   (`details.appliedAt`, completed or still in progress), or completed since it;
 * - the same about WhatsApp numbers (each in its number's partition: cross-partition queries by kind,
 *   scope, status and time, docs/cosmos-queries.md), kept for the numbers the restored records hold;
 * - WhatsApp-number erasure jobs finished since the set's time or still running (cross-partition on
 *   `jobs`), for the numbers the restored records hold.
 *
 * A request's decision took effect when its executor applied it (`details.appliedAt`, written just
 * before it changes the records); one applied before that field existed took effect at its completion
 * (`details.retention.closedAt`, written with its close, or adopted from its audit trail by the
 * own-records sweep); one closed before that too is found by kind and status alone, and its time is its
 * audit trail's `→ completed` event.
 */

const requests = (app: AppContext) => app.stores.requests.collection();

const CLOSED_AT = "details.retention.closedAt";
const APPLIED_AT = "details.appliedAt";
const Closed = z.object({ retention: z.object({ closedAt: z.string() }) });

/**
 * When a request's decision took effect: when it was applied, else its recorded close, else its
 * `→ completed` audit event; one staged and not yet moved to the chain (a crash between the two writes)
 * has just happened.
 */
async function tookEffectAt(app: AppContext, request: RequestDoc): Promise<string> {
  const applied = appliedAtOf(request);
  if (applied) return applied;
  const closed = Closed.safeParse(request.details);
  if (closed.success) return closed.data.retention.closedAt;
  const event = await queryFirst<Doc & { at?: unknown }>(app.stores.audit, {
    partitionKey: request.id,
    where: [{ field: "to", op: "=", value: "completed" }],
    orderBy: { field: "seq", direction: "desc" },
  });
  return typeof event?.at === "string" ? event.at : app.ports.clock.now().toISOString();
}

/**
 * Requests matching `where` whose decision may have taken effect since `takenAt`: applied since (still
 * in progress or completed), completed since, or completed before their close was recorded. One found
 * twice is kept once.
 */
async function decidedRequests(app: AppContext, takenAt: string, where: Condition[], partitionKey?: string) {
  const out = new Map<string, RequestDoc>();
  for (const when of [
    [
      { field: "status", op: "in" as const, value: ["in_progress", "completed"] },
      { field: APPLIED_AT, op: ">=" as const, value: takenAt },
    ],
    [
      { field: "status", op: "=" as const, value: "completed" },
      { field: CLOSED_AT, op: ">=" as const, value: takenAt },
    ],
    [
      { field: "status", op: "=" as const, value: "completed" },
      { field: CLOSED_AT, op: "undefined" as const },
    ],
  ]) {
    const docs = await queryAll<Doc>(requests(app), {
      ...(partitionKey ? { partitionKey } : {}),
      where: [{ field: "docType", op: "=", value: "request" }, ...where, ...when],
    });
    for (const doc of docs.map((d) => RequestDoc.parse(d))) out.set(doc.id, doc);
  }
  return [...out.values()];
}

/** An account erasure never verified, or rejected, decided nothing. */
const DECIDED_ERASURE = RequestStatus.options.filter((s) => s !== "pending_verification" && s !== "rejected");

/** Account erasures that count as decisions for a restore: reactivated ones, and open ones that deactivated. */
async function accountErasures(app: AppContext, tenantId: string, takenAt: string): Promise<FoundDecision[]> {
  const honoured = requestDecisions["erasure:account"];
  if (honoured.how !== "reapplied") return [];
  const docs = await queryAll<Doc>(requests(app), {
    partitionKey: tenantPartition(tenantId),
    where: [
      { field: "docType", op: "=", value: "request" },
      { field: "kind", op: "=", value: "erasure" },
      { field: "scope.type", op: "=", value: "account" },
      { field: "status", op: "in", value: DECIDED_ERASURE },
    ],
  });
  const out: FoundDecision[] = [];
  for (const request of docs.map((d) => RequestDoc.parse(d))) {
    if (request.status !== "cancelled") {
      // Open (or finished) now, though none was when the restore began: it began while the restore
      // wrote records back. Its deactivation has begun once its snapshot is taken (before the first
      // change); a verified or held request that has not deactivated anything is not a decision yet.
      const snapshot = await readSnapshot(app, request.id, tenantId);
      const madeAt = request.account?.deactivatedAt ?? snapshot?.doc.takenAt;
      if (!madeAt) continue;
      for (const handler of honoured.whileOpen?.handlers ?? [])
        out.push({ key: "erasure:account", requestId: request.id, madeAt, handler, request });
      continue;
    }
    if (!request.account) continue;
    // Reactivated: the keys it revoked stay revoked, and what it gave back stays given back.
    for (const handler of honoured.handlers) {
      const madeAt =
        handler === "reactivation" ? request.account.reactivatedAt : request.account.deactivatedAt;
      if (madeAt && madeAt >= takenAt)
        out.push({ key: "erasure:account", requestId: request.id, madeAt, handler, request });
    }
  }
  return out;
}

async function requestDecisionsOf(app: AppContext, found: RequestDoc[], takenAt: string) {
  const out: FoundDecision[] = [];
  for (const request of found) {
    const madeAt = await tookEffectAt(app, request);
    if (madeAt < takenAt) continue;
    const key = decisionKey(request.kind, request.scope.type);
    const honoured = requestDecisions[key];
    const handlers = honoured.how === "reapplied" ? honoured.handlers : [undefined];
    for (const handler of handlers)
      out.push({ key, requestId: request.id, madeAt, request, ...(handler ? { handler } : {}) });
  }
  return out;
}

const ErasureJob = z.object({
  id: z.string(),
  requestId: z.string(),
  numberHash: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
});

/** WhatsApp-number erasures finished since `takenAt` or still running, of numbers the restore brought back. */
async function numberErasures(app: AppContext, takenAt: string, held: Set<string>): Promise<FoundDecision[]> {
  const jobs = app.stores.whatsappErasureJobs;
  const out: FoundDecision[] = [];
  for (const condition of [
    { field: "finishedAt", op: ">=" as const, value: takenAt },
    { field: "finishedAt", op: "undefined" as const },
  ]) {
    const docs = await queryAll<Doc>(jobs, {
      where: [{ field: "docType", op: "=", value: "whatsapp-erasure-job" }, condition],
      select: ["requestId", "numberHash", "startedAt", "finishedAt"],
      limit: 500,
    });
    for (const doc of docs) {
      const job = ErasureJob.safeParse(doc);
      if (!job.success || !held.has(job.data.numberHash)) continue;
      out.push({
        key: "erasure:whatsapp_number",
        requestId: job.data.requestId,
        jobId: job.data.id,
        madeAt: job.data.finishedAt ?? job.data.startedAt,
        handler: "number_erasure",
        numberHash: job.data.numberHash,
      });
    }
  }
  return out;
}

/** Every decision made since `takenAt` that touches the restored tenant's records, in the order made. */
export async function decisionsSince(
  app: AppContext,
  tenantId: string,
  takenAt: string,
  restored: RestoredIndex,
): Promise<FoundDecision[]> {
  const accountKinds = [...kindsFrom("applied_request", "account"), ...listedOutside("account")];
  const numberKinds = kindsFrom("applied_request", "whatsapp_number");
  const [erasures, ofAccount, ofNumbers, numberJobs] = await Promise.all([
    accountErasures(app, tenantId, takenAt),
    accountKinds.length
      ? decidedRequests(
          app,
          takenAt,
          [{ field: "kind", op: "in", value: accountKinds }],
          tenantPartition(tenantId),
        )
      : [],
    numberKinds.length && restored.numberHashes.size
      ? decidedRequests(app, takenAt, [
          { field: "kind", op: "in", value: numberKinds },
          { field: "scope.type", op: "=", value: "whatsapp_number" },
        ])
      : [],
    restored.numberHashes.size
      ? kindsFrom("number_erasure_job", "whatsapp_number").length
        ? numberErasures(app, takenAt, restored.numberHashes)
        : []
      : [],
  ]);
  const held = ofNumbers.filter(
    (r) => r.scope.type === "whatsapp_number" && restored.numberHashes.has(r.scope.numberHash),
  );
  const all = [
    ...erasures,
    ...(await requestDecisionsOf(
      app,
      ofAccount.filter((r) => r.scope.type === "account"),
      takenAt,
    )),
    ...(await requestDecisionsOf(app, held, takenAt)),
    ...numberJobs,
  ];
  // In the order they were made; a tie keeps the source order (an erasure's revocation before its reactivation).
  return all
    .map((d, i) => ({ d, i }))
    .sort((a, b) => (a.d.madeAt < b.d.madeAt ? -1 : a.d.madeAt > b.d.madeAt ? 1 : a.i - b.i))
    .map(({ d }) => d);
}
