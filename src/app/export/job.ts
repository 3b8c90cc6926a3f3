import { z } from "zod";
import { partitionOfRequestId } from "../../domain/requests/request-id";
import { DomainError } from "../../domain/errors";
import type { RequestDoc } from "../../domain/requests/model";
import { RefusedReference } from "../../domain/storage/record-references";
import { AlreadyExistsError, type Condition, PreconditionFailedError } from "../../ports/document-store";
import type { AppContext } from "../context";

/** The service's blob container for access-export packages (src/adapters/blob/layout.ts). */
export const EXPORT_CONTAINER = "exports";

/** Where a request's package lives once it is complete: the only blob a download link ever names. */
export const packageBlobName = (requestId: string) => `${requestId}/export.zip`;
/** Where one run writes while it runs: never offered for download. */
export const partialBlobName = (requestId: string, runId: string) => `${requestId}/partial-${runId}.zip`;
export const requestBlobPrefix = (requestId: string) => `${requestId}/`;

export const exportJobId = (requestId: string) => `export:${requestId}`;

/** A run whose heartbeat is older than this is presumed dead (a crashed or timed-out function). */
export const STALE_RUN_MS = 15 * 60_000;

const Iso = z.string();

export const ExportSubject = z.discriminatedUnion("type", [
  z.object({ type: z.literal("tenant"), tenantId: z.string() }).strict(),
  z.object({ type: z.literal("whatsapp"), numberHash: z.string() }).strict(),
]);
export type ExportSubject = z.infer<typeof ExportSubject>;

export const PackageInfo = z
  .object({
    container: z.string(),
    /** The blob the link names: `<requestId>/export.zip` once published. */
    blob: z.string(),
    bytes: z.number().int().min(0),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    files: z.number().int().min(0),
    records: z.number().int().min(0),
    /** Records (Cosmos) or files (Blob) per inventory category, as in manifest.json. */
    counts: z.record(z.string(), z.number().int().min(0)),
    /** References into another tenant's storage found on the subject's records: refused, for staff. */
    refusedReferences: z.array(RefusedReference).optional(),
  })
  .strict();
export type PackageInfo = z.infer<typeof PackageInfo>;

/**
 * The checkpoint of one access export (`jobs`, id `export:<requestId>`, partition = the request's):
 * `running` while a run writes its partial blob; `publishing` once that blob is complete and named
 * here (a re-run finishes the copy instead of starting again); `ready` when `<requestId>/export.zip`
 * is complete and may be offered; `expired` after the package was deleted; `failed` after a run threw.
 */
export const ExportJob = z
  .object({
    id: z.string(),
    pk: z.string(),
    docType: z.literal("export-job"),
    requestId: z.string(),
    subject: ExportSubject,
    status: z.enum(["running", "failed", "publishing", "ready", "expired"]),
    /** The run that owns the job; a run that finds another id here has been superseded and stops. */
    runId: z.string(),
    runs: z.number().int().min(1),
    startedAt: Iso,
    updatedAt: Iso,
    progress: z
      .object({
        recordsDone: z.number().int().min(0),
        recordsEstimated: z.number().int().min(0),
        /** The file being written (a category), for people watching. */
        current: z.string().optional(),
      })
      .strict(),
    /** The run's partial blob while it is being written or published. */
    partialBlob: z.string().optional(),
    package: PackageInfo.optional(),
    readyAt: Iso.optional(),
    expiresAt: Iso.optional(),
    /** The scheduler's ticket of the expiry message (Service Bus sequence number as a string). */
    expiryTicket: z.string().optional(),
    expiredAt: Iso.optional(),
    failure: z.object({ at: Iso, step: z.string(), message: z.string() }).strict().optional(),
  })
  .strict();
export type ExportJob = z.infer<typeof ExportJob>;

const MAX_ATTEMPTS = 5;

/** Raised inside a run that another run has taken over: it stops without touching the job. */
export class SupersededError extends Error {
  constructor() {
    super("another export run took this job over");
    this.name = "SupersededError";
  }
}

export const subjectOf = (request: RequestDoc): ExportSubject => {
  if (request.scope.type === "account") return { type: "tenant", tenantId: request.scope.tenantId };
  if (request.scope.type === "whatsapp_number")
    return { type: "whatsapp", numberHash: request.scope.numberHash };
  throw new DomainError("invalid", "An access export is for an account or a WhatsApp number.");
};

/** The export jobs (`app.stores.exportJobs`) as the export uses them: every write ETag-guarded, every read validated. */
export class ExportJobs {
  private readonly jobs: AppContext["stores"]["exportJobs"];

  constructor(private readonly app: AppContext) {
    this.jobs = app.stores.exportJobs;
  }

  async read(request: Pick<RequestDoc, "id" | "pk">): Promise<{ job: ExportJob; etag: string } | undefined> {
    const found = await this.jobs.read<ExportJob>(exportJobId(request.id), request.pk);
    return found ? { job: ExportJob.parse(found.doc), etag: found.etag } : undefined;
  }

  /** By request id alone (a timer message): the id names the request's partition, so one point read. */
  async findByRequestId(requestId: string): Promise<ExportJob | undefined> {
    const pk = partitionOfRequestId(requestId);
    const found = pk === undefined ? undefined : await this.jobs.read<ExportJob>(exportJobId(requestId), pk);
    return found ? ExportJob.parse(found.doc) : undefined;
  }

  /**
   * Takes the job for a new run (creating it the first time): a fresh runId, progress reset. Any run
   * still going notices at its next checkpoint and stops.
   */
  async claim(request: RequestDoc, runId: string, recordsEstimated: number): Promise<ExportJob> {
    const now = this.app.ports.clock.now().toISOString();
    const found = await this.read(request);
    const job: ExportJob = ExportJob.parse({
      id: exportJobId(request.id),
      pk: request.pk,
      docType: "export-job",
      requestId: request.id,
      subject: subjectOf(request),
      status: "running",
      runId,
      runs: (found?.job.runs ?? 0) + 1,
      startedAt: now,
      updatedAt: now,
      progress: { recordsDone: 0, recordsEstimated },
      partialBlob: partialBlobName(request.id, runId),
    });
    if (!found) {
      try {
        return ExportJob.parse((await this.jobs.create(job)).doc);
      } catch (e) {
        // Another run created it a moment ago: take it over through the guarded path below.
        if (!(e instanceof AlreadyExistsError)) throw e;
      }
    }
    return this.mutate(request, () => job);
  }

  /**
   * Read, change, write with If-Match; on a lost race decide again on fresh state. `change` returns
   * the new job, or throws (e.g. {@link SupersededError}) and nothing is written.
   */
  async mutate(
    request: Pick<RequestDoc, "id" | "pk">,
    change: (job: ExportJob) => ExportJob,
  ): Promise<ExportJob> {
    for (let attempt = 1; ; attempt++) {
      const found = await this.read(request);
      if (!found) throw new DomainError("not_found", "The export job is gone.");
      const next = ExportJob.parse({
        ...change(structuredClone(found.job)),
        updatedAt: this.app.ports.clock.now().toISOString(),
      });
      try {
        return ExportJob.parse((await this.jobs.replace(next, found.etag)).doc);
      } catch (e) {
        if (!(e instanceof PreconditionFailedError) || attempt >= MAX_ATTEMPTS) throw e;
      }
    }
  }

  /** `mutate`, only while `runId` still owns the job. */
  async mutateOwned(
    request: Pick<RequestDoc, "id" | "pk">,
    runId: string,
    change: (job: ExportJob) => ExportJob,
  ): Promise<ExportJob> {
    return this.mutate(request, (job) => {
      if (job.runId !== runId) throw new SupersededError();
      return change(job);
    });
  }

  /** Jobs of every partition matching `where` (reconciliation), a page at a time. */
  async *scan(where: Condition[] = []): AsyncIterable<ExportJob> {
    let continuationToken: string | undefined;
    do {
      const page = await this.jobs.query<ExportJob>({
        where,
        limit: 100,
        ...(continuationToken ? { continuationToken } : {}),
      });
      for (const item of page.items) {
        const parsed = ExportJob.safeParse(item);
        if (parsed.success) yield parsed.data;
      }
      continuationToken = page.continuationToken;
    } while (continuationToken);
  }
}
