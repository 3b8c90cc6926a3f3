import { createHash, randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { RequestDoc } from "../../domain/requests/model";
import { addRefused, type RefusedReference } from "../../domain/storage/record-references";
import type { AppContext } from "../context";
import {
  EXPORT_CONTAINER,
  type ExportJob,
  ExportJobs,
  packageBlobName,
  requestBlobPrefix,
  subjectOf,
  SupersededError,
} from "./job";
import { compressible, estimatePart, ndjson, openFiles, type Part, planExport, recordPages } from "./sources";
import { auditRefusals } from "./refusals";
import { buildSummary, renderSummaryHtml, type SummaryCategory } from "./summary";
import { ManifestFiles } from "./manifest-files";
import { HashTap, PackageWriter } from "./zip-writer";

/** Progress is written to the job at most this often (and at the end). */
export const HEARTBEAT_MS = 2_000;

type Step = (name: string) => void;

/**
 * Counts records done and persists them, throttled; it is also the run's heartbeat and ownership check.
 * The estimate (a count per part, for the percentage shown) is made only at the first heartbeat: an
 * export that finishes before one never shows it, so it never pays for counting what it reads anyway
 * (a COUNT costs a scan of the partition in the emulator, and a listing of every name for blobs); a
 * longer one counts then only the parts not yet finished, beside the export.
 */
class Progress {
  done = 0;
  /** Known once the counts are in; 0 until then. */
  estimated = 0;
  current?: string;
  private lastFlush = 0;
  private estimating?: Promise<void>;
  /** The part being written, and the records done before it. */
  private part = 0;
  private doneBeforePart = 0;

  constructor(
    private readonly app: AppContext,
    private readonly jobs: ExportJobs,
    private readonly request: RequestDoc,
    private readonly runId: string,
    private readonly parts: readonly Part[],
  ) {
    this.lastFlush = app.ports.clock.now().getTime();
  }

  startPart(index: number): void {
    this.part = index;
    this.doneBeforePart = this.done;
    this.current = this.parts[index]?.entry.category;
  }

  async add(n: number): Promise<void> {
    this.done += n;
    if (this.app.ports.clock.now().getTime() - this.lastFlush >= HEARTBEAT_MS) await this.flush();
  }

  /** `finished`: every part is written, `done` is the total (no estimate is started for it). */
  async flush(finished = false): Promise<void> {
    if (!finished) this.estimate();
    this.lastFlush = this.app.ports.clock.now().getTime();
    const estimated = finished ? this.done : this.estimated > 0 ? Math.max(this.estimated, this.done) : 0;
    await this.jobs.mutateOwned(this.request, this.runId, (job) => ({
      ...job,
      progress: {
        recordsDone: this.done,
        recordsEstimated: estimated,
        ...(this.current ? { current: this.current } : {}),
      },
    }));
  }

  /** Waits for the counting, if it started, so nothing of this run is left reading. */
  async settled(): Promise<void> {
    await this.estimating;
  }

  private estimate(): void {
    if (this.estimating) return;
    const before = this.doneBeforePart;
    this.estimating = Promise.all(this.parts.slice(this.part).map((p) => estimatePart(this.app, p))).then(
      (counts) => {
        this.estimated = before + counts.reduce((a, b) => a + b, 0);
      },
      () => undefined,
    );
  }
}

/** Deletes every blob of the request in `exports` except `keep`: what a crashed run left behind. */
export async function deleteRequestBlobs(app: AppContext, requestId: string, keep?: string): Promise<number> {
  const names: string[] = [];
  for await (const blob of app.ports.blobs.list(EXPORT_CONTAINER, requestBlobPrefix(requestId))) {
    if (blob.name !== keep) names.push(blob.name);
  }
  for (const name of names) await app.ports.blobs.delete(EXPORT_CONTAINER, name);
  return names.length;
}

const subjectView = (request: RequestDoc) =>
  request.scope.type === "account"
    ? { type: "account" as const, tenantId: request.scope.tenantId }
    : {
        type: "whatsapp_number" as const,
        number: request.scope.type === "whatsapp_number" ? request.scope.masked : "",
      };

/**
 * One run from scratch: take the job, clear what an earlier run left, stream every part of the plan
 * through the ZIP into a partial blob named for this run (the estimate for progress counted beside
 * it), then record the finished archive (`publishing`). Any failure deletes the partial blob and
 * marks the job failed; the next run starts clean.
 */
async function freshRun(app: AppContext, request: RequestDoc, step: Step): Promise<ExportJob> {
  const jobs = new ExportJobs(app);
  const plan = planExport(app, subjectOf(request));
  const runId = randomUUID();
  let job = await jobs.claim(request, runId, 0);
  const partial = job.partialBlob!;
  step("export:clean");
  await deleteRequestBlobs(app, request.id, partial);

  const generatedAt = app.ports.clock.now();
  const writer = new PackageWriter(
    (body) =>
      app.ports.blobs.put(EXPORT_CONTAINER, partial, body, {
        contentType: "application/zip",
        metadata: { requestid: request.id, runid: runId, state: "partial" },
      }),
    generatedAt,
  );
  const progress = new Progress(app, jobs, request, runId, plan.parts);
  const files = new ManifestFiles();
  const counts: Record<string, number> = {};
  const categories: SummaryCategory[] = [];
  let refusedReferences: RefusedReference[] = [];
  try {
    for (const [index, part] of plan.parts.entries()) {
      const category = part.entry.category;
      step(`export:${category}`);
      progress.startPart(index);
      const refuse = (n: number) => {
        refusedReferences = addRefused(
          refusedReferences,
          category,
          part.kind === "files" ? (part.linkField ?? "") : "",
          n,
        );
      };
      counts[category] = await writePart(app, writer, part, files, progress, refuse);
      categories.push({
        entry: part.entry,
        count: counts[category],
        location: part.kind === "records" ? part.path : `files/${category}/`,
      });
    }
    step("export:summary");
    const summary = buildSummary({
      requestId: request.id,
      generatedAt: generatedAt.toISOString(),
      subject: subjectView(request),
      categories,
      notIncluded: plan.excluded,
      refusedReferences,
      policy: app.policy,
      grievanceOfficer: app.settings.dpoContact,
    });
    files.add(writer.addBuffer("summary.json", Buffer.from(`${JSON.stringify(summary, null, 2)}\n`)));
    files.add(writer.addBuffer("summary.html", Buffer.from(renderSummaryHtml(summary))));
    const records = Object.values(counts).reduce((a, b) => a + b, 0);
    const manifest = {
      format: "dpdp-rights-export/1",
      requestId: request.id,
      generatedAt: generatedAt.toISOString(),
      subject: subjectView(request),
      hashAlgorithm: "sha256",
      counts,
      /** Records (NDJSON lines) and files together. */
      totalItems: records,
      /** References on the subject's records into another tenant's storage: not followed, not counted. */
      refusedReferences,
    };
    await writer.addStream("manifest.json", files.json(manifest), { compress: true });
    step("export:upload");
    const archive = await writer.finish();
    await auditRefusals(app, request.id, refusedReferences);
    await progress.settled();
    progress.current = undefined;
    await progress.flush(true);
    step("export:publish");
    job = await jobs.mutateOwned(request, runId, (j) => ({
      ...j,
      status: "publishing",
      package: {
        container: EXPORT_CONTAINER,
        blob: partial,
        bytes: archive.bytes,
        sha256: archive.sha256,
        files: files.count + 1,
        records,
        counts,
        ...(refusedReferences.length ? { refusedReferences } : {}),
      },
    }));
    return job;
  } catch (e) {
    const error = e instanceof Error ? e : new Error("the export failed");
    writer.abort(error);
    await writer.settle();
    await progress.settled();
    await app.ports.blobs.delete(EXPORT_CONTAINER, partial).catch(() => false);
    if (!(error instanceof SupersededError)) {
      const at = app.ports.clock.now().toISOString();
      await jobs
        .mutateOwned(request, runId, (j) => ({
          ...j,
          status: "failed",
          failure: { at, step: progress.current ?? "export", message: error.message.slice(0, 300) },
        }))
        .catch(() => undefined);
    }
    throw error;
  }
}

/**
 * A 48-bit digest of a ZIP path, for telling whether a part already used it: a number per file where
 * the path itself would cost several times that (it is the export's memory that grows with its files).
 * Two paths alike in it, about once in 10^14 pairs, would only give the second file a suffix.
 */
const pathKey = (path: string) => createHash("sha1").update(path).digest().readUIntBE(0, 6);

/** Writes one part; returns its records (Cosmos) or files (Blob). */
async function writePart(
  app: AppContext,
  writer: PackageWriter,
  part: Part,
  files: ManifestFiles,
  progress: Progress,
  onRefused: (count: number) => void,
): Promise<number> {
  const category = part.entry.category;
  if (part.kind === "records") {
    let records = 0;
    const entry = part.entry;
    async function* chunks(): AsyncGenerator<Buffer> {
      for await (const page of recordPages(app, part as Extract<Part, { kind: "records" }>)) {
        records += page.length;
        yield ndjson(entry, page);
        await progress.add(page.length);
      }
    }
    const written = await writer.addStream(part.path, chunks(), { compress: true });
    files.add({ ...written, category, records });
    return records;
  }
  let count = 0;
  const seen = new Set<number>();
  for await (const file of openFiles(app, part, onRefused)) {
    let path = part.pathOf(file.name);
    // Two blob names that sanitise alike keep both files.
    if (seen.has(pathKey(path))) path = `${path}.${count}`;
    seen.add(pathKey(path));
    const written = await writer.addStream(path, file.stream, { compress: compressible(file.name) });
    files.add({ ...written, category });
    count++;
    await progress.add(1);
  }
  return count;
}

/**
 * The finished archive becomes `<requestId>/export.zip`: copied from the run's partial blob and checked
 * against the archive's SHA-256 on the way, then the job says `ready` and the partial blob goes.
 * Idempotent: a re-run after a crash here repeats the copy (or finds it done) and converges.
 */
async function publish(app: AppContext, request: RequestDoc, job: ExportJob): Promise<ExportJob> {
  const jobs = new ExportJobs(app);
  const pkg = job.package;
  const partial = job.partialBlob;
  if (!pkg) throw new Error("the export job has no package to publish");
  const final = packageBlobName(request.id);
  const copyHash = async (from: string, to?: string): Promise<string | undefined> => {
    const source = await app.ports.blobs.openRead(EXPORT_CONTAINER, from);
    if (!source) return undefined;
    const tap = new HashTap();
    if (to) {
      source.on("error", (e: Error) => tap.destroy(e));
      await app.ports.blobs.put(EXPORT_CONTAINER, to, source.pipe(tap), {
        contentType: "application/zip",
        metadata: { requestid: request.id, sha256: pkg.sha256 },
      });
    } else {
      await pipeline(source, tap, new Writable({ write: (_chunk, _enc, done) => done() }));
    }
    return tap.digest;
  };
  let digest = partial ? await copyHash(partial, final) : undefined;
  // The partial blob is gone: a previous attempt copied it already, so the package must match.
  digest ??= await copyHash(final);
  if (digest !== pkg.sha256) {
    await app.ports.blobs.delete(EXPORT_CONTAINER, final);
    await jobs.mutate(request, (j) => ({
      ...j,
      status: "failed",
      failure: {
        at: app.ports.clock.now().toISOString(),
        step: "publish",
        message: "the package did not match its hash",
      },
    }));
    throw new Error(
      "The export package did not match its SHA-256 when published; the next run starts afresh.",
    );
  }
  const now = app.ports.clock.now();
  const ready = await jobs.mutate(request, (j) => {
    if (j.status === "ready") return j;
    const { partialBlob: _partial, failure: _failure, ...rest } = j;
    return {
      ...rest,
      status: "ready",
      package: { ...pkg, blob: final },
      readyAt: now.toISOString(),
      expiresAt: app.policy.deadline(now, "exportExpiry").toISOString(),
      progress: { ...j.progress, recordsDone: pkg.records, recordsEstimated: pkg.records },
    };
  });
  await deleteRequestBlobs(app, request.id, final);
  return ready;
}

/**
 * The package of an access request, made or finished as the job stands: `ready` is returned as is,
 * `publishing` is finished, anything else (no job, failed, a dead run, expired) starts a clean run.
 */
export async function preparePackage(app: AppContext, request: RequestDoc, step: Step): Promise<ExportJob> {
  const existing = await new ExportJobs(app).read(request);
  if (existing?.job.status === "ready") return existing.job;
  if (existing?.job.status === "publishing") {
    step("export:publish");
    return publish(app, request, existing.job);
  }
  const job = await freshRun(app, request, step);
  return publish(app, request, job);
}
