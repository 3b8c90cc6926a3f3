import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashWhatsAppNumber } from "../../src/domain/subject";
import { startTestHost, type TestHost } from "../support/host";
import { latestCode as latestCodeFor } from "../support/outbox";
import { patchPort, wrapCollection } from "../support/ports";

/**
 * Withdrawal of consent (Privacy Policy §7) end to end over HTTP: per purpose, recorded with time and
 * channel; the consent check other services call answers withdrawn on the very next request; a
 * withdrawal of WhatsApp messaging for a number opens its erasure by itself, unless one is open already
 * or nothing is held, the reason recorded either way.
 */

const NUMBER = "+919844001122";
const SECOND = "+919844003344";
let host: TestHost;
let officer: string;
let a: { tenantId: string; ownerToken: string };
let b: { tenantId: string; ownerToken: string };
let clientSeq = 0;
const client = () => ({ "x-forwarded-for": `10.51.${Math.floor(clientSeq / 250)}.${clientSeq++ % 250}` });
const asRequester = (token: string) => ({ "x-request-token": token });

const latestCode = (to: string) => latestCodeFor(host, to);

/** A tenant in the URL; a number (`wa:…`) in the body, as numbers never go in a URL. */
const check = (subject: string, purpose: string, token: string = officer) =>
  subject.startsWith("wa:")
    ? host.call("POST", "/v1/consents/check", {
        token,
        body: { subject: { whatsapp: subject.slice("wa:".length) }, purpose },
      })
    : host.call("GET", `/v1/consents/${encodeURIComponent(subject)}?purpose=${purpose}`, { token });

const consents = () => host.runtime.app.ports.documents.collection("platform", "consents");

async function messagesHeld(phone: string): Promise<number> {
  const res = await host.call("POST", "/v1/subjects/inventory", {
    token: officer,
    body: { whatsapp: phone },
  });
  return (res.body.categories as { category: string; records: number }[]).find(
    (c) => c.category === "messages",
  )!.records;
}

async function withdrawalCount(): Promise<number> {
  const res = await host.call("GET", "/v1/requests?kind=consent_withdrawal&limit=100", { token: officer });
  return (res.body.items as unknown[]).length;
}

/** A public withdrawal for a number, verified with the code sent to the number. */
async function withdrawForNumber(phone: string, purposes: string[]) {
  const created = await host.call("POST", "/v1/requests", {
    headers: client(),
    body: { kind: "consent_withdrawal", scope: { type: "whatsapp_number", phone }, purposes },
  });
  expect(created.status).toBe(201);
  const token = created.body.requestToken as string;
  const verified = await host.call("POST", `/v1/requests/${created.body.id}/verification`, {
    headers: asRequester(token),
    body: { code: await latestCode(phone) },
  });
  expect(verified.status).toBe(200);
  return { id: created.body.id as string, token, body: verified.body };
}

beforeAll(async () => {
  host = await startTestHost();
  officer = await host.token("privacy_officer");
  const seed = async (contacts: string[]) =>
    (
      await host.call("POST", "/_dev/seed", {
        body: {
          conversations: contacts.length,
          messagesPerConversation: 2,
          audioPerConversation: 0,
          contacts,
        },
      })
    ).body;
  a = await seed([NUMBER, SECOND]);
  b = await seed([NUMBER]);
});
afterAll(async () => {
  await host?.stop();
});

describe("an account withdraws consent", () => {
  it("the consent check answers withdrawn on the next request, from the moment of withdrawal", async () => {
    // The platform recorded the owner's opt-in to marketing emails at sign-up.
    const optIn = "2026-01-05T09:30:00.000Z";
    await consents().upsert({
      id: "signup-marketing",
      tenantId: a.tenantId,
      purpose: "marketing_email",
      status: "granted",
      channel: "dashboard",
      at: optIn,
    });
    const before = await check(`tenant:${a.tenantId}`, "marketing_email", a.ownerToken);
    expect(before.status).toBe(200);
    expect(before.body).toEqual({
      purpose: "marketing_email",
      status: "granted",
      since: optIn,
      channel: "dashboard",
    });

    const withdrawal = await host.call("POST", "/v1/requests", {
      token: a.ownerToken,
      body: {
        kind: "consent_withdrawal",
        scope: { type: "account", tenantId: a.tenantId },
        purposes: ["marketing_email"],
      },
    });
    expect(withdrawal.status).toBe(201);
    expect(withdrawal.body.status).toBe("completed");
    const at = withdrawal.body.verifiedAt as string;
    expect(withdrawal.body.details.withdrawal).toMatchObject({
      at,
      channel: "dashboard",
      erasure: "not_required",
    });

    const after = await check(`tenant:${a.tenantId}`, "marketing_email", a.ownerToken);
    expect(after.body).toEqual({
      purpose: "marketing_email",
      status: "withdrawn",
      since: at,
      channel: "dashboard",
    });
    // The same answer for another member of the tenant and for staff.
    const member = await host.token("member", a.tenantId);
    expect((await check(`tenant:${a.tenantId}`, "marketing_email", member)).body.status).toBe("withdrawn");
    expect((await check(`tenant:${a.tenantId}`, "marketing_email")).body.since).toBe(at);

    // Recorded in the platform's consent records too, with time and channel.
    const record = (await consents().read("signup-marketing", a.tenantId))!.doc as Record<string, unknown>;
    expect(record).toMatchObject({ status: "withdrawn", withdrawnAt: at, withdrawalChannel: "dashboard" });
    const trail = await host.call("GET", `/v1/requests/${withdrawal.body.id}/audit`, { token: officer });
    expect(trail.body.events.at(-1)).toMatchObject({
      action: "complete",
      data: { purposes: ["marketing_email"], withdrawnAt: at, channel: "dashboard", erasure: "not_required" },
    });

    // Days later it is still withdrawn, from the same moment.
    await host.call("POST", "/_dev/clock", { body: { advance: "P8D" } });
    expect((await check(`tenant:${a.tenantId}`, "marketing_email", a.ownerToken)).body.since).toBe(at);
  });

  it("nothing recorded is 404 (no consent); another tenant's consent is not visible", async () => {
    const none = await check(`tenant:${a.tenantId}`, "analytics", a.ownerToken);
    expect(none.status).toBe(404);
    expect(none.headers.get("content-type")).toMatch(/application\/problem\+json/);
    expect((await check(`tenant:${a.tenantId}`, "marketing_email", b.ownerToken)).status).toBe(404);
    expect((await host.call("GET", `/v1/consents/tenant:${a.tenantId}?purpose=marketing_email`)).status).toBe(
      401,
    );
  });

  it("withdrawing WhatsApp messaging for an account stops it without erasing the account", async () => {
    const res = await host.call("POST", "/v1/requests", {
      token: b.ownerToken,
      body: { kind: "consent_withdrawal", purposes: ["whatsapp_messaging", "analytics"] },
    });
    expect(res.body.status).toBe("completed");
    expect(res.body.details.withdrawal.erasure).toBe("not_required");
    expect(res.body.closedReason).toMatch(/separate request by its owner/);
    expect((await check(`tenant:${b.tenantId}`, "analytics", b.ownerToken)).body.status).toBe("withdrawn");
    const erasures = await host.call("GET", "/v1/requests?kind=erasure", { token: b.ownerToken });
    expect(erasures.body.items).toEqual([]);
  });
});

describe("a WhatsApp number withdraws consent to WhatsApp messaging", () => {
  it("answers withdrawn at once, and an erasure of the number opens by itself", async () => {
    const granted = await check(`wa:${NUMBER}`, "whatsapp_messaging");
    expect(granted.body.status).toBe("granted");
    // A business asks about the number: its own records (and the person's own withdrawal) count.
    expect((await check(`wa:${NUMBER}`, "whatsapp_messaging", b.ownerToken)).body.status).toBe("granted");
    expect(await messagesHeld(NUMBER)).toBe(4);

    const w = await withdrawForNumber("+91 98440 01122", ["whatsapp_messaging"]);
    expect(w.body.status).toBe("completed");
    const followUp = w.body.details.withdrawal;
    expect(followUp).toMatchObject({ erasure: "opened", channel: "public", at: w.body.verifiedAt });
    expect(followUp.requestId).toMatch(/^r-/);

    const after = await check(`wa:${NUMBER}`, "whatsapp_messaging");
    expect(after.body).toMatchObject({ status: "withdrawn", since: w.body.verifiedAt, channel: "public" });
    // The businesses no longer hold the number (its erasure ran): for them there is no consent.
    for (const token of [a.ownerToken, b.ownerToken])
      expect((await check(`wa:${NUMBER}`, "whatsapp_messaging", token)).status).toBe(404);
    // The erasure ran: the number's data is gone, the person follows it with the same token.
    const erasure = await host.call("GET", `/v1/requests/${followUp.requestId}`, {
      headers: asRequester(w.token),
    });
    expect(erasure.status).toBe(200);
    expect(erasure.body.kind).toBe("erasure");
    expect(["purged", "completed"]).toContain(erasure.body.status);
    expect(await messagesHeld(NUMBER)).toBe(0);
    // The platform's consent records went with the erasure; the ledger keeps the withdrawal.
    const hash = hashWhatsAppNumber(host.runtime.app.keys.hash, NUMBER);
    expect(await consents().count({ where: [{ field: "subjectHash", op: "=", value: hash }] })).toBe(0);
    expect((await check(`wa:${NUMBER}`, "whatsapp_messaging")).body).toMatchObject({
      status: "withdrawn",
      since: w.body.verifiedAt,
    });
    const trail = await host.call("GET", `/v1/requests/${followUp.requestId}/audit`, { token: officer });
    expect(trail.body.events[0]).toMatchObject({ action: "create", data: { openedBy: w.id } });
    expect(JSON.stringify(trail.body)).not.toContain("9844001122");
  });

  it("opens no second erasure when one is open, and none when nothing is held; the reason is recorded", async () => {
    // An erasure of SECOND is open and running (verified, held up by a failing store): the withdrawal
    // links to it. (A filing still waiting for its code would not count: it proves nothing yet.)
    const open = await host.call("POST", "/v1/requests", {
      headers: client(),
      body: { kind: "erasure", scope: { type: "whatsapp_number", phone: SECOND } },
    });
    expect(open.body.status).toBe("pending_verification");
    const restore = patchPort(
      host,
      "documents",
      wrapCollection(host.runtime.app.ports.documents, "messages", () => ({
        query: () => Promise.reject(new Error("store unavailable")),
      })),
    );
    try {
      const verified = await host.call("POST", `/v1/requests/${open.body.id}/verification`, {
        headers: { "x-request-token": open.body.requestToken },
        body: { code: await latestCodeFor(host, SECOND) },
      });
      expect(verified.body.failure).toBeDefined();
    } finally {
      restore();
    }
    const linked = await withdrawForNumber(SECOND, ["whatsapp_messaging"]);
    expect(linked.body.details.withdrawal).toMatchObject({ erasure: "linked", requestId: open.body.id });
    expect(linked.body.closedReason).toMatch(/already open/);
    expect(await messagesHeld(SECOND)).toBe(2);
    // A business that holds the number sees the person's withdrawal; one that never had it sees nothing.
    expect((await check(`wa:${SECOND}`, "whatsapp_messaging", a.ownerToken)).body).toMatchObject({
      status: "withdrawn",
      since: linked.body.verifiedAt,
    });
    expect((await check(`wa:${SECOND}`, "whatsapp_messaging", b.ownerToken)).status).toBe(404);

    const unknown = await withdrawForNumber("+919844009900", ["whatsapp_messaging", "marketing_email"]);
    expect(unknown.body.details.withdrawal.erasure).toBe("nothing_held");
    expect(unknown.body.closedReason).toMatch(/nothing to erase/);
    expect((await check("wa:+919844009900", "marketing_email")).body.status).toBe("withdrawn");
  });
});

describe("bad input", () => {
  it("on the consent check and the withdrawal is 400 problem+json, and stores nothing", async () => {
    for (const path of [
      `/v1/consents/${encodeURIComponent(`tenant:${a.tenantId}`)}`,
      `/v1/consents/${encodeURIComponent(`tenant:${a.tenantId}`)}?purpose=sms`,
      `/v1/consents/${encodeURIComponent(`tenant:${a.tenantId}`)}?purpose=analytics&x=1`,
      "/v1/consents/acme?purpose=analytics",
      `/v1/consents/${encodeURIComponent("tenant:bad id!")}?purpose=analytics`,
      `/v1/consents/${encodeURIComponent("wa:12")}?purpose=analytics`,
      // A valid number too: numbers go in the body of POST /v1/consents/check, never in a URL.
      `/v1/consents/${encodeURIComponent(`wa:${NUMBER}`)}?purpose=analytics`,
      `/v1/consents/${encodeURIComponent("email:a@b.in")}?purpose=analytics`,
    ]) {
      const res = await host.call("GET", path, { token: officer });
      expect(res.status, path).toBe(400);
      expect(res.headers.get("content-type")).toMatch(/application\/problem\+json/);
    }
    const before = await withdrawalCount();
    for (const purposes of [[], ["sms"], ["analytics", "analytics", "analytics", "analytics"], "analytics"]) {
      const res = await host.call("POST", "/v1/requests", {
        token: a.ownerToken,
        body: { kind: "consent_withdrawal", purposes },
      });
      expect(res.status, JSON.stringify(purposes)).toBe(400);
    }
    const extra = await host.call("POST", "/v1/requests", {
      token: a.ownerToken,
      body: { kind: "consent_withdrawal", purposes: ["analytics"], channel: "sms" },
    });
    expect(extra.status).toBe(400);
    expect(await withdrawalCount()).toBe(before);
  });
});
