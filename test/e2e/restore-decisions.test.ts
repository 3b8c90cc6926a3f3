import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSnapshot } from "../../src/app/account/deactivation-snapshot";
import { catalogue, readSet } from "../../src/app/backups/catalogue";
import { AuditLog } from "../../src/app/audit/audit-log";
import { sweepOwnRecords } from "../../src/app/retention/own-records";
import { hashWhatsAppNumber } from "../../src/domain/subject";
import type { DocumentStore } from "../../src/ports/document-store";
import { cosmosLikeStore } from "../support/cosmos-like-paging";
import { startTestHost, type TestHost } from "../support/host";
import { latestCode as latestCodeFor } from "../support/outbox";
import { patchPort, wrapCollection } from "../support/ports";

/**
 * A restore never undoes a later decision (issue 14, docs/restore.md), end to end over HTTP with the dev
 * clock: a backup set is taken, THEN each kind of decision is made through the API (a WhatsApp-number
 * erasure, corrections of an account and of a number's contact name, withdrawals of consent for an
 * account and for a number, a nomination, a deactivation and its reactivation); the set is restored,
 * with Cosmos paging as Azure does it; each decision still holds in the platform's data and the answer
 * lists it. Also: a second run converges; a reactivation after a set taken in the 30-day window holds;
 * decisions made before the set are not re-applied; swept correction values are reported; a link into
 * another tenant's storage is refused, and that blob survives.
 */

let host: TestHost;
let officer: string;
let support: string;
let clientSeq = 0;
let numberSeq = 0;
const client = () => ({ "x-forwarded-for": `10.94.${Math.floor(clientSeq / 250)}.${clientSeq++ % 250}` });
/** Numbers no other test of this file uses: a counter, never the clock. */
const nextNumber = () => `+9198760${String(10_000 + numberSeq++).slice(-5)}`;
const latestCode = (to: string) => latestCodeFor(host, to);

type Doc = { id: string } & Record<string, unknown>;
interface Seeded {
  tenantId: string;
  ownerToken: string;
  ownerEmail: string;
}
interface Decision {
  kind: string;
  handler?: string;
  requestId: string;
  jobId?: string;
  madeAt: string;
  honoured: string;
  records: number;
  note?: string;
}

const app = () => host.runtime.app;
const platform = (container: string) => app().ports.documents.collection("platform", container);
const docsOf = async (container: string, tenantId: string) =>
  (await platform(container).query<Doc>({ partitionKey: tenantId, limit: 1000 })).items;
const hashOf = (phone: string) => hashWhatsAppNumber(host.runtime.app.keys.hash, phone);
const advance = (duration: string) => host.call("POST", "/_dev/clock", { body: { advance: duration } });

async function seed(options: Record<string, unknown>): Promise<Seeded> {
  const res = await host.call("POST", "/_dev/seed", {
    body: {
      conversations: 1,
      messagesPerConversation: 2,
      audioPerConversation: 1,
      knowledgeBaseFiles: 0,
      members: 1,
      apiKeys: 2,
      bots: 1,
      payments: 0,
      usageRecords: 0,
      ...options,
    },
  });
  expect(res.status).toBe(201);
  return res.body as Seeded;
}

async function takeBackup(): Promise<{ id: string; takenAt: string }> {
  const res = await host.call("POST", "/v1/backups", { token: officer });
  expect(res.status).toBe(202);
  const set = await host.call("GET", `/v1/backups/${res.body.id}`, { token: officer });
  expect(set.body.status).toBe("active");
  return set.body as { id: string; takenAt: string };
}

/**
 * POST …/restore, with the store paging as Cosmos does in Azure (empty and short pages); `hook` wraps
 * that store further (to make something happen while the restore runs).
 */
async function restore(setId: string, tenantId: string, hook?: (store: DocumentStore) => DocumentStore) {
  const paging = cosmosLikeStore(app().ports.documents);
  const undo = patchPort(host, "documents", hook ? hook(paging) : paging);
  try {
    return await host.call("POST", `/v1/backups/${setId}/restore`, { token: officer, body: { tenantId } });
  } finally {
    undo();
  }
}

/** A public request for a number, verified with the code the number received. */
async function forNumber(phone: string, body: Record<string, unknown>) {
  const created = await host.call("POST", "/v1/requests", {
    headers: client(),
    body: { ...body, scope: { type: "whatsapp_number", phone } },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const verified = await host.call("POST", `/v1/requests/${created.body.id}/verification`, {
    headers: { "x-request-token": created.body.requestToken },
    body: { code: await latestCode(phone) },
  });
  expect(verified.status, JSON.stringify(verified.body)).toBe(200);
  return verified.body as { id: string; status: string };
}

const asOwner = (t: Seeded, body: Record<string, unknown>) =>
  host.call("POST", "/v1/requests", { token: t.ownerToken, body });

/** The decision of `requestId` in an answer (of `handler`, when one request holds two). */
const listed = (answer: { reapplied: Decision[] }, requestId: string, handler?: string) =>
  answer.reapplied.find((d) => d.requestId === requestId && (!handler || d.handler === handler));

async function opsRestores() {
  const res = await app()
    .ports.documents.collection("service", "audit")
    .query<Doc>({ partitionKey: "ops:backups", orderBy: { field: "seq", direction: "asc" }, limit: 1000 });
  return res.items.filter((e) => e.action === "backup_restored") as unknown as {
    data: Record<string, unknown>;
  }[];
}

beforeAll(async () => {
  host = await startTestHost();
  officer = await host.token("privacy_officer");
  support = await host.token("support");
});
afterAll(async () => {
  await host?.stop();
});

describe("a restore of a set taken before later decisions", () => {
  it("re-applies each decision, lists it in the order made, and a second run converges", async () => {
    const erased = nextNumber();
    const renamed = nextNumber();
    const withdrawn = nextNumber();
    const t = await seed({ contacts: [erased, renamed, withdrawn], conversations: 4 });
    // The platform's consent records the withdrawals act on, as sign-up and the business recorded them.
    const consents = platform("consents");
    await consents.upsert({
      id: "signup-marketing",
      tenantId: t.tenantId,
      purpose: "marketing_email",
      status: "granted",
      channel: "dashboard",
      at: "2026-01-05T09:30:00.000Z",
    });
    await consents.upsert({
      id: "analytics-contact",
      tenantId: t.tenantId,
      subjectHash: hashOf(withdrawn),
      purpose: "analytics",
      status: "granted",
      channel: "whatsapp",
      at: "2026-01-06T10:00:00.000Z",
    });
    const keysBefore = await docsOf("apiKeys", t.tenantId);
    expect(keysBefore.map((k) => k.status)).toEqual(["active", "active"]);
    const set = await takeBackup();

    // After the set, one decision of each kind, a minute apart.
    await advance("PT1M");
    const erasure = await forNumber(erased, { kind: "erasure" });
    expect(erasure.status).toBe("purged");
    await advance("PT1M");
    const rename = await forNumber(renamed, {
      kind: "correction",
      corrections: [{ field: "name", value: "Lakshmi Narayanan" }],
    });
    const renameDone = await host.call("POST", `/v1/requests/${rename.id}/approve`, { token: support });
    expect(renameDone.body.status).toBe("completed");
    await advance("PT1M");
    const analytics = await forNumber(withdrawn, { kind: "consent_withdrawal", purposes: ["analytics"] });
    expect(analytics.status).toBe("completed");
    await advance("PT1M");
    const correction = await asOwner(t, {
      kind: "correction",
      corrections: [
        { field: "organisation", value: "Narayanan Eye Clinic" },
        { field: "email", value: `owner.new+${t.tenantId}@example.in` },
      ],
    });
    expect(correction.status).toBe(201);
    expect(
      (await host.call("POST", `/v1/requests/${correction.body.id}/approve`, { token: support })).body.status,
    ).toBe("in_progress");
    const confirmed = await host.call("POST", `/v1/requests/${correction.body.id}/confirmation`, {
      token: t.ownerToken,
      body: { code: await latestCode(`owner.new+${t.tenantId}@example.in`) },
    });
    expect(confirmed.body.status).toBe("completed");
    await advance("PT1M");
    const marketing = await asOwner(t, {
      kind: "consent_withdrawal",
      scope: { type: "account", tenantId: t.tenantId },
      purposes: ["marketing_email"],
    });
    expect(marketing.body.status).toBe("completed");
    await advance("PT1M");
    const nomination = await asOwner(t, {
      kind: "nomination",
      nominee: { name: "Meera Narayanan", relation: "sister", email: "meera.n@example.in" },
    });
    expect(nomination.status).toBe(201);
    expect(nomination.body.status).toBe("completed");
    await advance("PT1M");
    const deletion = await asOwner(t, { kind: "erasure", scope: { type: "account", tenantId: t.tenantId } });
    expect(deletion.body.status).toBe("deactivated");
    await advance("PT1M");
    const reactivated = await host.call("POST", `/v1/accounts/${t.tenantId}/reactivate`, {
      token: support,
      body: { reason: "Owner changed their mind (ticket 5120)" },
    });
    expect(reactivated.status).toBe(200);

    const res = await restore(set.id, t.tenantId);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ setId: set.id, tenantId: t.tenantId, takenAt: set.takenAt });
    expect(res.body.restored.api_keys).toBe(2);

    // Each decision still holds in the platform's data…
    const holds = async () => {
      const account = (await platform("accounts").read<Doc>(t.tenantId, t.tenantId))!.doc;
      expect(account).toMatchObject({
        status: "active",
        organisation: "Narayanan Eye Clinic",
        ownerEmail: `owner.new+${t.tenantId}@example.in`,
      });
      const owner = (await platform("members").read<Doc>(`m-${t.tenantId}-owner`, t.tenantId))!.doc;
      expect(owner).toMatchObject({ email: `owner.new+${t.tenantId}@example.in`, access: "active" });
      for (const k of await docsOf("apiKeys", t.tenantId)) expect(k.status).toBe("revoked");
      for (const b of await docsOf("bots", t.tenantId)) expect(b.status).toBe("running");
      const conversations = await docsOf("conversations", t.tenantId);
      expect(conversations.find((c) => c.contactHash === hashOf(renamed))?.contactName).toBe(
        "Lakshmi Narayanan",
      );
      const everything = JSON.stringify(
        await Promise.all(["conversations", "messages", "consents"].map((c) => docsOf(c, t.tenantId))),
      );
      expect(everything).not.toContain(hashOf(erased));
      expect(everything).not.toContain(erased);
      const consentsNow = await docsOf("consents", t.tenantId);
      expect(consentsNow.find((c) => c.id === "signup-marketing")).toMatchObject({
        status: "withdrawn",
        withdrawalRequestId: marketing.body.id,
      });
      expect(consentsNow.find((c) => c.id === "analytics-contact")).toMatchObject({
        status: "withdrawn",
        withdrawalRequestId: analytics.id,
      });
      const pointer = await app()
        .ports.documents.collection("service", "requests")
        .read<Doc>("nomination:active", `tenant:${t.tenantId}`);
      expect(pointer?.doc.requestId).toBe(nomination.body.id);
    };
    await holds();

    // …and the answer lists it, in the order the decisions were made.
    const answer = res.body as { reapplied: Decision[]; refusedReferences: unknown[] };
    expect(listed(answer, erasure.id)).toMatchObject({
      kind: "erasure:whatsapp_number",
      handler: "number_erasure",
      jobId: `whatsapp-erasure:${erasure.id}`,
      honoured: "reapplied",
    });
    expect(listed(answer, erasure.id)!.records).toBeGreaterThanOrEqual(3);
    expect(listed(answer, rename.id)).toMatchObject({
      kind: "correction:whatsapp_number",
      honoured: "reapplied",
      records: 1,
    });
    expect(listed(answer, analytics.id)).toMatchObject({
      kind: "consent_withdrawal:whatsapp_number",
      honoured: "reapplied",
      records: 1,
    });
    expect(listed(answer, correction.body.id)).toMatchObject({
      kind: "correction:account",
      honoured: "reapplied",
      records: 2,
    });
    expect(listed(answer, marketing.body.id)).toMatchObject({
      kind: "consent_withdrawal:account",
      honoured: "reapplied",
      records: 1,
    });
    expect(listed(answer, nomination.body.id)).toMatchObject({
      kind: "nomination:account",
      honoured: "outside_backup",
      records: 0,
    });
    expect(listed(answer, deletion.body.id, "key_revocation")).toMatchObject({
      kind: "erasure:account",
      honoured: "reapplied",
      records: 2,
    });
    // The set predates the deactivation: nothing it holds was deactivated, so reactivation has nothing to undo.
    expect(listed(answer, deletion.body.id, "reactivation")).toMatchObject({ records: 0 });
    const order = answer.reapplied.map((d) => d.madeAt);
    expect(order).toEqual([...order].sort());
    expect(answer.reapplied.map((d) => d.requestId).slice(0, 6)).toEqual([
      erasure.id,
      rename.id,
      analytics.id,
      correction.body.id,
      marketing.body.id,
      nomination.body.id,
    ]);
    expect(answer.refusedReferences).toEqual([]);
    // The audit event says what was re-applied in counts, never a value.
    const event = (await opsRestores()).at(-1)!;
    expect(event.data).toMatchObject({
      setId: set.id,
      reapplied: expect.objectContaining({
        "correction:account:reapplied": { decisions: 1, records: 2 },
        "erasure:account:reapplied": { decisions: 2, records: 2 },
      }),
    });
    expect(JSON.stringify(event)).not.toContain("Narayanan");
    // The restore is recorded in `jobs` with the same answer.
    const stored = await app()
      .ports.documents.collection("service", "jobs")
      .query<Doc>({
        partitionKey: "backup-restores",
        where: [{ field: "setId", op: "=", value: set.id }],
        limit: 10,
      });
    expect(stored.items.map((d) => d.reapplied)).toContainEqual(answer.reapplied);

    // A second run converges: the same end state; the same decisions, each applied again from the set.
    const before = await Promise.all(
      ["accounts", "members", "apiKeys", "conversations", "messages", "consents"].map((c) =>
        docsOf(c, t.tenantId),
      ),
    );
    const again = await restore(set.id, t.tenantId);
    expect(again.status).toBe(200);
    await holds();
    const after = await Promise.all(
      ["accounts", "members", "apiKeys", "conversations", "messages", "consents"].map((c) =>
        docsOf(c, t.tenantId),
      ),
    );
    const stable = (docs: Doc[][]) =>
      docs.map((list) =>
        list.map(({ anonymisedAt: _a, ...rest }) => rest).sort((a, b) => (a.id < b.id ? -1 : 1)),
      );
    expect(stable(after)).toEqual(stable(before));
    const strip = (list: Decision[]) =>
      list.map(({ kind, requestId, honoured, records }) => ({ kind, requestId, honoured, records }));
    expect(strip(again.body.reapplied)).toEqual(strip(answer.reapplied));
  });

  it("a reactivation after a set taken in the 30-day window holds: the account is not deactivated again", async () => {
    const t = await seed({});
    const deletion = await asOwner(t, { kind: "erasure", scope: { type: "account", tenantId: t.tenantId } });
    expect(deletion.body.status).toBe("deactivated");
    await advance("PT1M");
    const set = await takeBackup();
    await advance("PT1M");
    const reactivated = await host.call("POST", `/v1/accounts/${t.tenantId}/reactivate`, {
      token: support,
      body: { reason: "Restored by support (ticket 5121)" },
    });
    expect(reactivated.status).toBe(200);
    const res = await restore(set.id, t.tenantId);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect((await platform("accounts").read<Doc>(t.tenantId, t.tenantId))!.doc.status).toBe("active");
    for (const m of await docsOf("members", t.tenantId)) expect(m.access).toBe("active");
    for (const b of await docsOf("bots", t.tenantId)) expect(b.status).toBe("running");
    for (const k of await docsOf("apiKeys", t.tenantId)) expect(k.status).toBe("revoked");
    // Account, owner and one member, one bot: what deactivation changed and reactivation gave back.
    expect(listed(res.body, deletion.body.id, "reactivation")).toMatchObject({
      kind: "erasure:account",
      honoured: "reapplied",
      records: 4,
    });
    // The deactivation itself predates the set: its key revocation is in the set already.
    expect(listed(res.body, deletion.body.id, "key_revocation")).toBeUndefined();
  });
});

describe("decisions made before the set", () => {
  it("are in the set already: nothing is re-applied or listed", async () => {
    const gone = nextNumber();
    const kept = nextNumber();
    const t = await seed({ contacts: [gone, kept], conversations: 2 });
    const correction = await asOwner(t, {
      kind: "correction",
      corrections: [{ field: "organisation", value: "Before The Set Pvt Ltd" }],
    });
    await host.call("POST", `/v1/requests/${correction.body.id}/approve`, { token: support });
    await asOwner(t, {
      kind: "consent_withdrawal",
      scope: { type: "account", tenantId: t.tenantId },
      purposes: ["analytics"],
    });
    await forNumber(gone, { kind: "erasure" });
    await advance("PT1H");
    const set = await takeBackup();
    const res = await restore(set.id, t.tenantId);
    expect(res.status).toBe(200);
    expect(res.body.reapplied).toEqual([]);
    expect((await platform("accounts").read<Doc>(t.tenantId, t.tenantId))!.doc.organisation).toBe(
      "Before The Set Pvt Ltd",
    );
    expect(JSON.stringify(await docsOf("messages", t.tenantId))).not.toContain(hashOf(gone));
  });
});

describe("a correction whose values were swept", () => {
  it("is listed as values_gone, not silently skipped", async () => {
    const t = await seed({});
    const set = await takeBackup();
    await advance("PT1M");
    const correction = await asOwner(t, {
      kind: "correction",
      corrections: [{ field: "organisation", value: "Swept Values Ltd" }],
    });
    await host.call("POST", `/v1/requests/${correction.body.id}/approve`, { token: support });
    // The retention sweep of correction values (not part of this test) leaves the request without them.
    await app().stores.requests.update(correction.body.id, (doc) => {
      const { corrections: _gone, ...rest } = doc.details;
      doc.details = rest;
      return doc;
    });
    const res = await restore(set.id, t.tenantId);
    expect(res.status).toBe(200);
    expect(listed(res.body, correction.body.id)).toMatchObject({
      kind: "correction:account",
      honoured: "values_gone",
      records: 0,
      note: expect.stringMatching(/swept/),
    });
  });
});

describe("a link into another tenant's storage", () => {
  it("is refused when the restore re-applies an erasure: never deleted, recorded by category and field", async () => {
    const phone = nextNumber();
    const a = await seed({ contacts: [phone], conversations: 2 });
    const b = await seed({});
    const [bConversation] = await docsOf("conversations", b.tenantId);
    const foreign = (bConversation!.audioBlobs as string[])[0]!;
    expect(foreign.startsWith(`${b.tenantId}/`)).toBe(true);
    // A's conversation with the number also names B's recording (a platform bug, or a forged record).
    const [mine] = (await docsOf("conversations", a.tenantId)).filter((c) => c.contactHash === hashOf(phone));
    const own = (mine!.audioBlobs as string[])[0]!;
    await platform("conversations").upsert({ ...mine!, audioBlobs: [own, foreign] });
    const set = await takeBackup();
    await advance("PT1M");
    // The conversation is lost from the live store (the reason for the restore), then the number erased.
    await platform("conversations").delete(mine!.id, a.tenantId);
    const erasure = await forNumber(phone, { kind: "erasure" });
    const res = await restore(set.id, a.tenantId);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.refusedReferences).toEqual([
      { category: "audio_recordings", field: "audioBlobs", count: 1 },
    ]);
    expect(listed(res.body, erasure.id)).toMatchObject({ honoured: "reapplied" });
    // B's recording is still there; A's own, named on the restored record, is deleted.
    expect(await app().ports.blobs.read("audio", foreign)).toBeDefined();
    expect(await app().ports.blobs.read("audio", own)).toBeUndefined();
    const restored = (await platform("conversations").read<Doc>(mine!.id, a.tenantId))!.doc;
    expect(restored).toMatchObject({ anonymisedFor: "whatsapp_number_erasure", audioBlobs: [] });
    const event = (await opsRestores()).at(-1)!;
    expect(event.data.refusedReferences).toEqual([
      { category: "audio_recordings", field: "audioBlobs", count: 1 },
    ]);
    expect(JSON.stringify(event)).not.toContain(b.tenantId);
  });
});

describe("who may restore", () => {
  it("only the privacy officer: owner, support and strangers are refused and nothing is restored", async () => {
    const t = await seed({});
    const set = await takeBackup();
    const countRestores = async () =>
      (
        await app()
          .ports.documents.collection("service", "jobs")
          .query<Doc>({ partitionKey: "backup-restores", limit: 1000 })
      ).items.length;
    const before = await countRestores();
    const path = `/v1/backups/${set.id}/restore`;
    const body = { tenantId: t.tenantId };
    expect((await host.call("POST", path, { token: t.ownerToken, body })).status).toBe(403);
    expect((await host.call("POST", path, { token: support, body })).status).toBe(403);
    expect((await host.call("POST", path, { body })).status).toBe(401);
    expect((await host.call("POST", path, { token: officer, body: { tenantId: 42 } })).status).toBe(400);
    expect(await countRestores()).toBe(before);
  });
});

describe("decisions made while a restore runs", () => {
  it("an account deactivated during the write-back: its effects are applied again; the snapshot stays, so reactivation still works", async () => {
    const t = await seed({ members: 2 });
    const set = await takeBackup();
    await advance("PT1M");
    // The owner deletes the account just as the restore writes the account record back: the deactivation
    // disables the live records, then the write-back puts the set's (active) ones over them.
    let deletionId: string | undefined;
    let snapshotAtDeactivation: unknown;
    const res = await restore(set.id, t.tenantId, (store) =>
      wrapCollection(store, "accounts", (c) => ({
        upsert: async <T extends { id: string }>(doc: T) => {
          if (!deletionId) {
            deletionId = "pending";
            const deletion = await asOwner(t, {
              kind: "erasure",
              scope: { type: "account", tenantId: t.tenantId },
            });
            expect(deletion.body.status).toBe("deactivated");
            deletionId = deletion.body.id as string;
            snapshotAtDeactivation = (await readSnapshot(app(), deletionId, t.tenantId))?.doc;
          }
          return c.upsert(doc);
        },
      })),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(deletionId).toMatch(/^r-/);
    // What the deactivation disabled is disabled again, whatever the write-back put there.
    expect((await platform("accounts").read<Doc>(t.tenantId, t.tenantId))!.doc.status).toBe("deactivated");
    for (const k of await docsOf("apiKeys", t.tenantId)) expect(k.status).toBe("revoked");
    for (const b of await docsOf("bots", t.tenantId)) expect(b.status).toBe("stopped");
    for (const m of await docsOf("members", t.tenantId)) expect(m.access).toBe("removed");
    const found = listed(res.body, deletionId!, "deactivation");
    expect(found).toMatchObject({ kind: "erasure:account", honoured: "reapplied" });
    // At least the account record, which the write-back put back active after the deactivation.
    expect(found!.records).toBeGreaterThanOrEqual(1);
    // The snapshot reactivation restores from is the deactivation's own, untouched by the restore.
    expect((await readSnapshot(app(), deletionId!, t.tenantId))?.doc).toEqual(snapshotAtDeactivation);
    const reactivated = await host.call("POST", `/v1/accounts/${t.tenantId}/reactivate`, {
      token: support,
      body: { reason: "Owner changed their mind (ticket 5122)" },
    });
    expect(reactivated.status).toBe(200);
    expect((await platform("accounts").read<Doc>(t.tenantId, t.tenantId))!.doc.status).toBe("active");
    for (const b of await docsOf("bots", t.tenantId)) expect(b.status).toBe("running");
    for (const m of await docsOf("members", t.tenantId)) expect(m.access).toBe("active");
    for (const k of await docsOf("apiKeys", t.tenantId)) expect(k.status).toBe("revoked");
  });

  it("a correction applied to the records but not yet completed is re-applied, at the time it was applied", async () => {
    const t = await seed({});
    const set = await takeBackup();
    await advance("PT1M");
    const correction = await asOwner(t, {
      kind: "correction",
      corrections: [{ field: "organisation", value: "Applied Not Completed Ltd" }],
    });
    expect(correction.status).toBe(201);
    const id = correction.body.id as string;
    // The run stops between applying and completing (the store refuses the completion).
    const undo = patchPort(
      host,
      "documents",
      wrapCollection(app().ports.documents, "requests", (c) => ({
        replace: async <T extends { id: string }>(doc: T, etag: string) => {
          if (doc.id === id && (doc as { status?: unknown }).status === "completed")
            throw new Error("injected: the store failed at the completion");
          return c.replace(doc, etag);
        },
      })),
    );
    try {
      await host.call("POST", `/v1/requests/${id}/approve`, { token: support });
    } finally {
      undo();
    }
    const stopped = await app().stores.requests.get(id);
    expect(stopped.status).toBe("in_progress");
    const appliedAt = stopped.details.appliedAt as string;
    expect(appliedAt > set.takenAt).toBe(true);
    expect((await platform("accounts").read<Doc>(t.tenantId, t.tenantId))!.doc.organisation).toBe(
      "Applied Not Completed Ltd",
    );
    const res = await restore(set.id, t.tenantId);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect((await platform("accounts").read<Doc>(t.tenantId, t.tenantId))!.doc.organisation).toBe(
      "Applied Not Completed Ltd",
    );
    expect(listed(res.body, id)).toMatchObject({
      kind: "correction:account",
      honoured: "reapplied",
      madeAt: appliedAt,
      records: 1,
    });
  });

  it("a correction still waiting for the owner's code applied nothing: a restore does not apply it", async () => {
    const t = await seed({});
    const before = (await platform("accounts").read<Doc>(t.tenantId, t.tenantId))!.doc.ownerEmail;
    const set = await takeBackup();
    await advance("PT1M");
    const correction = await asOwner(t, {
      kind: "correction",
      corrections: [{ field: "email", value: `unconfirmed+${t.tenantId}@example.in` }],
    });
    const approved = await host.call("POST", `/v1/requests/${correction.body.id}/approve`, {
      token: support,
    });
    expect(approved.body.status).toBe("in_progress");
    expect(approved.body.details?.appliedAt).toBeUndefined();
    const res = await restore(set.id, t.tenantId);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(listed(res.body, correction.body.id)).toBeUndefined();
    expect((await platform("accounts").read<Doc>(t.tenantId, t.tenantId))!.doc.ownerEmail).toBe(before);
  });
});

describe("corrections closed before their close was recorded", () => {
  it("take their time from the audit trail when adopted, so the later one holds after a restore", async () => {
    const t = await seed({});
    const set = await takeBackup();
    const store = app().stores.requests;
    const correct = async (value: string) => {
      await advance("PT1M");
      const filed = await asOwner(t, { kind: "correction", corrections: [{ field: "organisation", value }] });
      const done = await host.call("POST", `/v1/requests/${filed.body.id}/approve`, { token: support });
      expect(done.body.status).toBe("completed");
      return filed.body.id as string;
    };
    const a = await correct("First Legacy Name Ltd");
    const b = await correct("Second Legacy Name Ltd");
    // As requests closed before either time was recorded: no close time, no application time.
    for (const id of [a, b])
      await store.update(id, (doc) => {
        const { appliedAt: _applied, retention: _retention, ...rest } = doc.details;
        doc.details = rest;
        return doc;
      });
    // One sweep adopts both (the hourly timer's, if the clock's advance set it off, else this one).
    await advance("PT1M");
    await sweepOwnRecords(app());
    // Each adopted close is its `→ completed` event's time, not the sweep's.
    const closes: string[] = [];
    for (const id of [a, b]) {
      const completed = (await new AuditLog(app()).events(id)).findLast((e) => e.to === "completed");
      const closedAt = ((await store.get(id)).details.retention as { closedAt: string }).closedAt;
      expect(closedAt).toBe(completed!.at);
      closes.push(closedAt);
    }
    expect(closes[0]! < closes[1]!).toBe(true);
    const res = await restore(set.id, t.tenantId);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.reapplied.map((d: Decision) => d.requestId)).toEqual([a, b]);
    expect((await platform("accounts").read<Doc>(t.tenantId, t.tenantId))!.doc.organisation).toBe(
      "Second Legacy Name Ltd",
    );
  });
});

describe("an expired set", () => {
  it("is refused (410) once its expiry has passed, even before rotation ran; nothing is restored", async () => {
    const t = await seed({});
    const set = await takeBackup();
    await advance("PT1M");
    // Its expiry passes while its rotation has not run yet (a late or lost message).
    const found = (await readSet(app(), set.id))!;
    await catalogue(app()).replace(
      { ...found.doc, expiresAt: app().ports.clock.now().toISOString() },
      found.etag,
    );
    expect((await readSet(app(), set.id))!.doc.status).toBe("active");
    const countRestores = async () =>
      (
        await app()
          .ports.documents.collection("service", "jobs")
          .query<Doc>({ partitionKey: "backup-restores", limit: 1000 })
      ).items.length;
    const before = await countRestores();
    const res = await restore(set.id, t.tenantId);
    expect(res.status).toBe(410);
    expect(JSON.stringify(res.body)).toMatch(/expired/);
    expect(await countRestores()).toBe(before);
  });
});
