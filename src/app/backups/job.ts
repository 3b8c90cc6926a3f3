import { z } from "zod";
import type { AppContext } from "../context";
import { guardedUpdate, Lease, leaseHeld, newLease } from "../requests";
import { catalogue, SET_ID, setPartition } from "./catalogue";

/**
 * A backup set is written by a job, not inside the HTTP call that asks for it (the platform's front
 * end cuts a response at 230 s, and a set holds every tenant): POST /v1/backups records the set
 * (`writing`) and sends one `backup-sets` message; its queue function writes the tenants (a few at a
 * time), the manifest, and marks the set `active`. The set's own URL shows the progress.
 *
 * The job document (`set-job:<setId>`, in the set's partition of the catalogue) holds the claim of the
 * delivery writing the set, ETag-guarded with a lease past the function timeout: a second delivery
 * while the first still runs (its lock lost, a duplicate send) sees the claim and comes back when it
 * runs out, so two writers never interleave blobs and catalogue entries of one tenant. Ids, counts
 * and times only.
 */
export const BackupSetMessage = z.object({ setId: z.string().regex(SET_ID) }).strict();
export type BackupSetMessage = z.infer<typeof BackupSetMessage>;

export const BackupSetJob = z
  .object({
    id: z.string(),
    pk: z.string(),
    docType: z.literal("backup-set-job"),
    setId: z.string(),
    queuedAt: z.string(),
    /** Deliveries that claimed the set and ran (a resumed set ran more than once). */
    runs: z.number().int(),
    lastRunAt: z.string().optional(),
    lease: Lease.optional(),
  })
  .strict();
export type BackupSetJob = z.infer<typeof BackupSetJob>;

export const setJobId = (setId: string) => `set-job:${setId}`;

function fresh(setId: string, now: string): BackupSetJob {
  return {
    id: setJobId(setId),
    pk: setPartition(setId),
    docType: "backup-set-job",
    setId,
    queuedAt: now,
    runs: 0,
  };
}

export async function readSetJob(app: AppContext, setId: string): Promise<BackupSetJob | undefined> {
  const found = await catalogue(app).read<BackupSetJob>(setJobId(setId), setPartition(setId));
  return found ? BackupSetJob.parse(found.doc) : undefined;
}

/** One `backup-sets` message for the set, due now; messageId `backup-set:<setId>` (one job per set). */
export async function enqueueBackupSet(app: AppContext, setId: string): Promise<void> {
  const now = app.ports.clock.now();
  await guardedUpdate<BackupSetJob>(catalogue(app), setJobId(setId), setPartition(setId), (doc) =>
    doc ? undefined : fresh(setId, now.toISOString()),
  );
  await app.ports.scheduler.schedule({
    queue: "backup-sets",
    messageId: `backup-set:${setId}`,
    body: { setId } satisfies BackupSetMessage,
    deliverAt: now,
  });
}

/** Claims the writing of a set for one delivery; busy (until when) while another's claim holds. */
export async function claimSetJob(
  app: AppContext,
  setId: string,
  claimId: string,
): Promise<{ claimed: true } | { claimed: false; until: string }> {
  const now = app.ports.clock.now();
  let result: { claimed: true } | { claimed: false; until: string } = { claimed: true };
  await guardedUpdate<BackupSetJob>(catalogue(app), setJobId(setId), setPartition(setId), (found) => {
    const doc = found ? BackupSetJob.parse(found) : fresh(setId, now.toISOString());
    if (leaseHeld(doc.lease, now, claimId)) {
      result = { claimed: false, until: doc.lease!.until };
      return undefined;
    }
    result = { claimed: true };
    return {
      ...doc,
      runs: doc.runs + 1,
      lastRunAt: now.toISOString(),
      lease: newLease(claimId, now),
    };
  });
  return result;
}

export async function releaseSetJob(app: AppContext, setId: string, claimId: string): Promise<void> {
  await guardedUpdate<BackupSetJob>(catalogue(app), setJobId(setId), setPartition(setId), (found) => {
    if (!found || found.lease?.id !== claimId) return undefined;
    const { lease: _lease, ...rest } = BackupSetJob.parse(found);
    return rest;
  });
}

/** A delivery that found the set claimed comes back when the claim runs out (a writer that died). */
export async function scheduleSetRecheck(app: AppContext, setId: string, until: string): Promise<void> {
  await app.ports.scheduler.schedule({
    queue: "backup-sets",
    messageId: `backup-set:${setId}:after:${until}`,
    body: { setId } satisfies BackupSetMessage,
    deliverAt: new Date(Date.parse(until) + 1000),
  });
}

/** What the set's URL shows while it is written: tenants done so far, and whether a writer holds it. */
export async function setProgress(
  app: AppContext,
  setId: string,
): Promise<{ tenantsWritten: number; running: boolean; runs: number }> {
  const tenantsWritten = await catalogue(app).count({
    partitionKey: setPartition(setId),
    where: [{ field: "docType", op: "=", value: "backup-set-tenant" }],
  });
  const job = await readSetJob(app, setId);
  return {
    tenantsWritten,
    running: leaseHeld(job?.lease, app.ports.clock.now()),
    runs: job?.runs ?? 0,
  };
}
