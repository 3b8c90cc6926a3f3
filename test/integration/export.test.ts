import { randomBytes } from "node:crypto";
import { newRequestId } from "../../src/domain/requests/request-id";
import { Readable, Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expireExport, reconcileExports } from "../../src/app/export/expiry";
import { ExportJobs, exportJobId } from "../../src/app/export/job";
import { omitFields, safeZipPath } from "../../src/app/export/sources";
import { humanDuration, retentionStatement } from "../../src/app/export/summary";
import { COALESCE_BYTES, PackageWriter } from "../../src/app/export/zip-writer";
import { dispatchRequestTimer } from "../../src/app/timers/request-timers";
import { defaultPolicy } from "../../src/domain/policy/periods";
import { platformInventory } from "../../src/domain/inventory/platform-inventory";
import { FIXED_EPOCH } from "../support/generators";
import { startTestHost, type TestHost } from "../support/host";

/**
 * The export's parts against the real emulators: the streaming writer under failure and memory
 * pressure, the expiry timer delivered twice, early and lost, and reconciliation of stalled runs.
 */

let host: TestHost;
const meta = { messageId: "m-1", deliveryCount: 1 };

beforeAll(async () => {
  host = await startTestHost();
});
afterAll(async () => {
  await host?.stop();
});

const exists = async (name: string) =>
  (await host.runtime.app.ports.blobs.read("exports", name)) !== undefined;

async function completedExport() {
  const seeded = (
    await host.call("POST", "/_dev/seed", { body: { conversations: 2, messagesPerConversation: 2 } })
  ).body as { tenantId: string; ownerToken: string };
  const res = await host.call("POST", "/v1/requests", { token: seeded.ownerToken, body: { kind: "access" } });
  expect(res.body.status).toBe("completed");
  const id = res.body.id as string;
  const job = (await new ExportJobs(host.runtime.app).read({ id, pk: `tenant:${seeded.tenantId}` }))!.job;
  return { id, seeded, job };
}

describe("PackageWriter (ZIP stream into a blob upload)", () => {
  it("a source failing mid-entry rejects, and the upload commits nothing", async () => {
    const name = `it-${randomBytes(4).toString("hex")}/partial.zip`;
    const writer = new PackageWriter(
      (body) => host.runtime.app.ports.blobs.put("exports", name, body),
      FIXED_EPOCH,
    );
    async function* failing(): AsyncGenerator<Buffer> {
      yield randomBytes(256 * 1024);
      throw new Error("source broke");
    }
    await expect(writer.addStream("data/a.ndjson", failing(), { compress: true })).rejects.toThrow(
      "source broke",
    );
    await writer.settle();
    expect(await exists(name)).toBe(false);
  });

  it("an upload failing mid-stream rejects the entry being written instead of hanging", async () => {
    let received = 0;
    const writer = new PackageWriter(
      (body) =>
        new Promise<void>((_, reject) => {
          body.on("data", (chunk: Buffer) => {
            received += chunk.length;
            if (received > 1024 * 1024) {
              body.destroy();
              reject(new Error("upload broke"));
            }
          });
        }),
      FIXED_EPOCH,
    );
    async function* endless(): AsyncGenerator<Buffer> {
      for (;;) yield randomBytes(64 * 1024);
    }
    await expect(writer.addStream("files/big.bin", endless(), { compress: false })).rejects.toThrow(
      "upload broke",
    );
  });

  it("memory stays flat: 96 MB through the archive into a slow consumer holds a few MB at most", async () => {
    // Bytes read from the source but not yet taken by the consumer are what the archive holds; counting
    // them is exact, where the process's RSS moves with the collector and whatever else the worker runs.
    const chunk = Buffer.alloc(256 * 1024, 7);
    let produced = 0;
    let consumed = 0;
    let peakHeld = 0;
    const writer = new PackageWriter(
      (body) =>
        new Promise<void>((resolve, reject) => {
          const slow = new Writable({
            highWaterMark: 64 * 1024,
            write(c: Buffer, _e, done) {
              consumed += c.length;
              setImmediate(done);
            },
          });
          slow.on("finish", resolve);
          slow.on("error", reject);
          body.pipe(slow);
        }),
      FIXED_EPOCH,
    );
    async function* source(n: number): AsyncGenerator<Buffer> {
      for (let i = 0; i < n; i++) {
        peakHeld = Math.max(peakHeld, produced - consumed);
        produced += chunk.length;
        yield chunk;
      }
    }
    const file = await writer.addStream("files/large.bin", source(384), { compress: false });
    expect(file.bytes).toBe(96 * 1024 * 1024);
    writer.addBuffer("manifest.json", Buffer.from("{}"));
    const archive = await writer.finish();
    expect(consumed).toBe(archive.bytes);
    expect(archive.bytes).toBeGreaterThan(96 * 1024 * 1024);
    expect(peakHeld).toBeGreaterThan(0);
    expect(peakHeld).toBeLessThan(8 * 1024 * 1024);
  });

  it("the upload receives chunks that own their bytes, not slices pinning larger buffers", async () => {
    // Thousands of tiny deflated files: each deflate output is a slice of a 16 KB zlib buffer. An
    // upload holding chunks until it has a 4 MB block would pin every one of those buffers.
    const chunks: Buffer[] = [];
    const writer = new PackageWriter(
      (body) =>
        new Promise<void>((resolve, reject) => {
          body.on("data", (c: Buffer) => chunks.push(c));
          body.on("end", resolve);
          body.on("error", reject);
        }),
      FIXED_EPOCH,
    );
    for (let i = 0; i < 2000; i++) {
      await writer.addStream(`files/t/${i}.txt`, Readable.from([Buffer.from(`transcript ${i} `.repeat(8))]), {
        compress: true,
      });
    }
    const archive = await writer.finish();
    const total = chunks.reduce((n, c) => n + c.length, 0);
    expect(total).toBe(archive.bytes);
    const backing = new Set(chunks.map((c) => c.buffer));
    const pinned = [...backing].reduce((n, b) => n + b.byteLength, 0);
    expect(pinned).toBeLessThanOrEqual(total + 8192);
    for (const c of chunks.slice(0, -1)) expect(c.length).toBe(COALESCE_BYTES);
  });

  it("an entry's source is read only when the archive reaches it", async () => {
    let pulled = 0;
    const lazy = Readable.from(
      (async function* () {
        pulled++;
        yield Buffer.from("x");
      })(),
    );
    const gate: { open?: () => void } = {};
    const writer = new PackageWriter(
      (body) =>
        new Promise<void>((resolve) => {
          gate.open = () => {
            body.resume();
            body.on("end", resolve);
          };
        }),
      FIXED_EPOCH,
    );
    const first = writer.addStream("a.txt", Readable.from([Buffer.alloc(4 * 1024 * 1024)]), {
      compress: false,
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(pulled).toBe(0);
    gate.open!();
    await first;
    await writer.addStream("b.txt", lazy, { compress: false });
    expect(pulled).toBe(1);
    await writer.finish();
  });
});

describe("the export_expiry timer", () => {
  it("deletes once; a second delivery and reconciliation find nothing more to do", async () => {
    const { id, job } = await completedExport();
    expect(await exists(`${id}/export.zip`)).toBe(true);
    await host.runtime.dev!.advanceClock(new Date(Date.parse(job.expiresAt!) - 60_000));
    expect(await exists(`${id}/export.zip`)).toBe(true);
    const body = { type: "export_expiry", requestId: id };
    await host.runtime.dev!.advanceClock(new Date(Date.parse(job.expiresAt!) + 1000));
    expect(await exists(`${id}/export.zip`)).toBe(false);
    expect(await dispatchRequestTimer(host.runtime.app, body, meta)).toMatchObject({
      outcome: "already_expired",
    });
    expect(await expireExport(host.runtime.app, id, "reconciliation")).toBe("already_expired");
    const after = await new ExportJobs(host.runtime.app).findByRequestId(id);
    expect(after).toMatchObject({ status: "expired" });
    expect(after?.expiryTicket).toBeUndefined();
  });

  it("delivered early it does nothing but make sure a message waits for the real time", async () => {
    const { id } = await completedExport();
    const scheduler = host.runtime.dev!.scheduler;
    const waiting = () =>
      scheduler.pending().filter((j) => j.queue === "request-timers" && j.body.requestId === id).length;
    expect(waiting()).toBe(1);
    expect(
      await dispatchRequestTimer(host.runtime.app, { type: "export_expiry", requestId: id }, meta),
    ).toMatchObject({ outcome: "early" });
    expect(await exists(`${id}/export.zip`)).toBe(true);
    expect(waiting()).toBe(2);
  });

  it("other types pass by untouched; a malformed body is completed, not retried forever", async () => {
    expect(
      await dispatchRequestTimer(host.runtime.app, { type: "unknown_timer", requestId: "r-x" }, meta),
    ).toEqual({ type: "unknown_timer", outcome: "no_handler_dropped" });
    expect(
      await dispatchRequestTimer(host.runtime.app, { type: "export_expiry", requestId: 7 }, meta),
    ).toEqual({
      type: "export_expiry",
      outcome: "malformed_message_dropped",
    });
    expect(await dispatchRequestTimer(host.runtime.app, "junk", meta)).toEqual({
      type: "unreadable",
      outcome: "malformed_message_dropped",
    });
  });
});

describe("reconciliation", () => {
  it("deletes a package whose expiry message was lost", async () => {
    const { id, job } = await completedExport();
    const scheduler = host.runtime.dev!.scheduler;
    expect(await scheduler.cancel("request-timers", job.expiryTicket!)).toBe("cancelled");
    await host.runtime.dev!.advanceClock(new Date(Date.parse(job.expiresAt!) + 1000));
    expect(await exists(`${id}/export.zip`)).toBe(false);
    expect(await new ExportJobs(host.runtime.app).findByRequestId(id)).toMatchObject({ status: "expired" });
  });

  it("runs again an export whose run died without a trace, and one that never started", async () => {
    const { id, seeded } = await completedExport();
    // A run that died: the job says running, its heartbeat is old, the request is still in progress.
    const jobs = host.runtime.app.ports.documents.collection("service", "jobs");
    const pk = `tenant:${seeded.tenantId}`;
    const read = (await jobs.read<Record<string, unknown> & { id: string }>(exportJobId(id), pk))!;
    await jobs.upsert({
      ...read.doc,
      status: "running",
      runId: "dead",
      partialBlob: `${id}/partial-dead.zip`,
    });
    await host.runtime.app.ports.blobs.delete("exports", `${id}/export.zip`);
    await host.runtime.app.stores.requests.update(id, (doc) => ({ ...doc, status: "in_progress" }));
    // A verified access request that never ran (a lost trigger).
    const other = (
      await host.call("POST", "/_dev/seed", { body: { conversations: 1, messagesPerConversation: 1 } })
    ).body as { tenantId: string; ownerToken: string };
    const created = await host.runtime.app.stores.requests.create({
      ...(await host.runtime.app.stores.requests.get(id)),
      id: newRequestId(`tenant:${other.tenantId}`),
      pk: `tenant:${other.tenantId}`,
      scope: { type: "account", tenantId: other.tenantId },
      tenantId: other.tenantId,
      status: "verified",
      verifiedAt: host.runtime.app.ports.clock.now().toISOString(),
      version: 1,
    });

    expect(await reconcileExports(host.runtime.app)).toEqual({ expired: 0, rerun: 0 });
    await host.runtime.dev!.advanceClock(
      new Date(host.runtime.app.ports.clock.now().getTime() + 16 * 60_000),
    );
    for (const requestId of [id, created.id]) {
      expect((await host.runtime.app.stores.requests.get(requestId)).status).toBe("completed");
      expect(await exists(`${requestId}/export.zip`)).toBe(true);
    }
  });
});

describe("pure parts", () => {
  it("omits top-level and nested fields without touching the record", () => {
    const doc = { id: "k", keyHash: "h", meta: { secret: "s", keep: 1 }, list: [1] };
    expect(omitFields(doc, ["keyHash", "meta.secret", "list.x", "absent.deep"])).toEqual({
      id: "k",
      meta: { keep: 1 },
      list: [1],
    });
    expect(doc.meta.secret).toBe("s");
  });

  it("makes safe ZIP paths of any blob name", () => {
    expect(safeZipPath("files", "audio", "t-1/../../etc/passwd")).toBe("files/audio/t-1/etc/passwd");
    expect(safeZipPath("files", "kb", "/abs\\win\\name<>.md")).toBe("files/kb/abs/win/name__.md");
  });

  it("states retention from the inventory and the periods", () => {
    expect(humanDuration("P7Y")).toBe("7 years");
    expect(humanDuration("PT24H")).toBe("24 hours");
    const byCategory = new Map(platformInventory.map((e) => [e.category, e]));
    expect(retentionStatement(byCategory.get("messages")!, defaultPolicy)).toMatchObject({
      whileActive: "For the life of the account (Privacy Policy §5)",
      afterAccountDeletion: "Deleted 30 days after the account is deleted",
      onWhatsAppErasure: expect.stringMatching(/^Deleted/),
    });
    expect(retentionStatement(byCategory.get("payments")!, defaultPolicy).afterAccountDeletion).toMatch(
      /billingName, billingEmail, billingPhone removed\) and kept 7 years/,
    );
    expect(byCategory.get("api_keys")!.export.omitFields).toContain("keyHash");
  });
});
