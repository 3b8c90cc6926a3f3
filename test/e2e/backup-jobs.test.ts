import { createHash } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { readSet, setTenants, tenantBlobName, type BackupSetTenant } from "../../src/app/backups/catalogue";
import { readSetJob } from "../../src/app/backups/job";
import { runBackupSetJob, takeScheduledBackup, TENANT_CONCURRENCY } from "../../src/app/backups/take";
import { cosmosEntries } from "../../src/domain/inventory/schema";
import { functionTable } from "../../src/function-table";
import type { BlobStore } from "../../src/ports/blob-store";
import type { ScheduledMessage, Scheduler } from "../../src/ports/scheduler";
import { startTestHost, type TestHost } from "../support/host";
import { observedStore, patchPort, wrapCollection } from "../support/ports";

/**
 * A backup set is a job: POST /v1/backups answers 202 with the set's URL before any tenant is
 * written (the front end cuts a response at 230 s), one `backup-sets` message writes it, tenants a few
 * at a time, and the URL shows the progress. Duplicate deliveries (sequential and concurrent) write it
 * once and never interleave a tenant's blob and entry; a set that crashed half-way resumes on
 * redelivery after the tenants already in it; a delivery while another still writes (its lock lost)
 * leaves the set to it. The daily timer starts the same job.
 */
let host: TestHost;
let officer: string;
let undo: (() => void)[] = [];

const SMALL = {
  conversations: 1,
  messagesPerConversation: 2,
  audioPerConversation: 0,
  knowledgeBaseFiles: 0,
  members: 0,
  apiKeys: 0,
  bots: 1,
  payments: 0,
  usageRecords: 1,
};

beforeAll(async () => {
  host = await startTestHost();
  officer = await host.token("privacy_officer");
});
afterEach(() => {
  for (const u of undo.reverse()) u();
  undo = [];
});
afterAll(async () => {
  await host?.stop();
});

const app = () => host.runtime.app;

async function seed(): Promise<string> {
  const res = await host.call("POST", "/_dev/seed", { body: SMALL });
  expect(res.status).toBe(201);
  return res.body.tenantId as string;
}

/** Service Bus from the sender's side: records, never delivers. */
function recordingScheduler() {
  const sent: ScheduledMessage[] = [];
  const scheduler: Scheduler = {
    async schedule(message) {
      sent.push(message);
      return String(sent.length);
    },
    async cancel() {
      return "not_found";
    },
  };
  undo.push(patchPort(host, "scheduler", scheduler));
  return { sent, jobs: () => sent.filter((m) => m.queue === "backup-sets") };
}

/** POST /v1/backups with the recording scheduler in place: the set as answered, and its message. */
async function startSet(sb: ReturnType<typeof recordingScheduler>) {
  const res = await host.call("POST", "/v1/backups", { token: officer });
  expect(res.status).toBe(202);
  expect(res.headers.get("location")).toBe(`/api/v1/backups/${res.body.id}`);
  const message = sb.jobs().find((m) => m.messageId === `backup-set:${res.body.id}`);
  expect(message).toBeDefined();
  return { set: res.body as { id: string; status: string }, message: message! };
}

const poll = async (id: string) => {
  const res = await host.call("GET", `/v1/backups/${id}`, { token: officer });
  expect(res.status).toBe(200);
  return res.body;
};

async function entries(setId: string): Promise<Map<string, BackupSetTenant>> {
  const out = new Map<string, BackupSetTenant>();
  for await (const t of setTenants(app(), setId)) out.set(t.tenantId, t);
  return out;
}

/** Every tenant entry of a set matches its blob byte for byte (no interleaved writers). */
async function expectIntact(setId: string) {
  for (const entry of (await entries(setId)).values()) {
    const raw = await app().ports.blobs.read("backups", tenantBlobName(setId, entry.tenantId));
    expect(createHash("sha256").update(raw!).digest("hex"), entry.tenantId).toBe(entry.sha256);
    expect(raw!.length).toBe(entry.bytes);
  }
}

const platformTenantCount = async () => {
  const entry = cosmosEntries(app().inventory).find((e) => e.category === "account")!;
  return (await app().ports.documents.collection("platform", entry.store.container).query({ limit: 1000 }))
    .items.length;
};

/** A blob store whose puts to the backups container wait for `gate` (a writer that is slow). */
function slowBlobs(gate: Promise<void>, onPut: () => void): BlobStore {
  const base = app().ports.blobs;
  return new Proxy(base, {
    get(target, prop, receiver) {
      if (prop === "put") {
        return async (...args: Parameters<BlobStore["put"]>) => {
          if (args[0] === "backups" && !args[1].endsWith("manifest.json")) {
            onPut();
            await gate;
          }
          return target.put(...args);
        };
      }
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

describe("POST /v1/backups, the Azure-shaped path", () => {
  it("answers 202 with the set's URL before any tenant is written; the queued job writes it, once", async () => {
    await seed();
    await seed();
    const sb = recordingScheduler();
    const { set, message } = await startSet(sb);
    expect(set.status).toBe("writing");
    expect(message.body).toEqual({ setId: set.id });
    expect(message.deliverAt.getTime()).toBeLessThanOrEqual(host.runtime.app.ports.clock.now().getTime());
    // Nothing written yet, and the URL says so.
    const before = await poll(set.id);
    expect(before).toMatchObject({
      id: set.id,
      status: "writing",
      progress: { tenantsWritten: 0, running: false },
    });
    expect(await app().ports.blobs.count("backups", `${set.id}/`)).toBe(0);
    // The set's rotation was scheduled before any data was copied.
    expect(sb.sent.some((m) => m.queue === "backup-rotation" && m.body.setId === set.id)).toBe(true);

    // Service Bus delivers it to the registered queue function.
    const fn = functionTable({ includeDev: false }).find(
      (f) => f.trigger === "queue" && f.queue === "backup-sets",
    );
    if (!fn || fn.trigger !== "queue") throw new Error("no function listens on backup-sets");
    await fn.handle(host.runtime, message.body, { messageId: message.messageId, deliveryCount: 1 });
    const tenants = await platformTenantCount();
    const after = await poll(set.id);
    expect(after).toMatchObject({ id: set.id, status: "active", tenants });
    expect(after.progress).toBeUndefined();
    expect(after.finishedAt).toEqual(expect.any(String));
    await expectIntact(set.id);
    const written = await entries(set.id);

    // The same message again: nothing is written again.
    await fn.handle(host.runtime, message.body, { messageId: message.messageId, deliveryCount: 2 });
    expect((await runBackupSetJob(app(), message.body)).outcome).toBe("already_written");
    const again = await entries(set.id);
    for (const [tenantId, e] of written) expect(again.get(tenantId)?.writtenAt).toBe(e.writtenAt);
    expect((await readSetJob(app(), set.id))?.runs).toBe(1);
  });

  it("two deliveries at once write the set once, with every tenant's blob and entry from one writer", async () => {
    const sb = recordingScheduler();
    const { set, message } = await startSet(sb);
    const outcomes = await Promise.all([
      runBackupSetJob(app(), message.body),
      runBackupSetJob(app(), message.body),
    ]);
    expect(outcomes.filter((o) => o.outcome === "written")).toHaveLength(1);
    for (const o of outcomes)
      expect(["written", "claimed_elsewhere", "already_written"]).toContain(o.outcome);
    expect((await readSet(app(), set.id))?.doc.status).toBe("active");
    await expectIntact(set.id);
    expect((await readSetJob(app(), set.id))?.runs).toBe(1);
  });

  it("a second delivery while the first still writes (lock lost) leaves the set to it; progress shows on the URL", async () => {
    const sb = recordingScheduler();
    const { set, message } = await startSet(sb);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let puts = 0;
    undo.push(
      patchPort(
        host,
        "blobs",
        slowBlobs(gate, () => puts++),
      ),
    );
    const first = runBackupSetJob(app(), message.body);
    await vi.waitFor(() => expect(puts).toBeGreaterThan(0));
    const during = await poll(set.id);
    expect(during).toMatchObject({ status: "writing", progress: { running: true, runs: 1 } });
    const second = await runBackupSetJob(app(), message.body);
    expect(second.outcome).toBe("claimed_elsewhere");
    const recheck = sb.jobs().at(-1)!;
    expect(recheck.messageId).toMatch(new RegExp(`^backup-set:${set.id}:after:`));
    const job = await readSetJob(app(), set.id);
    expect(recheck.deliverAt.getTime()).toBeGreaterThan(Date.parse(job!.lease!.until));
    release();
    expect((await first).outcome).toBe("written");
    expect(await poll(set.id)).toMatchObject({ status: "active" });
    await expectIntact(set.id);
    expect((await runBackupSetJob(app(), recheck.body)).outcome).toBe("already_written");
    expect((await readSetJob(app(), set.id))?.runs).toBe(1);
  });
});

describe("tenants a few at a time", () => {
  it("writes at most TENANT_CONCURRENCY tenants at once, and the set completes", async () => {
    for (let i = 0; i <= TENANT_CONCURRENCY; i++) await seed();
    const sb = recordingScheduler();
    const { set, message } = await startSet(sb);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let waiting = 0;
    // A tenant has started once its holding is recorded (an erased tenant, skipped, never gets one).
    const started = new Set<string>();
    undo.push(
      patchPort(
        host,
        "blobs",
        slowBlobs(gate, () => waiting++),
      ),
    );
    undo.push(
      patchPort(
        host,
        "documents",
        observedStore(app().ports.documents, ({ method, args }) => {
          const doc = args[0] as { docType?: string; setId?: string; subject?: string };
          if (method === "upsert" && doc.docType === "backup-holding" && doc.setId === set.id) {
            if (doc.subject?.startsWith("tenant:")) started.add(doc.subject);
          }
        }),
      ),
    );
    const run = runBackupSetJob(app(), message.body);
    // Every writer waits on its upload: no tenant can finish, so none more can start.
    await vi.waitFor(() => expect(waiting).toBe(TENANT_CONCURRENCY));
    expect(started.size).toBe(TENANT_CONCURRENCY);
    release();
    expect((await run).outcome).toBe("written");
    expect(started.size).toBeGreaterThan(TENANT_CONCURRENCY);
    expect(await poll(set.id)).toMatchObject({ status: "active", tenants: await platformTenantCount() });
    await expectIntact(set.id);
  });
});

describe("a crash mid-set", () => {
  it("fails the delivery; redelivery resumes after the tenants already written, which are not written again", async () => {
    const doomed = await seed();
    const sb = recordingScheduler();
    const { set, message } = await startSet(sb);
    // One tenant's store fails while the set is written: the writer stops there.
    const botsContainer = cosmosEntries(app().inventory).find((e) => e.store.container === "bots")?.store
      .container;
    expect(botsContainer).toBeDefined();
    const restore = patchPort(
      host,
      "documents",
      wrapCollection(app().ports.documents, botsContainer!, (c) => ({
        query: async (spec) => {
          if (spec.partitionKey === doomed) throw new Error("injected: the store went away");
          return c.query(spec);
        },
      })),
    );
    await expect(runBackupSetJob(app(), message.body)).rejects.toThrow(/injected/);
    restore();
    const half = await poll(set.id);
    expect(half).toMatchObject({ status: "writing", progress: { running: false, runs: 1 } });
    const before = await entries(set.id);
    expect(before.has(doomed)).toBe(false);
    expect(before.size).toBeGreaterThan(0); // the others in flight finished: their entries stay
    // Redelivered: resumes, writes the rest, and leaves the tenants already written alone.
    expect((await runBackupSetJob(app(), message.body)).outcome).toBe("written");
    const after = await entries(set.id);
    expect(after.has(doomed)).toBe(true);
    for (const [tenantId, e] of before) expect(after.get(tenantId)?.writtenAt).toBe(e.writtenAt);
    expect(await poll(set.id)).toMatchObject({ status: "active", tenants: await platformTenantCount() });
    await expectIntact(set.id);
    expect((await readSetJob(app(), set.id))?.runs).toBe(2);
  });

  it("through the local scheduler: the failed delivery is retried on the next pass and the set completes", async () => {
    const doomed = await seed();
    let failing = true;
    const botsContainer = "bots";
    undo.push(
      patchPort(
        host,
        "documents",
        wrapCollection(app().ports.documents, botsContainer, (c) => ({
          query: async (spec) => {
            if (failing && spec.partitionKey === doomed) throw new Error("injected: the store went away");
            return c.query(spec);
          },
        })),
      ),
    );
    // Locally the job runs inside the POST; its failure is a failed delivery, not a failed answer.
    const res = await host.call("POST", "/v1/backups", { token: officer });
    expect(res.status).toBe(202);
    expect(res.body.status).toBe("writing");
    failing = false;
    expect(await host.runtime.dev!.deliverDue()).toBe(1);
    expect(await poll(res.body.id)).toMatchObject({ status: "active" });
    await expectIntact(res.body.id);
  });
});

describe("the daily timer", () => {
  it("starts the same job: one `backup-sets` message for the day's set", async () => {
    const sb = recordingScheduler();
    const set = await takeScheduledBackup(app());
    expect(set).toMatchObject({ status: "writing", trigger: "schedule" });
    expect(sb.jobs().map((m) => m.messageId)).toEqual([`backup-set:${set!.id}`]);
    expect(await takeScheduledBackup(app())).toBeUndefined();
    expect((await runBackupSetJob(app(), sb.jobs()[0]!.body)).outcome).toBe("written");
    expect((await readSet(app(), set!.id))?.doc.status).toBe("active");
  });
});

describe("the local path", () => {
  it("POST answers 202 with the set already written (the local scheduler delivers work at once)", async () => {
    const res = await host.call("POST", "/v1/backups", { token: officer });
    expect(res.status).toBe(202);
    expect(res.body.status).toBe("active");
    expect((await poll(res.body.id)).status).toBe("active");
  });

  it("refuses what it cannot do: unknown set, bad id, wrong role, malformed message", async () => {
    expect(
      (await host.call("GET", "/v1/backups/bk-20200101T000000Z-abcdef", { token: officer })).status,
    ).toBe(404);
    expect((await host.call("GET", "/v1/backups/not-a-set", { token: officer })).status).toBe(400);
    expect(
      (
        await host.call("GET", "/v1/backups/bk-20200101T000000Z-abcdef", {
          token: await host.token("support"),
        })
      ).status,
    ).toBe(403);
    expect((await runBackupSetJob(app(), { setId: "nope" })).outcome).toBe("malformed_message_dropped");
    expect((await runBackupSetJob(app(), { setId: "bk-20200101T000000Z-abcdef" })).outcome).toBe("not_found");
  });
});
