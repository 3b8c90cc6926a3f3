import { newRequestId } from "../../src/domain/requests/request-id";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryAll } from "../../src/app/util/paging";
import { forEachLimit } from "../../src/app/util/pool";
import type { RequestDoc } from "../../src/domain/requests/model";
import { keyedHash } from "../../src/domain/subject";
import type { Doc, DocumentCollection, Page, QuerySpec } from "../../src/ports/document-store";
import { startTestHost, type TestHost } from "../support/host";
import { latestCode as latestCodeFor, outboxFor } from "../support/outbox";
import { patchPort, wrapCollection } from "../support/ports";

/**
 * Hostile callers inside a tenant (DESIGN §9): a dashboard admin or member tries what only the account
 * owner may do, or reads what only staff and the filer should see. Every test plays the attacker over
 * HTTP against the local host.
 */

let host: TestHost;
let support: string;
let officer: string;
let clientSeq = 0;
const client = () => ({ "x-forwarded-for": `10.77.${Math.floor(clientSeq / 250)}.${clientSeq++ % 250}` });

interface Seeded {
  tenantId: string;
  ownerToken: string;
  ownerEmail: string;
  counts: Record<string, number>;
}

async function seed(options: Record<string, unknown> = {}): Promise<Seeded> {
  const res = await host.call("POST", "/_dev/seed", {
    body: { conversations: 1, messagesPerConversation: 1, audioPerConversation: 0, ...options },
  });
  expect(res.status).toBe(201);
  return res.body as Seeded;
}

/** A dashboard token for one person: the subject tells two members of the same tenant apart. */
const tokenFor = (role: "owner" | "admin" | "member", tenantId: string, subject: string) =>
  host.runtime.dev!.mintToken({ role, tenantId, subject });

const latestCode = (to: string) => latestCodeFor(host, to);
const codesTo = async (to: string) =>
  (await outboxFor(host, to)).filter((m) => m.template === "verification_code");

const platform = (container: string) => host.runtime.app.ports.documents.collection("platform", container);
const account = async (tenantId: string) =>
  (await platform("accounts").read(tenantId, tenantId))!.doc as Record<string, unknown>;
const ownerMember = async (tenantId: string) =>
  (await platform("members").read(`m-${tenantId}-owner`, tenantId))!.doc as Record<string, unknown>;
/** Every record of a tenant in a container, to the last page. */
const allOf = (container: string, tenantId: string) =>
  queryAll<Doc & Record<string, unknown>>(platform(container), { partitionKey: tenantId });

/** Ids of every request of a kind the privacy officer sees for a tenant. */
async function staffIds(tenantId: string, kind: string): Promise<string[]> {
  const ids: string[] = [];
  let token: string | undefined;
  do {
    const res = await host.call(
      "GET",
      `/v1/requests?kind=${kind}&limit=100${token ? `&continuationToken=${encodeURIComponent(token)}` : ""}`,
      { token: officer },
    );
    expect(res.status).toBe(200);
    for (const item of res.body.items as { id: string; scope: { tenantId?: string } }[])
      if (item.scope.tenantId === tenantId) ids.push(item.id);
    token = res.body.continuationToken;
  } while (token);
  return ids;
}

/** Every item a dashboard caller can list, page by page with `limit`, in the order served. */
async function listAll(token: string, query: string, limit: number): Promise<string[]> {
  const ids: string[] = [];
  let next: string | undefined;
  for (let pages = 0; pages < 50; pages++) {
    const res = await host.call(
      "GET",
      `/v1/requests?limit=${limit}${query}${next ? `&continuationToken=${encodeURIComponent(next)}` : ""}`,
      { token },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.items.length).toBeLessThanOrEqual(limit);
    ids.push(...(res.body.items as { id: string }[]).map((i) => i.id));
    next = res.body.continuationToken;
    if (!next) return ids;
  }
  throw new Error("the list never ended");
}

beforeAll(async () => {
  host = await startTestHost();
  support = await host.token("support");
  officer = await host.token("privacy_officer");
});
afterAll(async () => {
  await host?.stop();
});

describe("the owner's identity is changed only by the owner", () => {
  it("an admin or member cannot file a correction of the account's registered details: 403, nothing stored", async () => {
    const t = await seed();
    const before = await account(t.tenantId);
    for (const role of ["admin", "member"] as const) {
      const token = await tokenFor(role, t.tenantId, `${role}-mallory`);
      for (const corrections of [
        [{ field: "email", value: "mallory@attacker.example" }],
        [{ field: "phone", value: "+91 98450 06666" }],
        [{ field: "name", value: "Mallory" }],
        [{ field: "organisation", value: "Mallory Holdings" }],
      ]) {
        const res = await host.call("POST", "/v1/requests", {
          token,
          body: { kind: "correction", corrections },
        });
        expect(res.status, `${role} ${JSON.stringify(corrections)}`).toBe(403);
        expect(res.headers.get("content-type")).toMatch(/application\/problem\+json/);
        expect(res.body.detail).toMatch(/account owner/);
      }
    }
    expect(await staffIds(t.tenantId, "correction")).toEqual([]);
    expect(await account(t.tenantId)).toMatchObject({
      ownerEmail: before.ownerEmail,
      ownerPhone: before.ownerPhone,
      ownerName: before.ownerName,
    });
    // The owner still can.
    const own = await host.call("POST", "/v1/requests", {
      token: t.ownerToken,
      body: { kind: "correction", corrections: [{ field: "name", value: "Asha Rao" }] },
    });
    expect(own.status).toBe(201);
  });

  it("a member's correction filed before this rule cannot be approved, and the deletion code keeps going to the owner", async () => {
    const t = await seed();
    const app = host.runtime.app;
    const now = app.ports.clock.now().toISOString();
    // What the old code stored for a member's POST: verified by the member's JWT, waiting for review.
    const legacy: RequestDoc = {
      id: newRequestId(`tenant:${t.tenantId}`),
      pk: `tenant:${t.tenantId}`,
      docType: "request",
      kind: "correction",
      scope: { type: "account", tenantId: t.tenantId },
      status: "verified",
      channel: "dashboard",
      visibleTo: "tenant",
      language: "en",
      requester: { kind: "member", ref: keyedHash(app.keys.hash, "actor:member-mallory") },
      tenantId: t.tenantId,
      tokenHashes: [],
      details: { corrections: [{ field: "email", value: "mallory@attacker.example" }] },
      createdAt: now,
      verifiedAt: now,
      dueAt: now,
      deadlineExtensions: [],
      version: 1,
    };
    await app.stores.requests.create(legacy);
    const approved = await host.call("POST", `/v1/requests/${legacy.id}/approve`, {
      token: support,
      body: { reason: "Looks routine" },
    });
    expect(approved.status).toBe(409);
    expect(approved.body.detail).toMatch(/account owner/);
    expect((await account(t.tenantId)).ownerEmail).toBe(t.ownerEmail);
    const rejected = await host.call("POST", `/v1/requests/${legacy.id}/reject`, {
      token: support,
      body: { reason: "Only the account owner can change the registered email address." },
    });
    expect(rejected.body.status).toBe("rejected");

    // Account deletion by email: the code goes to the registered address, never the attacker's.
    const deletion = await host.call("POST", "/v1/requests", {
      headers: client(),
      body: {
        kind: "erasure",
        scope: { type: "account", tenantId: t.tenantId },
        contact: { email: t.ownerEmail },
      },
    });
    expect(deletion.status).toBe(201);
    expect(await codesTo(t.ownerEmail)).toHaveLength(1);
    expect(await codesTo("mallory@attacker.example")).toHaveLength(0);
  });

  it("a new owner email counts only once the new address proves control with the code sent there", async () => {
    const t = await seed();
    const before = await account(t.tenantId);
    const NEW = "ravi.rao@newmail.example";
    const res = await host.call("POST", "/v1/requests", {
      token: t.ownerToken,
      body: {
        kind: "correction",
        corrections: [
          { field: "email", value: "Ravi.Rao@NewMail.example" },
          { field: "name", value: "Ravi Rao" },
        ],
      },
    });
    expect(res.status).toBe(201);
    const id = res.body.id as string;
    const approved = await host.call("POST", `/v1/requests/${id}/approve`, {
      token: support,
      body: { reason: "Owner's ticket 5521" },
    });
    expect(approved.status).toBe(200);
    // Approved, but nothing changes until the new address answers.
    expect(approved.body.status).toBe("in_progress");
    expect(approved.body.details.confirmation).toMatchObject({
      awaiting: "email",
      sentTo: "r•••@newmail.example",
    });
    expect(await account(t.tenantId)).toMatchObject({
      ownerEmail: before.ownerEmail,
      ownerName: before.ownerName,
    });
    expect(await codesTo(NEW)).toHaveLength(1);
    expect(await codesTo(t.ownerEmail)).toHaveLength(0);

    // Nobody but the owner enters it; a wrong code is refused.
    const code = await latestCode(NEW);
    const member = await tokenFor("member", t.tenantId, "member-mallory");
    const admin = await tokenFor("admin", t.tenantId, "admin-mallory");
    for (const token of [member, admin, support, officer]) {
      const r = await host.call("POST", `/v1/requests/${id}/confirmation`, { token, body: { code } });
      expect(r.status, "only the owner confirms").toBe(403);
    }
    const wrong = await host.call("POST", `/v1/requests/${id}/confirmation`, {
      token: t.ownerToken,
      body: { code: code === "000000" ? "111111" : "000000" },
    });
    expect(wrong.status).toBe(400);
    expect((await account(t.tenantId)).ownerEmail).toBe(before.ownerEmail);

    // Meanwhile account deletion still answers to the registered address.
    const early = await host.call("POST", "/v1/requests", {
      headers: client(),
      body: { kind: "erasure", scope: { type: "account", tenantId: t.tenantId }, contact: { email: NEW } },
    });
    expect(early.status).toBe(201);
    expect(await codesTo(NEW)).toHaveLength(1);

    const resent = await host.call("POST", `/v1/requests/${id}/confirmation/resend`, { token: t.ownerToken });
    expect(resent.status).toBe(200);
    const confirmed = await host.call("POST", `/v1/requests/${id}/confirmation`, {
      token: t.ownerToken,
      body: { code: await latestCode(NEW) },
    });
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
    expect(confirmed.body.status).toBe("completed");
    expect(await account(t.tenantId)).toMatchObject({ ownerEmail: NEW, ownerName: "Ravi Rao" });
    expect(await ownerMember(t.tenantId)).toMatchObject({ email: NEW, name: "Ravi Rao" });
    const trail = await host.call("GET", `/v1/requests/${id}/audit`, { token: officer });
    expect(trail.body.chain.valid).toBe(true);
    expect(trail.body.events.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining(["approve", "confirmation_sent", "confirm_contact", "complete"]),
    );
    expect(JSON.stringify(trail.body)).not.toMatch(/newmail|Ravi Rao/i);

    // Now the new address is the registered one: deletion by email is confirmed from it.
    const later = await host.call("POST", "/v1/requests", {
      headers: client(),
      body: { kind: "erasure", scope: { type: "account", tenantId: t.tenantId }, contact: { email: NEW } },
    });
    expect(later.status).toBe(201);
    expect(await codesTo(NEW)).toHaveLength(3);
  });

  it("a new email and a new phone are each confirmed by their own code, one after the other", async () => {
    const t = await seed();
    const before = await account(t.tenantId);
    const EMAIL = "asha.iyer@elsewhere.example";
    const PHONE = "+919845008888";
    const res = await host.call("POST", "/v1/requests", {
      token: t.ownerToken,
      body: {
        kind: "correction",
        corrections: [
          { field: "email", value: EMAIL },
          { field: "phone", value: "+91 98450 08888" },
        ],
      },
    });
    const id = res.body.id as string;
    const approved = await host.call("POST", `/v1/requests/${id}/approve`, { token: officer });
    expect(approved.body).toMatchObject({
      status: "in_progress",
      details: { confirmation: { awaiting: "email" } },
    });
    expect(await codesTo(PHONE)).toHaveLength(0);
    // The email's code does not stand for the phone.
    const emailCode = await latestCode(EMAIL);
    const first = await host.call("POST", `/v1/requests/${id}/confirmation`, {
      token: t.ownerToken,
      body: { code: emailCode },
    });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      status: "in_progress",
      details: { confirmation: { awaiting: "phone", confirmed: ["email"] } },
    });
    expect(await account(t.tenantId)).toMatchObject({
      ownerEmail: before.ownerEmail,
      ownerPhone: before.ownerPhone,
    });
    const second = await host.call("POST", `/v1/requests/${id}/confirmation`, {
      token: t.ownerToken,
      body: { code: await latestCode(PHONE) },
    });
    expect(second.status).toBe(200);
    expect(second.body.status).toBe("completed");
    expect(await account(t.tenantId)).toMatchObject({ ownerEmail: EMAIL, ownerPhone: PHONE });
  });
});

describe("the owner's new address cannot be swapped after its proof", () => {
  it("of two corrections of the email, the one applied is the one whose address got the code", async () => {
    const t = await seed();
    const FIRST = "first.address@example.in";
    const LAST = "last.address@example.in";
    const res = await host.call("POST", "/v1/requests", {
      token: t.ownerToken,
      body: {
        kind: "correction",
        corrections: [
          { field: "email", value: FIRST },
          { field: "email", value: LAST },
        ],
      },
    });
    expect(res.status).toBe(201);
    await host.call("POST", `/v1/requests/${res.body.id}/approve`, { token: support });
    expect(await codesTo(FIRST)).toHaveLength(0);
    const done = await host.call("POST", `/v1/requests/${res.body.id}/confirmation`, {
      token: t.ownerToken,
      body: { code: await latestCode(LAST) },
    });
    expect(done.body.status).toBe("completed");
    expect((await account(t.tenantId)).ownerEmail).toBe(LAST);
  });
});

describe("the nomination is the owner's alone", () => {
  it("an admin or member cannot nominate over the owner, and cannot revoke the owner's nomination", async () => {
    const t = await seed();
    const owners = await host.call("POST", "/v1/requests", {
      token: t.ownerToken,
      body: {
        kind: "nomination",
        nominee: { name: "Meera Rao", relation: "spouse", email: "meera@example.in" },
      },
    });
    expect(owners.status).toBe(201);
    expect(owners.body.details.nomination).toMatchObject({ state: "active" });
    for (const role of ["admin", "member"] as const) {
      const token = await tokenFor(role, t.tenantId, `${role}-mallory`);
      const res = await host.call("POST", "/v1/requests", {
        token,
        body: {
          kind: "nomination",
          nominee: { name: "Mallory", relation: "friend", email: "mallory@attacker.example" },
        },
      });
      expect(res.status, role).toBe(403);
      expect(res.body.detail).toMatch(/account owner/);
      const revoke = await host.call("POST", `/v1/requests/${owners.body.id}/cancel`, { token, body: {} });
      expect(revoke.status, role).toBe(403);
    }
    expect(await staffIds(t.tenantId, "nomination")).toEqual([owners.body.id]);
    const read = await host.call("GET", `/v1/requests/${owners.body.id}`, { token: t.ownerToken });
    expect(read.body.details.nomination).toMatchObject({ state: "active" });
    // The owner revokes it.
    const revoked = await host.call("POST", `/v1/requests/${owners.body.id}/cancel`, {
      token: t.ownerToken,
      body: {},
    });
    expect(revoked.status).toBe(200);
    expect(revoked.body.details.nomination).toMatchObject({ state: "revoked" });
  });
});

describe("grievances are seen by the filer and staff", () => {
  it("another member, an admin and the owner get 404 for a member's grievance; the filer and staff read it", async () => {
    const t = await seed();
    const filer = await tokenFor("member", t.tenantId, "member-asha");
    const filed = await host.call("POST", "/v1/requests", {
      token: filer,
      body: { kind: "grievance", details: { summary: "My manager exported my data without telling me." } },
    });
    expect(filed.status).toBe(201);
    const id = filed.body.id as string;
    const others = [
      await tokenFor("member", t.tenantId, "member-bharat"),
      await tokenFor("admin", t.tenantId, "admin-chitra"),
      t.ownerToken,
    ];
    for (const token of others) {
      expect((await host.call("GET", `/v1/requests/${id}`, { token })).status).toBe(404);
      expect((await host.call("GET", `/v1/requests/${id}/audit`, { token })).status).toBe(404);
      for (const query of ["", "&kind=grievance"]) expect(await listAll(token, query, 100)).not.toContain(id);
    }
    const own = await host.call("GET", `/v1/requests/${id}`, { token: filer });
    expect(own.status).toBe(200);
    expect(own.body.details.summary).toMatch(/exported my data/);
    expect(await listAll(filer, "&kind=grievance", 100)).toEqual([id]);
    expect((await host.call("GET", `/v1/requests/${id}`, { token: officer })).status).toBe(200);
    expect(await staffIds(t.tenantId, "grievance")).toEqual([id]);
  });

  it("paging a member's list yields every request they may see, newest first, none twice, no one else's grievance", async () => {
    const t = await seed();
    const asha = await tokenFor("member", t.tenantId, "member-asha");
    const bharat = await tokenFor("member", t.tenantId, "member-bharat");
    const file = async (token: string, body: Record<string, unknown>) => {
      const res = await host.call("POST", "/v1/requests", { token, body });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body.id as string;
    };
    const grievance = (summary: string) => ({ kind: "grievance", details: { summary } });
    const created: { id: string; visibleToAsha: boolean }[] = [];
    created.push({ id: await file(bharat, grievance("first of Bharat's")), visibleToAsha: false });
    created.push({
      id: await file(t.ownerToken, {
        kind: "correction",
        corrections: [{ field: "name", value: "Ravi Rao" }],
      }),
      visibleToAsha: true,
    });
    created.push({ id: await file(asha, grievance("first of Asha's")), visibleToAsha: true });
    created.push({ id: await file(bharat, grievance("second of Bharat's")), visibleToAsha: false });
    created.push({ id: await file(bharat, grievance("third of Bharat's")), visibleToAsha: false });
    created.push({ id: await file(asha, grievance("second of Asha's")), visibleToAsha: true });
    created.push({ id: await file(bharat, grievance("fourth of Bharat's")), visibleToAsha: false });
    const newestFirst = created.map((c) => c).reverse();
    const ashaSees = newestFirst.filter((c) => c.visibleToAsha).map((c) => c.id);
    for (const limit of [1, 2, 3, 100])
      expect(await listAll(asha, "", limit), `limit ${limit}`).toEqual(ashaSees);
    expect(await listAll(asha, "&kind=grievance", 1)).toEqual([created[5]!.id, created[2]!.id]);
    expect(await listAll(bharat, "&kind=grievance", 2)).toEqual(
      newestFirst.filter((c) => !c.visibleToAsha).map((c) => c.id),
    );
    // The owner sees the tenant's requests, not the members' grievances.
    expect(await listAll(t.ownerToken, "", 2)).toEqual([created[1]!.id]);
    // A token that is not one the list handed out is refused, not trusted.
    const bad = await host.call("GET", "/v1/requests?limit=2&continuationToken=bm90LWEtdG9rZW4", {
      token: asha,
    });
    expect(bad.status).toBe(400);
  });
});

describe("a legal hold's reason is for staff", () => {
  it("the owner and members see that the deletion is held and since when, not why", async () => {
    const t = await seed();
    const created = await host.call("POST", "/v1/requests", {
      token: t.ownerToken,
      body: { kind: "erasure", scope: { type: "account", tenantId: t.tenantId } },
    });
    expect(created.body.status).toBe("deactivated");
    const id = created.body.id as string;
    const REASON = "Preservation order CS(OS) 512/2026, Delhi High Court";
    const held = await host.call("POST", `/v1/requests/${id}/hold`, {
      token: officer,
      body: { reason: REASON },
    });
    expect(held.status).toBe(200);
    expect(held.body.hold).toMatchObject({ reason: REASON });
    const member = await tokenFor("member", t.tenantId, "member-asha");
    for (const token of [t.ownerToken, member]) {
      const read = await host.call("GET", `/v1/requests/${id}`, { token });
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({
        status: "on_hold",
        onHold: true,
        hold: { since: held.body.hold.since },
      });
      expect(read.body.hold.reason).toBeUndefined();
      const list = await host.call("GET", "/v1/requests?kind=erasure", { token });
      expect(list.body.items.map((i: { id: string }) => i.id)).toContain(id);
      for (const text of [JSON.stringify(read.body), JSON.stringify(list.body)])
        expect(text).not.toMatch(/Preservation order|512\/2026/);
    }
    // Asking again returns the held request: still without the reason.
    const again = await host.call("POST", "/v1/requests", {
      token: t.ownerToken,
      body: { kind: "erasure", scope: { type: "account", tenantId: t.tenantId } },
    });
    expect(again.body.id).toBe(id);
    expect(JSON.stringify(again.body)).not.toMatch(/Preservation order/);
    // The owner's audit summary names the hold, not its reason.
    const summary = await host.call("GET", `/v1/requests/${id}/audit`, { token: t.ownerToken });
    expect(summary.body.events.map((e: { action: string }) => e.action)).toContain("hold");
    expect(JSON.stringify(summary.body)).not.toMatch(/Preservation order/);
    for (const token of [officer, support]) {
      const read = await host.call("GET", `/v1/requests/${id}`, { token });
      expect(read.body.hold).toMatchObject({ reason: REASON });
    }
  });
});

/**
 * Real Cosmos pages (DESIGN §9; Azure Cosmos DB docs, "Pagination in Azure Cosmos DB": a page may hold
 * fewer items than asked, even none, while the continuation token still leads to more). The model
 * serves an empty first page, then pages of at most seven items.
 */
function cosmosPaging(c: DocumentCollection): Partial<DocumentCollection> {
  return {
    async query<T extends Doc>(spec: QuerySpec): Promise<Page<T>> {
      if (spec.partitionKey === undefined) return c.query<T>(spec);
      const { continuationToken, ...rest } = spec;
      if (continuationToken === undefined) return { items: [], continuationToken: "model:after-empty-page" };
      const page = await c.query<T>({
        ...rest,
        limit: Math.min(spec.limit ?? 100, 7),
        ...(continuationToken === "model:after-empty-page" ? {} : { continuationToken }),
      });
      return page;
    },
  };
}

/** Runs `work` while the key, bot and member containers page as real Cosmos may. */
async function withCosmosPaging<R>(work: () => Promise<R>): Promise<R> {
  const undo = patchPort(
    host,
    "documents",
    ["apiKeys", "bots", "members"].reduce(
      (store, name) => wrapCollection(store, name, cosmosPaging),
      host.runtime.app.ports.documents,
    ),
  );
  try {
    return await work();
  } finally {
    undo();
  }
}

describe("deactivation reaches every record, however many and however paged", () => {
  it("more API keys than one page, and short and empty pages: every key revoked, bot stopped, member removed", async () => {
    const t = await seed({ members: 40, bots: 40, apiKeys: 40 });
    // Beyond one page of 1000 (the most one query page may hold): keys written as the platform writes them.
    const keys = platform("apiKeys");
    await forEachLimit(
      Array.from({ length: 1001 }, (_, i) => i),
      16,
      async (i) => {
        await keys.create({
          id: `k-${t.tenantId}-x${i}`,
          tenantId: t.tenantId,
          name: `Integration ${i}`,
          prefix: `cm_live_x${i}`,
          keyHash: `hash-${i}`,
          status: "active",
          createdAt: "2026-03-01T00:00:00.000Z",
        });
      },
    );
    const botsBefore = await allOf("bots", t.tenantId);
    const membersBefore = await allOf("members", t.tenantId);
    const keysBefore = await allOf("apiKeys", t.tenantId);
    expect(keysBefore).toHaveLength(1041);
    expect(membersBefore).toHaveLength(41);

    const res = await withCosmosPaging(() =>
      host.call("POST", "/v1/requests", {
        token: t.ownerToken,
        body: { kind: "erasure", scope: { type: "account", tenantId: t.tenantId } },
      }),
    );
    expect(res.status).toBe(201);
    expect(res.body.status).toBe("deactivated");
    expect((await account(t.tenantId)).status).toBe("deactivated");
    expect((await allOf("apiKeys", t.tenantId)).filter((k) => k.status !== "revoked")).toEqual([]);
    expect((await allOf("bots", t.tenantId)).filter((b) => b.status !== "stopped")).toEqual([]);
    expect((await allOf("members", t.tenantId)).filter((m) => m.access !== "removed")).toEqual([]);

    const reactivated = await withCosmosPaging(() =>
      host.call("POST", `/v1/accounts/${t.tenantId}/reactivate`, {
        token: support,
        body: { reason: "Owner changed their mind (ticket 7781)" },
      }),
    );
    expect(reactivated.status).toBe(200);
    expect(reactivated.body.apiKeys).toMatchObject({ revoked: 1041, mustRegenerate: true });
    expect(reactivated.body.restored).toMatchObject({ account: 1, bots: 40, team_members: 41 });
    expect((await account(t.tenantId)).status).toBe("active");
    const status = (docs: Record<string, unknown>[], field: string) =>
      Object.fromEntries(docs.map((d) => [d.id as string, d[field]]));
    expect(status(await allOf("bots", t.tenantId), "status")).toEqual(status(botsBefore, "status"));
    expect(status(await allOf("members", t.tenantId), "access")).toEqual(status(membersBefore, "access"));
    // API keys stay revoked (Account Deletion §6): they must be regenerated.
    expect((await allOf("apiKeys", t.tenantId)).filter((k) => k.status !== "revoked")).toEqual([]);
  });
});
