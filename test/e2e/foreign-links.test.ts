import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromBufferPromise } from "yauzl";
import { runExecution } from "../../src/app/requests/execution";
import { principalErasureRecords } from "../../src/app/whatsapp-erasure/tenant-record";
import { hashWhatsAppNumber } from "../../src/domain/subject";
import { startTestHost, type TestHost } from "../support/host";
import { latestCode } from "../support/outbox";

/**
 * Links point only inside their tenant (issue 14, item 5), end to end over HTTP. Tenant B holds a
 * conversation with the number N whose `audioBlobs`/`transcriptBlobs` name, besides B's own blobs, a
 * blob of tenant A (whose id is B's plus "0": a prefix look-alike), the same blob through
 * `<B>/../<A>/…` (which the storage client resolves into A's storage), and a non-name. The access
 * export of N, the erasure of N and the account purge of B each leave A's blobs unread and in place, and
 * the export and the erasure record the refusal (counts, no names).
 */

const N = "+919800011122";

type Doc = { id: string } & Record<string, unknown>;
interface Seeded {
  tenantId: string;
  ownerToken: string;
}

let host: TestHost;
let officer: string;
let B: Seeded;
let A: Seeded;
let clientSeq = 0;

const client = () => ({ "x-forwarded-for": `10.77.0.${++clientSeq}` });
const blobs = () => host.runtime.app.ports.blobs;
const conversations = () => host.runtime.app.ports.documents.collection("platform", "conversations");
const audioOf = (tenantId: string, c: number) => `${tenantId}/c-${tenantId}-${c}/call-0.wav`;
const transcriptOf = (tenantId: string, c: number) => `${tenantId}/c-${tenantId}-${c}/call-0.txt`;

const EXPECTED_REFUSALS = [
  { category: "audio_recordings", field: "audioBlobs", count: 3 },
  { category: "transcripts", field: "transcriptBlobs", count: 1 },
];

async function seed(body: Record<string, unknown>): Promise<Seeded> {
  const res = await host.call("POST", "/_dev/seed", {
    body: {
      members: 0,
      apiKeys: 0,
      bots: 0,
      knowledgeBaseFiles: 0,
      payments: 0,
      usageRecords: 0,
      messagesPerConversation: 1,
      audioPerConversation: 1,
      ...body,
    },
  });
  expect(res.status).toBe(201);
  return res.body as Seeded;
}

/** What the platform would write if it linked B's conversation `c` to A's recording (a bug, or an attack). */
async function linkToTenantA(c: number) {
  const id = `c-${B.tenantId}-${c}`;
  const found = await conversations().read<Doc>(id, B.tenantId);
  expect(found).toBeDefined();
  await conversations().replace(
    {
      ...found!.doc,
      audioBlobs: [
        audioOf(B.tenantId, c),
        audioOf(A.tenantId, 0),
        `${B.tenantId}/../${audioOf(A.tenantId, 0)}`,
        42,
      ],
      transcriptBlobs: [transcriptOf(B.tenantId, c), transcriptOf(A.tenantId, 0)],
    },
    found!.etag,
  );
}

const read = async (container: string, name: string) => blobs().read(container, name);

/** A's recording and transcript, as they must stay. */
let aAudio: Buffer;
let aTranscript: Buffer;

async function writeTenantABlobs() {
  await blobs().put("audio", audioOf(A.tenantId, 0), aAudio, { contentType: "audio/wav" });
  await blobs().put("transcripts", transcriptOf(A.tenantId, 0), aTranscript, { contentType: "text/plain" });
}

async function expectTenantABlobsIntact() {
  expect(await read("audio", audioOf(A.tenantId, 0))).toEqual(aAudio);
  expect(await read("transcripts", transcriptOf(A.tenantId, 0))).toEqual(aTranscript);
}

async function tenantInventory(tenantId: string): Promise<Record<string, number>> {
  const res = await host.call("GET", `/v1/subjects/inventory?tenantId=${tenantId}`, { token: officer });
  expect(res.status).toBe(200);
  return Object.fromEntries(
    (res.body.categories as { category: string; records: number }[]).map((c) => [c.category, c.records]),
  );
}

/** A public request about N, verified with the code the outbox got. */
async function publicRequest(kind: "access" | "erasure") {
  const created = await host.call("POST", "/v1/requests", {
    body: { kind, scope: { type: "whatsapp_number", phone: N } },
    headers: client(),
  });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  const asRequester = { "x-request-token": created.body.requestToken as string };
  const verified = await host.call("POST", `/v1/requests/${id}/verification`, {
    headers: asRequester,
    body: { code: await latestCode(host, N) },
  });
  expect(verified.status).toBe(200);
  if (verified.body.status === "verified") await runExecution(host.runtime.app, id);
  const now = await host.call("GET", `/v1/requests/${id}`, { headers: asRequester });
  expect(now.body.status).toBe("completed");
  return { id, asRequester };
}

interface AuditView {
  action: string;
  data?: Record<string, unknown>;
}

async function auditTrail(id: string) {
  const trail = await host.call("GET", `/v1/requests/${id}/audit`, { token: officer });
  expect(trail.status).toBe(200);
  return { events: trail.body.events as AuditView[], text: JSON.stringify(trail.body) };
}

/** The refusal is on the trail as counts per category and field; no blob name, no other tenant. */
function expectRefusalsAudited(trail: { events: AuditView[]; text: string }) {
  const refused = trail.events.filter((e) => e.action === "foreign_reference_refused").map((e) => e.data);
  expect(refused).toEqual(EXPECTED_REFUSALS);
  expect(trail.text).not.toContain(A.tenantId);
  expect(trail.text).not.toContain("call-0");
}

async function unzip(zip: Buffer): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const archive = await fromBufferPromise(zip, { lazyEntries: true, strictFileNames: true });
  for await (const entry of archive.eachEntry()) {
    const chunks: Buffer[] = [];
    for await (const chunk of await archive.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
    files.set(entry.fileName, Buffer.concat(chunks));
  }
  return files;
}

async function download(id: string, auth: { token?: string; headers?: Record<string, string> }) {
  const link = await host.call("GET", `/v1/requests/${id}/export`, auth);
  expect(link.status).toBe(200);
  const res = await fetch(link.body.url as string);
  expect(res.status).toBe(200);
  return unzip(Buffer.from(await res.arrayBuffer()));
}

/** No file of the package is one of A's blobs, by path or by content. */
function expectNothingOfTenantA(files: Map<string, Buffer>) {
  for (const [path, content] of files) {
    expect(path).not.toContain(A.tenantId);
    expect(content.equals(aAudio), path).toBe(false);
    expect(content.equals(aTranscript), path).toBe(false);
  }
}

beforeAll(async () => {
  host = await startTestHost();
  officer = await host.token("privacy_officer");
  // B talks to N (conversation 0) and to one other contact (conversation 1).
  B = await seed({ conversations: 2, contacts: [N] });
  A = await seed({ tenantId: `${B.tenantId}0`, conversations: 1 });
  // Contents no file of B's can share (seeded transcripts of two tenants may read alike).
  aAudio = Buffer.from(`RIFF tenant ${A.tenantId} recording`);
  aTranscript = Buffer.from(`tenant ${A.tenantId} transcript`);
  await writeTenantABlobs();
  await linkToTenantA(0);
}, 120_000);

afterAll(async () => {
  await host?.stop();
});

describe("a reference from tenant B's record into tenant A's storage", () => {
  it("is real: the climbing name reaches A's blob through the storage client", async () => {
    // Why it must be refused and not merely prefix-checked: `<B>/../<A>/…` starts with `<B>/`.
    expect(await read("audio", `${B.tenantId}/../${audioOf(A.tenantId, 0)}`)).toEqual(aAudio);
  });

  it("is not counted as N's in the subject inventory", async () => {
    const res = await host.call("POST", "/v1/subjects/inventory", { token: officer, body: { whatsapp: N } });
    expect(res.status).toBe(200);
    const counts = Object.fromEntries(
      (res.body.categories as { category: string; records: number }[]).map((c) => [c.category, c.records]),
    );
    expect(counts).toMatchObject({ conversations: 1, audio_recordings: 1, transcripts: 1 });
  });

  it("the access export of N holds B's own blobs, not A's, and records the refusal", async () => {
    const { id, asRequester } = await publicRequest("access");
    const files = await download(id, { headers: asRequester });
    const inFolder = (category: string) =>
      [...files.keys()].filter((p) => p.startsWith(`files/${category}/`));
    expect(inFolder("audio_recordings")).toEqual([`files/audio_recordings/${audioOf(B.tenantId, 0)}`]);
    expect(inFolder("transcripts")).toEqual([`files/transcripts/${transcriptOf(B.tenantId, 0)}`]);
    expect(files.get(`files/audio_recordings/${audioOf(B.tenantId, 0)}`)).toEqual(
      await read("audio", audioOf(B.tenantId, 0)),
    );
    expectNothingOfTenantA(files);

    const manifest = JSON.parse(files.get("manifest.json")!.toString("utf8"));
    expect(manifest.counts).toMatchObject({ conversations: 1, audio_recordings: 1, transcripts: 1 });
    expect(manifest.refusedReferences).toEqual(EXPECTED_REFUSALS);
    const summary = JSON.parse(files.get("summary.json")!.toString("utf8"));
    expect(summary.categories).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ category: "audio_recordings", files: 1 }),
        expect.objectContaining({ category: "transcripts", files: 1 }),
      ]),
    );
    expect(
      summary.refusedReferences.map((r: Record<string, unknown>) => ({ ...r, reason: undefined })),
    ).toEqual(EXPECTED_REFUSALS.map((r) => ({ ...r, reason: undefined })));
    expect(files.get("summary.html")!.toString("utf8")).toContain("Links not followed");
    expect(JSON.stringify(summary)).not.toContain(A.tenantId);

    const trail = await auditTrail(id);
    expectRefusalsAudited(trail);
    const completed = trail.events.find((e) => e.action === "complete");
    expect(completed?.data?.refusedReferences).toEqual(EXPECTED_REFUSALS);
    await expectTenantABlobsIntact();
  });

  it("the account export of B (a look-alike of A's prefix) holds none of A's blobs", async () => {
    const created = await host.call("POST", "/v1/requests", {
      token: B.ownerToken,
      body: { kind: "access" },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    if (created.body.status === "verified") await runExecution(host.runtime.app, id);
    const files = await download(id, { token: B.ownerToken });
    expectNothingOfTenantA(files);
    const manifest = JSON.parse(files.get("manifest.json")!.toString("utf8"));
    expect(manifest.counts).toMatchObject({ audio_recordings: 2, transcripts: 2 });
    // A hostile caller: A's owner cannot download B's export.
    const stranger = await host.call("GET", `/v1/requests/${id}/export`, { token: A.ownerToken });
    expect([403, 404]).toContain(stranger.status);
  });

  it("the erasure of N deletes B's linked blobs, leaves A's in place, clears the link, records the refusal", async () => {
    const aBefore = await tenantInventory(A.tenantId);
    const { id } = await publicRequest("erasure");
    expect(await read("audio", audioOf(B.tenantId, 0))).toBeUndefined();
    expect(await read("transcripts", transcriptOf(B.tenantId, 0))).toBeUndefined();
    await expectTenantABlobsIntact();
    expect(await tenantInventory(A.tenantId)).toEqual(aBefore);
    // B's other conversation and its recording are not N's.
    expect(await read("audio", audioOf(B.tenantId, 1))).toBeDefined();

    // The conversation B keeps (billing) no longer points at any blob, A's included.
    const kept = (await conversations().read<Doc>(`c-${B.tenantId}-0`, B.tenantId))!.doc;
    expect(kept).toMatchObject({ audioBlobs: [], transcriptBlobs: [] });
    expect(kept.contactHash).toBeUndefined();

    const numberHash = hashWhatsAppNumber(host.runtime.app.keys.hash, N);
    const job = (await host.runtime.app.ports.documents
      .collection("service", "jobs")
      .read<Doc>(`whatsapp-erasure:${id}`, `wa:${numberHash}`))!.doc;
    expect(job.refusedReferences).toEqual(EXPECTED_REFUSALS);
    expect(job.categories).toMatchObject({
      audio_recordings: { action: "deleted", count: 1 },
      transcripts: { action: "deleted", count: 1 },
    });
    const [forB] = await principalErasureRecords(host.runtime.app, B.tenantId);
    expect(forB?.categories).toMatchObject({
      audio_recordings: { action: "deleted", count: 1 },
      transcripts: { action: "deleted", count: 1 },
    });
    expect(forB?.refusedReferences).toEqual(EXPECTED_REFUSALS);
    expect(await principalErasureRecords(host.runtime.app, A.tenantId)).toEqual([]);

    const trail = await auditTrail(id);
    expectRefusalsAudited(trail);
    const finished = trail.events.find((e) => e.action === "finish_purge");
    expect(finished?.data).toMatchObject({
      tenantsAffected: 1,
      refusedReferences: EXPECTED_REFUSALS,
      categories: { audio_recordings: { action: "deleted", count: 1 } },
    });
  });

  it("the account purge of B deletes B's blobs by its prefix and leaves A's", async () => {
    // On its own: whatever an earlier test did, A's blobs are there before the purge.
    await writeTenantABlobs();
    await linkToTenantA(1);
    const aBefore = await tenantInventory(A.tenantId);
    const created = await host.call("POST", "/v1/requests", {
      token: B.ownerToken,
      body: { kind: "erasure", scope: { type: "account", tenantId: B.tenantId } },
    });
    expect(created.status).toBe(201);
    expect((await host.call("POST", "/_dev/clock", { body: { advance: "P31D" } })).status).toBe(200);
    const after = await host.call("GET", `/v1/requests/${created.body.id}`, { token: officer });
    expect(["purged", "completed"]).toContain(after.body.status);

    const bAfter = await tenantInventory(B.tenantId);
    expect(bAfter).toMatchObject({ conversations: 0, audio_recordings: 0, transcripts: 0 });
    expect(await read("audio", audioOf(B.tenantId, 1))).toBeUndefined();
    await expectTenantABlobsIntact();
    expect(await tenantInventory(A.tenantId)).toEqual(aBefore);
  });
});
