import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashWhatsAppNumber } from "../../src/domain/subject";
import { startTestHost, type TestHost } from "../support/host";
import { latestCode as latestCodeFor } from "../support/outbox";

/**
 * Correction (Privacy Policy §6) end to end over HTTP: the principal names the fields, staff review
 * (approve applies the change through the inventory; reject with a reason), the audit trail keeps the
 * before and after values as keyed hashes only, the deadline comes from the policy module and is
 * crossed with the dev clock.
 */

const NUMBER = "+919845001122";
const DAY = 86_400_000;
let host: TestHost;
let support: string;
let officer: string;
let clientSeq = 0;
const client = () => ({ "x-forwarded-for": `10.21.${Math.floor(clientSeq / 250)}.${clientSeq++ % 250}` });
const asRequester = (token: string) => ({ "x-request-token": token });

async function seed(contacts: string[] = []) {
  const res = await host.call("POST", "/_dev/seed", {
    body: {
      conversations: Math.max(1, contacts.length),
      messagesPerConversation: 1,
      audioPerConversation: 0,
      contacts,
    },
  });
  expect(res.status).toBe(201);
  return res.body as { tenantId: string; ownerToken: string; ownerEmail: string };
}

const latestCode = (to: string) => latestCodeFor(host, to);

const platform = (container: string) => host.runtime.app.ports.documents.collection("platform", container);
const account = async (tenantId: string) =>
  (await platform("accounts").read(tenantId, tenantId))!.doc as Record<string, unknown>;
const ownerMember = async (tenantId: string) =>
  (await platform("members").read(`m-${tenantId}-owner`, tenantId))!.doc as Record<string, unknown>;

async function correctionCount(): Promise<number> {
  const res = await host.call("GET", "/v1/requests?kind=correction&limit=100", { token: officer });
  return (res.body.items as unknown[]).length;
}

beforeAll(async () => {
  host = await startTestHost();
  support = await host.token("support");
  officer = await host.token("privacy_officer");
});
afterAll(async () => {
  await host?.stop();
});

describe("correction of an account holder's data", () => {
  it("waits for review; approve applies it through the inventory; the audit keeps hashes only", async () => {
    const t = await seed();
    const before = await account(t.tenantId);
    const res = await host.call("POST", "/v1/requests", {
      token: t.ownerToken,
      body: {
        kind: "correction",
        corrections: [
          { field: "organisation", value: "Iyer Dental Care" },
          { field: "name", value: "Ravi Iyer" },
          { field: "email", value: "Ravi.Iyer@Example.in" },
          { field: "role", value: "Managing partner" },
        ],
      },
    });
    expect(res.status).toBe(201);
    expect(res.body.status).toBe("verified");
    expect(res.body.allowedActions).toContain("approve");
    // The deadline is the policy's correction period (30 days), from verification.
    expect(Date.parse(res.body.dueAt) - Date.parse(res.body.verifiedAt)).toBe(30 * DAY);
    // Nothing changes before the review.
    expect((await account(t.tenantId)).organisation).toBe(before.organisation);

    const approved = await host.call("POST", `/v1/requests/${res.body.id}/approve`, {
      token: support,
      body: { reason: "Matches the GST registration" },
    });
    expect(approved.status).toBe(200);
    // The new email address proves control first: the code goes there; nothing changes meanwhile.
    expect(approved.body.status).toBe("in_progress");
    expect((await account(t.tenantId)).organisation).toBe(before.organisation);
    const confirmed = await host.call("POST", `/v1/requests/${res.body.id}/confirmation`, {
      token: t.ownerToken,
      body: { code: await latestCode("ravi.iyer@example.in") },
    });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.status).toBe("completed");
    expect(confirmed.body.closedReason).toMatch(/Corrected: organisation, name, email address, role\./);

    const after = await account(t.tenantId);
    expect(after).toMatchObject({
      organisation: "Iyer Dental Care",
      ownerName: "Ravi Iyer",
      ownerEmail: "ravi.iyer@example.in",
      ownerDesignation: "Managing partner",
    });
    const member = await ownerMember(t.tenantId);
    expect(member).toMatchObject({
      name: "Ravi Iyer",
      email: "ravi.iyer@example.in",
      designation: "Managing partner",
    });
    // The person's designation, never their access role.
    expect(member.role).toBe("owner");

    const trail = await host.call("GET", `/v1/requests/${res.body.id}/audit`, { token: officer });
    expect(trail.body.chain.valid).toBe(true);
    const done = (trail.body.events as { action: string; data?: { changes?: unknown[] } }[]).find(
      (e) => e.action === "complete",
    )!;
    expect(done.data!.changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          field: "organisation",
          category: "account",
          records: 1,
          beforeHashes: [expect.stringMatching(/^[A-Za-z0-9_-]{43}$/)],
          afterHash: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        }),
        expect.objectContaining({ field: "name", category: "team_members", records: 1 }),
      ]),
    );
    const text = JSON.stringify(trail.body);
    for (const clear of ["Iyer Dental Care", "Ravi Iyer", "ravi.iyer@example.in", "Managing partner"])
      expect(text).not.toContain(clear);
    for (const old of [before.organisation, before.ownerName, before.ownerEmail] as string[])
      expect(text).not.toContain(old);

    const out = await host.call("POST", "/_dev/outbox", { body: { to: t.ownerEmail } });
    expect(out.body.messages.at(-1)).toMatchObject({ template: "request_completed" });
  });

  it("rejected with a reason: nothing changes and the requester is told why", async () => {
    const t = await seed();
    const before = await account(t.tenantId);
    const res = await host.call("POST", "/v1/requests", {
      token: t.ownerToken,
      body: { kind: "correction", corrections: [{ field: "organisation", value: "Somebody Else Ltd" }] },
    });
    expect(
      (await host.call("POST", `/v1/requests/${res.body.id}/reject`, { token: support, body: {} })).status,
    ).toBe(400);
    const rejected = await host.call("POST", `/v1/requests/${res.body.id}/reject`, {
      token: support,
      body: { reason: "The organisation name must match the registration certificate" },
    });
    expect(rejected.status).toBe(200);
    expect(rejected.body.status).toBe("rejected");
    expect((await account(t.tenantId)).organisation).toBe(before.organisation);
    const out = await host.call("POST", "/_dev/outbox", { body: { to: t.ownerEmail } });
    const last = out.body.messages.at(-1);
    expect(last.template).toBe("request_rejected");
    expect(last.text).toContain("registration certificate");
    expect(last.text).toContain("karan@callmissed.com");
    // The owner cannot approve their own correction.
    const again = await host.call("POST", "/v1/requests", {
      token: t.ownerToken,
      body: { kind: "correction", corrections: [{ field: "name", value: "A. Person" }] },
    });
    expect(
      (await host.call("POST", `/v1/requests/${again.body.id}/approve`, { token: t.ownerToken })).status,
    ).toBe(403);
  });
});

describe("correction for a WhatsApp number", () => {
  it("corrects the contact name in every business's conversations, after review", async () => {
    await seed([NUMBER]);
    await seed([NUMBER]);
    const created = await host.call("POST", "/v1/requests", {
      headers: client(),
      body: {
        kind: "correction",
        scope: { type: "whatsapp_number", phone: "+91 98450 01122" },
        corrections: [
          { field: "name", value: "Rekha Iyer" },
          { field: "phone", value: "+91 98450 09999" },
        ],
      },
    });
    expect(created.status).toBe(201);
    const token = created.body.requestToken as string;
    const verified = await host.call("POST", `/v1/requests/${created.body.id}/verification`, {
      headers: asRequester(token),
      body: { code: await latestCode(NUMBER) },
    });
    expect(verified.status).toBe(200);
    expect(verified.body.status).toBe("verified");

    const hash = hashWhatsAppNumber(host.runtime.app.keys.hash, NUMBER);
    const names = async () =>
      (
        await platform("conversations").query<{ id: string; contactName: string }>({
          where: [{ field: "contactHash", op: "=", value: hash }],
        })
      ).items.map((c) => c.contactName);
    expect(await names()).toHaveLength(2);
    expect(await names()).not.toContain("Rekha Iyer");

    const approved = await host.call("POST", `/v1/requests/${created.body.id}/approve`, { token: officer });
    expect(approved.status).toBe(200);
    expect(approved.body.status).toBe("completed");
    expect(await names()).toEqual(["Rekha Iyer", "Rekha Iyer"]);
    // The number is the identity: it is not "corrected", and the requester is told so.
    expect(approved.body.closedReason).toMatch(/Not changed: phone number/);
    const trail = await host.call("GET", `/v1/requests/${created.body.id}/audit`, { token: officer });
    expect(JSON.stringify(trail.body)).not.toContain("Rekha");
    expect(JSON.stringify(trail.body)).not.toContain("9845009999");
  });
});

describe("the correction deadline", () => {
  it("is crossed with the dev clock: overdue while waiting for review, then completed", async () => {
    const t = await seed();
    const res = await host.call("POST", "/v1/requests", {
      token: t.ownerToken,
      body: { kind: "correction", corrections: [{ field: "phone", value: "+91 98450 07777" }] },
    });
    expect(res.body.overdue).toBe(false);
    await host.call("POST", "/_dev/clock", { body: { advance: "P29D" } });
    let read = await host.call("GET", `/v1/requests/${res.body.id}`, { token: support });
    expect(read.body).toMatchObject({ status: "verified", overdue: false, daysLeft: 1 });
    await host.call("POST", "/_dev/clock", { body: { advance: "P2D" } });
    read = await host.call("GET", `/v1/requests/${res.body.id}`, { token: support });
    expect(read.body).toMatchObject({ status: "verified", overdue: true, daysLeft: 0 });
    const overdue = await host.call("GET", "/v1/requests?kind=correction&overdue=true", { token: support });
    expect(overdue.body.items.map((i: { id: string }) => i.id)).toContain(res.body.id);
    const approved = await host.call("POST", `/v1/requests/${res.body.id}/approve`, { token: support });
    expect(approved.body).toMatchObject({ status: "in_progress", overdue: true });
    // The owner's new number proves control with the code sent to it, then the correction applies.
    const done = await host.call("POST", `/v1/requests/${res.body.id}/confirmation`, {
      token: t.ownerToken,
      body: { code: await latestCode("+919845007777") },
    });
    expect(done.body).toMatchObject({ status: "completed", overdue: false });
    expect((await account(t.tenantId)).ownerPhone).toBe("+919845007777");
  });
});

describe("bad input", () => {
  it("is 400 problem+json and stores nothing", async () => {
    const t = await seed();
    const before = await correctionCount();
    for (const corrections of [
      [],
      [{ field: "email", value: "not-an-email" }],
      [{ field: "phone", value: "12" }],
      [{ field: "name", value: "" }],
      [{ field: "salary", value: "1" }],
      [{ field: "name", value: "A", extra: 1 }],
      Array.from({ length: 6 }, () => ({ field: "name", value: "A" })),
    ]) {
      const res = await host.call("POST", "/v1/requests", {
        token: t.ownerToken,
        body: { kind: "correction", corrections },
      });
      expect(res.status, JSON.stringify(corrections)).toBe(400);
      expect(res.headers.get("content-type")).toMatch(/application\/problem\+json/);
    }
    expect(await correctionCount()).toBe(before);
  });
});
