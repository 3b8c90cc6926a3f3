import { randomUUID } from "node:crypto";
import { z } from "zod";
import { partitionOfRequestId } from "../../domain/requests/request-id";
import type { RequestDoc } from "../../domain/requests/model";
import {
  AlreadyExistsError,
  type Doc,
  type DocumentCollection,
  PreconditionFailedError,
} from "../../ports/document-store";
import type { AppContext } from "../context";

/**
 * How long a handler's claim on its work holds: past the host's `functionTimeout` (host.json, 30 min),
 * so a handler still running always holds its claim, and one that died (process gone, timeout) lets
 * the next delivery take over at most this long after it started. host.json's
 * `extensions.serviceBus.maxAutoLockRenewalDuration` covers `functionTimeout` too, so Service Bus
 * itself does not hand the message to a second instance while the first runs; the claim is for when
 * it does anyway (lock lost on a network fault, a duplicate send outside the detection window).
 */
export const HANDLER_LEASE_MS = 35 * 60_000;

/**
 * Who holds a piece of long work, until when: the ETag-guarded claim of one delivery. `holder` names
 * the process (one per start), so a process knows its own claims.
 */
export const Lease = z
  .object({ id: z.string(), holder: z.string().optional(), at: z.string(), until: z.string() })
  .strict();
export type Lease = z.infer<typeof Lease>;

/** This process, as a lease holder. */
const PROCESS = randomUUID();
/** Claims whose handler is running in this process right now. */
const running = new Set<string>();

export function newLease(claimId: string, now: Date): Lease {
  return {
    id: claimId,
    holder: PROCESS,
    at: now.toISOString(),
    until: new Date(now.getTime() + HANDLER_LEASE_MS).toISOString(),
  };
}

/**
 * Whether a claim stops `by` from taking the work: it has not run out, it is not `by`'s own, and it is
 * not a claim of this very process whose handler is no longer running (one that threw past its release:
 * nobody else can be running it, so it is taken over at once). A claim of another process is trusted
 * until it runs out: that process may be alive.
 */
export function leaseHeld(lease: Lease | undefined, now: Date, by?: string): boolean {
  if (!lease || lease.id === by) return false;
  if (Date.parse(lease.until) <= now.getTime()) return false;
  return !(lease.holder === PROCESS && !running.has(lease.id));
}

/**
 * Runs `work` as claim `claimId` of this process: marked running before the claim is written (so no
 * other delivery here takes it for a dead one) and until the work and its release are over.
 */
export async function asRunning<T>(claimId: string, work: () => Promise<T>): Promise<T> {
  running.add(claimId);
  try {
    return await work();
  } finally {
    running.delete(claimId);
  }
}

const MAX_ATTEMPTS = 10;

/**
 * Read, decide, write with If-Match (or create when there is nothing yet); on a lost race, decide again
 * on fresh state. `decide` returns undefined to write nothing. Returns what was written, or the
 * current document when nothing was.
 */
export async function guardedUpdate<T extends Doc>(
  coll: DocumentCollection,
  id: string,
  pk: string,
  decide: (current: T | undefined) => T | undefined,
): Promise<T | undefined> {
  for (let attempt = 1; ; attempt++) {
    const found = await coll.read<T>(id, pk);
    const next = decide(found ? structuredClone(found.doc) : undefined);
    if (next === undefined) return found?.doc;
    try {
      return found ? (await coll.replace(next, found.etag)).doc : (await coll.create(next)).doc;
    } catch (e) {
      if (!(e instanceof PreconditionFailedError || e instanceof AlreadyExistsError)) throw e;
      if (attempt >= MAX_ATTEMPTS)
        throw new Error(`${id} kept changing under a guarded update`, { cause: e });
    }
  }
}

/** The body of a `request-execution` message: which request, and which enqueue of it. */
export const ExecutionMessage = z
  .object({ requestId: z.string().min(1).max(400), generation: z.number().int().min(1) })
  .strict();
export type ExecutionMessage = z.infer<typeof ExecutionMessage>;

/**
 * The execution ledger of one request (`jobs`, `execution:<requestId>`, in the request's partition):
 * how often its executor was asked for (`queued`, a generation per enqueue), up to which generation a
 * run has finished (`done`), and the claim of the run in progress. A message whose generation is done
 * is a duplicate; a message arriving while another delivery holds the claim leaves the work to it.
 * No personal data: ids, counters and times.
 */
export const ExecutionLedger = z
  .object({
    id: z.string(),
    pk: z.string(),
    docType: z.literal("request-execution"),
    requestId: z.string(),
    queued: z.number().int(),
    queuedAt: z.string(),
    done: z.number().int(),
    doneAt: z.string().optional(),
    runs: z.number().int(),
    lease: Lease.extend({ generation: z.number().int() }).strict().optional(),
  })
  .strict();
export type ExecutionLedger = z.infer<typeof ExecutionLedger>;

export const executionLedgerId = (requestId: string) => `execution:${requestId}`;
const jobs = (app: AppContext) => app.stores.executionLedgers;

export async function readExecutionLedger(
  app: AppContext,
  requestId: string,
): Promise<ExecutionLedger | undefined> {
  const pk = partitionOfRequestId(requestId);
  if (pk === undefined) return undefined;
  const found = await jobs(app).read<ExecutionLedger>(executionLedgerId(requestId), pk);
  return found ? ExecutionLedger.parse(found.doc) : undefined;
}

/** Records one more ask for the request's executor to run; returns its generation. */
export async function markExecutionQueued(app: AppContext, request: RequestDoc): Promise<number> {
  const now = app.ports.clock.now();
  const written = await guardedUpdate<ExecutionLedger>(
    jobs(app),
    executionLedgerId(request.id),
    request.pk,
    (doc) =>
      doc
        ? { ...doc, queued: doc.queued + 1, queuedAt: now.toISOString() }
        : {
            id: executionLedgerId(request.id),
            pk: request.pk,
            docType: "request-execution",
            requestId: request.id,
            queued: 1,
            queuedAt: now.toISOString(),
            done: 0,
            runs: 0,
          },
  );
  return written!.queued;
}

/**
 * Sends the `request-execution` message of one generation, due now. messageId
 * `request-execution:<id>:<generation>` is deterministic per ask, so a retried send of the same ask is
 * dropped by duplicate detection; the handler drops any other duplicate through the ledger.
 */
export async function sendExecution(app: AppContext, message: ExecutionMessage): Promise<void> {
  await app.ports.scheduler.schedule({
    queue: "request-execution",
    messageId: `request-execution:${message.requestId}:${message.generation}`,
    body: message,
    deliverAt: app.ports.clock.now(),
  });
}

export type ExecutionClaim =
  { outcome: "claimed"; generation: number } | { outcome: "done" } | { outcome: "busy"; until: string };

/**
 * Claims the run for one delivery (ETag-guarded): nothing to do when a finished run already covered the
 * message's generation; busy while another delivery's claim holds. A claim covers every enqueue so far.
 */
export async function claimExecution(
  app: AppContext,
  requestId: string,
  pk: string,
  generation: number,
  claimId: string,
): Promise<ExecutionClaim> {
  const now = app.ports.clock.now();
  let claim: ExecutionClaim = { outcome: "done" };
  await guardedUpdate<ExecutionLedger>(jobs(app), executionLedgerId(requestId), pk, (found) => {
    const doc: ExecutionLedger = found
      ? ExecutionLedger.parse(found)
      : {
          id: executionLedgerId(requestId),
          pk,
          docType: "request-execution",
          requestId,
          queued: generation,
          queuedAt: now.toISOString(),
          done: 0,
          runs: 0,
        };
    if (doc.done >= generation) {
      claim = { outcome: "done" };
      return undefined;
    }
    if (leaseHeld(doc.lease, now, claimId)) {
      claim = { outcome: "busy", until: doc.lease!.until };
      return undefined;
    }
    const covers = Math.max(doc.queued, generation);
    claim = { outcome: "claimed", generation: covers };
    return {
      ...doc,
      queued: covers,
      runs: doc.runs + 1,
      lease: { ...newLease(claimId, now), generation: covers },
    };
  });
  return claim;
}

/**
 * Ends a run. A run that finished marks the generations it covered done (duplicates of them then do
 * nothing); if more asks came while it ran (a retry, a reconciliation, a backup rotation), it keeps the
 * claim, now covering them, and returns "again" so the caller runs once more instead of leaving them
 * to a recheck. Otherwise the claim is given back.
 */
export async function releaseExecution(
  app: AppContext,
  requestId: string,
  pk: string,
  claimId: string,
  finished: boolean,
  mayRunAgain = true,
): Promise<"released" | "again"> {
  const now = app.ports.clock.now();
  let result: "released" | "again" = "released";
  await guardedUpdate<ExecutionLedger>(jobs(app), executionLedgerId(requestId), pk, (found) => {
    result = "released";
    if (!found) return undefined;
    const doc = ExecutionLedger.parse(found);
    if (doc.lease?.id !== claimId) return undefined; // lost it (expired and taken): the other run decides
    const { lease, ...rest } = doc;
    const done = finished ? Math.max(doc.done, lease.generation) : doc.done;
    const base = finished ? { ...rest, done, doneAt: now.toISOString() } : rest;
    if (finished && mayRunAgain && doc.queued > lease.generation) {
      result = "again";
      return { ...base, runs: doc.runs + 1, lease: { ...newLease(claimId, now), generation: doc.queued } };
    }
    return base;
  });
  return result;
}

/**
 * A message that found the work claimed by another delivery comes back when that claim runs out: if
 * that run finished, the ledger says so and this does nothing; if it died, this one takes over.
 */
export async function scheduleExecutionRecheck(
  app: AppContext,
  message: ExecutionMessage,
  until: string,
): Promise<void> {
  await app.ports.scheduler.schedule({
    queue: "request-execution",
    messageId: `request-execution:${message.requestId}:${message.generation}:after:${until}`,
    body: message,
    deliverAt: new Date(Date.parse(until) + 1000),
  });
}
