import { randomUUID } from "node:crypto";
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
import { HashTap, PackageWriter, type WrittenFile } from "./zip-writer";

/** Progress is written to the job at most this often (and at the end). */
export const HEARTBEAT_MS = 2_000;

export interface ManifestFile extends WrittenFile {
  category?: string;
  records?: number;
}

type Step = (name: string) => void;

/** Counts records done and persists them, throttled; it is also the run's heartbeat and ownership check. */
class Progress {
  done = 0;
  /** Known once the counts (run beside the export, not before it) are in; 0 until then. */
  estimated = 0;
  current?: string;
  private lastFlush = 0;

  constructor(
    private readonly app: AppContext,
    private readonly jobs: ExportJobs,
    private readonly request: RequestDoc,
    private readonly runId: string,
  ) {
    this.lastFlush = app.ports.clock.now().getTime();
  }

  async add(n: number): Promise<void> {
    this.done += n;
    if (this.app.ports.clock.now().getTime() - this.lastFlush >= HEARTBEAT_MS) await this.flush();
  }

  async flush(): Promise<void> {
    this.lastFlush = this.app.ports.clock.now().getTime();
    await this.jobs.mutateOwned(this.request, this.runId, (job) => ({
      ...job,
      progress: {
        recordsDone: this.done,
        recordsEstimated: this.estimated > 0 ? Math.max(this.estimated, this.done) : 0,
        ...(this.current ? { current: this.current } : {}),
      },
    }));
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
  const progress = new Progress(app, jobs, request, runId);
  // The estimate (a count per part) runs beside the export: progress shows it from the next heartbeat.
  const estimating = Promise.all(plan.parts.map((p) => estimatePart(app, p))).then(
    (counts) => {
      progress.estimated = counts.reduce((a, b) => a + b, 0);
    },
    () => undefined,
  );
  const files: ManifestFile[] = [];
  const counts: Record<string, number> = {};
  const categories: SummaryCategory[] = [];
  let refusedReferences: RefusedReference[] = [];
  try {
    for (const part of plan.parts) {
      const category = part.entry.category;
      step(`export:${category}`);
      progress.current = category;
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
    files.push(writer.addBuffer("summary.json", Buffer.from(`${JSON.stringify(summary, null, 2)}\n`)));
    files.push(writer.addBuffer("summary.html", Buffer.from(renderSummaryHtml(summary))));
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
      files,
    };
    writer.addBuffer("manifest.json", Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
    step("export:upload");
    const archive = await writer.finish();
    await auditRefusals(app, request.id, refusedReferences);
    await estimating;
    progress.current = undefined;
    await progress.flush();
    step("export:publish");
    job = await jobs.mutateOwned(request, runId, (j) => ({
      ...j,
      status: "publishing",
      package: {
        container: EXPORT_CONTAINER,
        blob: partial,
        bytes: archive.bytes,
        sha256: archive.sha256,
        files: files.length + 1,
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
    await estimating;
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

/** Writes one part; returns its records (Cosmos) or files (Blob). */
async function writePart(
  app: AppContext,
  writer: PackageWriter,
  part: Part,
  files: ManifestFile[],
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
    files.push({ ...written, category, records });
    return records;
  }
  let count = 0;
  const seen = new Set<string>();
  for await (const file of openFiles(app, part, onRefused)) {
    let path = part.pathOf(file.name);
    // Two blob names that sanitise alike keep both files.
    if (seen.has(path)) path = `${path}.${count}`;
    seen.add(path);
    const written = await writer.addStream(path, file.stream, { compress: compressible(file.name) });
    files.push({ ...written, category });
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
