import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashWhatsAppNumber } from "../../src/domain/subject";
import { startTestHost, type TestHost } from "../support/host";
import { latestCode as latestCodeFor } from "../support/outbox";

/**
 * Nomination (DPDP Act 2023 s.14; Privacy Policy §6) end to end over HTTP: a verified nomination is
 * recorded with the nominee's contact sealed; a new one supersedes it; cancelling revokes it. A nominee
 * files a request for the principal (`onBehalfOf`); the code goes to the nominee's recorded address,
 * and nothing runs until staff review the evidence and approve, whatever the timers do meanwhile.
 */

const PRINCIPAL = "+919833001122";
const FIRST_NOMINEE = "meera.iyer@example.in";
const SECOND_NOMINEE = "+919833009988";
let host: TestHost;
let officer: string;
let support: string;
let tenant: { tenantId: string; ownerToken: string };
let principalToken = "";
let firstId = "";
let secondId = "";
let clientSeq = 0;
const client = () => ({ "x-forwarded-for": `10.31.${Math.floor(clientSeq / 250)}.${clientSeq++ % 250}` });
const asRequester = (token: string) => ({ "x-request-token": token });

const latestCode = (to: string) => latestCodeFor(host, to);

async function codesTo(to: string): Promise<number> {
  const out = await host.call("POST", "/_dev/outbox", { body: { to } });
  return (out.body.messages as { template: string }[]).filter((m) => m.template === "verification_code")
    .length;
}

async function messagesHeld(): Promise<number> {
  const res = await host.call("POST", "/v1/subjects/inventory", {
    token: officer,
    body: { whatsapp: PRINCIPAL },
  });
  return (res.body.categories as { category: string; records: number }[]).find(
    (c) => c.category === "messages",
  )!.records;
}

async function requestCount(): Promise<number> {
  const res = await host.call("GET", "/v1/requests?limit=100", { token: officer });
  return (res.body.items as unknown[]).length;
}

/** A public nomination for the principal's number, verified with the code sent to that number. */
async function nominate(nominee: Record<string, string>) {
  const created = await host.call("POST", "/v1/requests", {
    headers: client(),
    body: {
      kind: "nomination",
      scope: { type: "whatsapp_number", phone: PRINCIPAL },
      nominee: { name: "Meera Iyer", relation: "sister", ...nominee },
    },
  });
  expect(created.status).toBe(201);
  const token = created.body.requestToken as string;
  const verified = await host.call("POST", `/v1/requests/${created.body.id}/verification`, {
    headers: asRequester(token),
    body: { code: await latestCode(PRINCIPAL) },
  });
  expect(verified.status).toBe(200);
  return { id: created.body.id as string, token, body: verified.body };
}

/** A nominee's public request for the principal, verified with the code sent to the nominee. */
async function onBehalf(kind: string, nominationId: string, to: string, extra: Record<string, unknown> = {}) {
  const created = await host.call("POST", "/v1/requests", {
    headers: client(),
    body: { kind, onBehalfOf: { nominationId, evidenceRef: "DC/PUNE/2026/004217" }, ...extra },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  expect(created.body.status).toBe("pending_verification");
  const token = created.body.requestToken as string;
  const verified = await host.call("POST", `/v1/requests/${created.body.id}/verification`, {
    headers: asRequester(token),
    body: { code: await latestCode(to) },
  });
  expect(verified.status).toBe(200);
  return { id: created.body.id as string, token, body: verified.body };
}

beforeAll(async () => {
  host = await startTestHost();
  officer = await host.token("privacy_officer");
  support = await host.token("support");
  tenant = (
    await host.call("POST", "/_dev/seed", {
      body: { conversations: 1, messagesPerConversation: 3, audioPerConversation: 0, contacts: [PRINCIPAL] },
    })
  ).body;
});
afterAll(async () => {
  await host?.stop();
});

describe("a nomination", () => {
  it("is recorded once verified, with the nominee's contact sealed, never shown in clear", async () => {
    const first = await nominate({ email: FIRST_NOMINEE });
    firstId = first.id;
    principalToken = first.token;
    expect(first.body.status).toBe("completed");
    expect(first.body.details.nominee).toEqual({ relation: "sister", contact: "m•••@example.in" });
    expect(first.body.details.nomination).toMatchObject({ state: "active" });
    expect(JSON.stringify(first.body)).not.toMatch(/meera\.iyer|Meera Iyer/);

    // Stored: the request holds no clear contact; the nominee's own document holds it sealed.
    const pk = `wa:${hashWhatsAppNumber(host.runtime.app.keys.hash, PRINCIPAL)}`;
    const service = host.runtime.app.ports.documents.collection("service", "requests");
    const stored = JSON.stringify((await service.read(first.id, pk))!.doc);
    expect(stored).not.toMatch(/meera\.iyer|Meera Iyer/);
    const nominee = (await service.read(`nominee:${first.id}`, pk))!.doc as Record<string, unknown>;
    expect(JSON.stringify(nominee)).not.toMatch(/meera\.iyer|Meera Iyer/);
    expect(nominee.sealed).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);

    const out = await host.call("POST", "/_dev/outbox", { body: { to: PRINCIPAL } });
    expect(out.body.messages.at(-1)).toMatchObject({ template: "request_completed" });
  });

  it("is replaced by a newer verified one: the old one is superseded and its nominee's contact deleted", async () => {
    const second = await nominate({ phone: "+91 98330 09988" });
    secondId = second.id;
    expect(second.body.status).toBe("completed");
    expect(second.body.details.nominee.contact).toBe("+91•••••9988");
    const old = await host.call("GET", `/v1/requests/${firstId}`, { headers: asRequester(principalToken) });
    expect(old.body.details.nomination).toMatchObject({ state: "superseded", supersededBy: secondId });
    const pk = `wa:${hashWhatsAppNumber(host.runtime.app.keys.hash, PRINCIPAL)}`;
    const service = host.runtime.app.ports.documents.collection("service", "requests");
    expect(await service.read(`nominee:${firstId}`, pk)).toBeUndefined();
    const trail = await host.call("GET", `/v1/requests/${firstId}/audit`, { token: officer });
    expect(trail.body.events.map((e: { action: string }) => e.action)).toContain("nomination_superseded");
    principalToken = second.token;
  });
});

describe("a nominee's request for the principal", () => {
  it("goes to the nominee for verification and never executes without staff review", async () => {
    const codesToPrincipal = await codesTo(PRINCIPAL);
    const held = await messagesHeld();
    expect(held).toBe(3);
    const req = await onBehalf("erasure", secondId, SECOND_NOMINEE);
    // The code went to the nominee recorded in the nomination, not to the principal's number.
    expect(await codesTo(PRINCIPAL)).toBe(codesToPrincipal);
    expect(req.body.status).toBe("verified");
    expect(req.body.scope.type).toBe("whatsapp_number");
    expect(req.body.allowedActions).toContain("approve");

    // Time passes (the erasure's 30-day deadline included) and every timer runs: nothing executes.
    await host.call("POST", "/_dev/clock", { body: { advance: "PT2H" } });
    await host.call("POST", "/_dev/clock", { body: { advance: "P31D" } });
    const waiting = await host.call("GET", `/v1/requests/${req.id}`, { token: officer });
    expect(waiting.body).toMatchObject({ status: "verified", overdue: true });
    expect(await messagesHeld()).toBe(3);
    const sla = await host.call("GET", "/v1/sla", { token: officer });
    expect(sla.body.items.find((i: { id: string }) => i.id === req.id)).toMatchObject({
      awaitingReview: true,
      overdue: true,
    });
    // Nothing failed, so there is nothing to retry into running it.
    expect((await host.call("POST", `/v1/requests/${req.id}/retry`, { token: officer })).status).toBe(409);
    // Review: staff only, with the note on the evidence.
    const asNominee = await host.call("POST", `/v1/requests/${req.id}/approve`, {
      headers: asRequester(req.token),
    });
    expect(asNominee.status).toBe(401);
    const asOwner = await host.call("POST", `/v1/requests/${req.id}/approve`, { token: tenant.ownerToken });
    expect(asOwner.status).toBe(403);
    const noNote = await host.call("POST", `/v1/requests/${req.id}/approve`, { token: support });
    expect(noNote.status).toBe(400);
    expect(noNote.body.errors[0].field).toBe("reason");
    expect(await messagesHeld()).toBe(3);

    const approved = await host.call("POST", `/v1/requests/${req.id}/approve`, {
      token: support,
      body: { reason: "Death certificate DC/PUNE/2026/004217 checked with the issuing office" },
    });
    expect(approved.status).toBe(200);
    expect(["purged", "completed"]).toContain(approved.body.status);
    expect(await messagesHeld()).toBe(0);
    const trail = await host.call("GET", `/v1/requests/${req.id}/audit`, { token: officer });
    const actions = trail.body.events.map((e: { action: string }) => e.action);
    expect(actions.indexOf("approve")).toBeGreaterThan(actions.indexOf("verify"));
    expect(actions.indexOf("purge")).toBeGreaterThan(actions.indexOf("approve"));
  });

  it("relies on the nomination in force: superseded or revoked ones cannot be used, nor approved", async () => {
    const superseded = await host.call("POST", "/v1/requests", {
      headers: client(),
      body: { kind: "access", onBehalfOf: { nominationId: firstId, evidenceRef: "MC/2026/77" } },
    });
    expect(superseded.status).toBe(400);
    expect(superseded.body.errors[0].field).toBe("onBehalfOf.nominationId");

    // A request waiting for review when the principal revokes the nomination: it can no longer be approved.
    const pending = await onBehalf("access", secondId, SECOND_NOMINEE);
    expect(pending.body.status).toBe("verified");
    const revoked = await host.call("POST", `/v1/requests/${secondId}/cancel`, {
      headers: asRequester(principalToken),
      body: { reason: "I have changed my mind" },
    });
    expect(revoked.status).toBe(200);
    expect(revoked.body.status).toBe("completed");
    expect(revoked.body.details.nomination.state).toBe("revoked");
    const out = await host.call("POST", "/_dev/outbox", { body: { to: PRINCIPAL } });
    expect(out.body.messages.at(-1).template).toBe("nomination_revoked");
    expect(
      (await host.call("POST", `/v1/requests/${secondId}/cancel`, { headers: asRequester(principalToken) }))
        .status,
    ).toBe(409);

    const late = await host.call("POST", `/v1/requests/${pending.id}/approve`, {
      token: support,
      body: { reason: "Medical certificate checked" },
    });
    expect(late.status).toBe(409);
    expect((await host.call("GET", `/v1/requests/${pending.id}`, { token: officer })).body.status).toBe(
      "verified",
    );
    const refused = await host.call("POST", `/v1/requests/${pending.id}/reject`, {
      token: support,
      body: { reason: "The nomination was revoked" },
    });
    expect(refused.body.status).toBe("rejected");

    const afterRevoke = await host.call("POST", "/v1/requests", {
      headers: client(),
      body: { kind: "erasure", onBehalfOf: { nominationId: secondId, evidenceRef: "DC/2026/1" } },
    });
    expect(afterRevoke.status).toBe(400);
  });

  it("bad input is 400 problem+json and stores nothing; the dashboard cannot file for a principal", async () => {
    const nomination = await nominate({ email: "third.nominee@example.in" });
    const before = await requestCount();
    const bodies: unknown[] = [
      { kind: "erasure", onBehalfOf: { nominationId: nomination.id } },
      { kind: "erasure", onBehalfOf: { nominationId: nomination.id, evidenceRef: "x" } },
      { kind: "erasure", onBehalfOf: { nominationId: "n-1", evidenceRef: "DC/2026/1" } },
      { kind: "erasure", onBehalfOf: { nominationId: nomination.id, evidenceRef: "DC/2026/1", extra: true } },
      {
        kind: "grievance",
        details: { summary: "x" },
        onBehalfOf: { nominationId: nomination.id, evidenceRef: "DC/1" },
      },
      {
        kind: "nomination",
        nominee: { name: "A", relation: "son", email: "a@example.in" },
        onBehalfOf: { nominationId: nomination.id, evidenceRef: "DC/2026/1" },
      },
      {
        kind: "erasure",
        scope: { type: "whatsapp_number", phone: "+919833000001" },
        onBehalfOf: { nominationId: nomination.id, evidenceRef: "DC/2026/1" },
      },
      { kind: "erasure" },
      {
        kind: "nomination",
        scope: { type: "whatsapp_number", phone: PRINCIPAL },
        nominee: { name: "A", relation: "son" },
      },
    ];
    for (const body of bodies) {
      const res = await host.call("POST", "/v1/requests", { headers: client(), body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.headers.get("content-type")).toMatch(/application\/problem\+json/);
    }
    const dashboard = await host.call("POST", "/v1/requests", {
      token: tenant.ownerToken,
      body: { kind: "access", onBehalfOf: { nominationId: nomination.id, evidenceRef: "DC/2026/1" } },
    });
    expect(dashboard.status).toBe(403);
    expect(await requestCount()).toBe(before);
  });
});
