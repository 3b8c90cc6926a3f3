import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { open } from "../../src/domain/crypto";
import { addDuration } from "../../src/domain/duration";
import { periods } from "../../src/domain/policy/periods";
import { ROTATION_MARGIN } from "../../src/app/retention/own-records";
import { BreachStore } from "../../src/app/breach/model";
import { queryAll } from "../../src/app/util/paging";
import type { RequestDoc } from "../../src/domain/requests/model";
import { startTestHost, type TestHost } from "../support/host";
import { latestCode } from "../support/outbox";

/**
 * The service's own records of people hold the least they can (docs/own-records.md), end to end over
 * HTTP: every request kind driven through its transitions with a distinctive marker in every free-text
 * and value input leaves none of them (nor an address, code or token) in the `audit` container; the
 * idempotency record of a public filing holds nothing the service alone can open; and each kind of
 * personal data on the records is kept one second before its period ends and erased at its end, the
 * request keeping its status and dates.
 */

let host: TestHost;
let officer: string;
let support: string;
let tenant: { tenantId: string; ownerToken: string };
let seq = 0;
/** A distinctive marker: a counter, never the clock. */
const mark = (what: string) => `Mk${++seq}q${what}`;
const markEmail = () => `mk${++seq}q@example.in`;
/** Valid Indian mobile numbers from a counter. */
const phone = () => `+9198${String(31_000_000 + ++seq).padStart(8, "0")}`;
let clientSeq = 0;
const client = () => ({ "x-forwarded-for": `10.77.${Math.floor(clientSeq / 250)}.${clientSeq++ % 250}` });
const asRequester = (token: string) => ({ "x-request-token": token });

const markers: string[] = [];
const tokens: string[] = [];
const codes: string[] = [];
const m = (what: string) => {
  const value = mark(what);
  markers.push(value);
  return value;
};
const me = () => {
  const value = markEmail();
  markers.push(value);
  return value;
};
async function code(to: string): Promise<string> {
  const c = await latestCode(host, to);
  codes.push(c);
  return c;
}

const store = () => host.runtime.app.stores.requests;
const advanceTo = (at: Date) => host.call("POST", "/_dev/clock", { body: { to: at.toISOString() } });
const advance = (d: string) => host.call("POST", "/_dev/clock", { body: { advance: d } });
/** Closings a minute apart: each period's end is then checked alone, whatever a timer run costs. */
const gap = () => advance("PT1M");

async function file(
  body: Record<string, unknown>,
  options: { token?: string; headers?: Record<string, string> } = {},
) {
  const res = await host.call("POST", "/v1/requests", {
    ...(options.token ? { token: options.token } : {}),
    headers: { ...client(), ...options.headers },
    body,
  });
  expect([200, 201], JSON.stringify(res.body)).toContain(res.status);
  if (res.body.requestToken) tokens.push(res.body.requestToken as string);
  return res.body as { id: string; status: string; requestToken?: string };
}

async function verify(id: string, token: string, to: string) {
  const res = await host.call("POST", `/v1/requests/${id}/verification`, {
    headers: asRequester(token),
    body: { code: await code(to) },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

async function staff(path: string, body: Record<string, unknown>, token = officer) {
  const res = await host.call("POST", path, { token, body });
  expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
  return res.body;
}

beforeAll(async () => {
  host = await startTestHost();
  officer = await host.token("privacy_officer");
  support = await host.token("support");
  tenant = (await host.call("POST", "/_dev/seed", { body: { conversations: 1, messagesPerConversation: 1 } }))
    .body;
});
afterAll(async () => {
  await host?.stop();
});

describe("audit events hold no personal value", () => {
  it("every kind through its transitions, markers everywhere: none reaches the audit container", async () => {
    // Correction by the owner, approved (a review note) and applied; another rejected with a reason.
    const corr = await file(
      {
        kind: "correction",
        corrections: [
          { field: "name", value: m("corrname") },
          { field: "organisation", value: m("corrorg") },
        ],
      },
      { token: tenant.ownerToken },
    );
    await staff(`/v1/requests/${corr.id}/approve`, { reason: m("approvenote") });
    expect((await store().get(corr.id)).status).toBe("completed");
    const corr2 = await file(
      { kind: "correction", corrections: [{ field: "role", value: m("corrrole") }] },
      { token: tenant.ownerToken },
    );
    await staff(`/v1/requests/${corr2.id}/reject`, { reason: m("rejectreason") });

    // A grievance from the public: assigned, answered, its deadline extended, resolved.
    const grievanceMail = me();
    const grievance = await file({
      kind: "grievance",
      contact: { email: grievanceMail },
      details: { summary: m("grievancetext") },
    });
    await staff(`/v1/requests/${grievance.id}/assign`, { assignee: m("assignee") }, support);
    await staff(`/v1/requests/${grievance.id}/respond`, { message: m("response") }, support);
    const due = (await store().get(grievance.id)).dueAt!;
    await staff(
      `/v1/requests/${grievance.id}/extend`,
      { until: addDuration(new Date(due), "P1D").toISOString(), reason: m("extendreason") },
      support,
    );
    await staff(`/v1/requests/${grievance.id}/resolve`, { resolution: m("resolution") }, support);

    // A nomination, a nominee's request on the principal's behalf (evidence, a review note), then revoked.
    const principal = phone();
    const nomineeMail = me();
    const nomination = await file({
      kind: "nomination",
      scope: { type: "whatsapp_number", phone: principal },
      nominee: { name: m("nomineename"), relation: m("relation"), email: nomineeMail },
    });
    await verify(nomination.id, nomination.requestToken!, principal);
    const onBehalf = await file({
      kind: "erasure",
      reason: m("erasurereason"),
      onBehalfOf: { nominationId: nomination.id, evidenceRef: m("evidence") },
    });
    await verify(onBehalf.id, onBehalf.requestToken!, nomineeMail);
    await staff(`/v1/requests/${onBehalf.id}/approve`, { reason: m("evidencereview") });
    const revoked = await host.call("POST", `/v1/requests/${nomination.id}/cancel`, {
      headers: asRequester(nomination.requestToken!),
      body: { reason: m("revokereason") },
    });
    expect(revoked.status).toBe(200);

    // Account deletion by the owner: held and released with reasons, then reactivated with one.
    const erasure = await file(
      { kind: "erasure", scope: { type: "account", tenantId: tenant.tenantId } },
      { token: tenant.ownerToken },
    );
    await staff(`/v1/requests/${erasure.id}/hold`, { reason: m("holdreason") });
    await staff(`/v1/requests/${erasure.id}/release`, { reason: m("releasereason") });
    await staff(`/v1/accounts/${tenant.tenantId}/reactivate`, { reason: m("reactivation") }, support);

    // Public filings: cancelled with a reason; access and consent withdrawal verified; one entered by
    // staff from a mail (its reference).
    const cancelled = await file({
      kind: "erasure",
      scope: { type: "whatsapp_number", phone: phone() },
      reason: m("publicreason"),
    });
    await host.call("POST", `/v1/requests/${cancelled.id}/cancel`, {
      headers: asRequester(cancelled.requestToken!),
      body: { reason: m("cancelreason") },
    });
    const accessPhone = phone();
    const access = await file({ kind: "access", scope: { type: "whatsapp_number", phone: accessPhone } });
    await verify(access.id, access.requestToken!, accessPhone);
    const consentPhone = phone();
    const consent = await file({
      kind: "consent_withdrawal",
      scope: { type: "whatsapp_number", phone: consentPhone },
      purposes: ["marketing_email"],
    });
    await verify(consent.id, consent.requestToken!, consentPhone);
    await file(
      {
        kind: "erasure",
        scope: { type: "whatsapp_number", phone: phone() },
        channel: "email",
        messageRef: m("mailref"),
      },
      { token: support },
    );

    // A breach with an affected person's address and the Board's reference.
    const breach = await staff("/v1/breaches", {
      discoveredAt: new Date(Date.parse((await advance("PT0S")).body.now) - 3_600_000).toISOString(),
      nature: "A wrong link exposed a support export.",
      dataCategories: ["messages"],
      tenantsAffected: [],
      principalsAffected: { estimated: 1, contacts: [{ email: me() }] },
      likelyConsequences: "Unwanted messages.",
      measuresTaken: "Link disabled.",
      safetySteps: "Ignore unexpected requests for codes.",
    });
    await staff(`/v1/breaches/${breach.id}/notices`, {});
    await staff(`/v1/breaches/${breach.id}/board-report`, { reference: m("boardref") });

    const events = await queryAll<{ id: string }>(
      host.runtime.app.ports.documents.collection("service", "audit"),
      {},
    );
    expect(events.length).toBeGreaterThan(40);
    const text = JSON.stringify(events);
    for (const value of [...markers, ...tokens, principal, accessPhone, consentPhone])
      expect(text, value).not.toContain(value);
    for (const c of codes) expect(text, c).not.toMatch(new RegExp(`(?<![A-Za-z0-9_-])${c}(?![A-Za-z0-9_-])`));
    // What the trail keeps instead: keyed hashes of people's words.
    expect(text).toContain("reasonHash");
    expect(text).toContain("resolutionHash");
  });

  it("an Idempotency-Key record holds nothing the service alone can open; a replay still answers", async () => {
    const number = phone();
    const key = `idem-${seq}`;
    const body = { kind: "erasure", scope: { type: "whatsapp_number", phone: number }, reason: mark("idem") };
    const headers = { "idempotency-key": key, "x-forwarded-for": "10.78.0.1" };
    const first = await host.call("POST", "/v1/requests", { headers, body });
    expect(first.status).toBe(201);
    const replay = await host.call("POST", "/v1/requests", { headers, body });
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.body.requestToken).toBe(first.body.requestToken);
    // Same key, another body: still refused, compared without the body in the record.
    const other = await host.call("POST", "/v1/requests", { headers, body: { ...body, reason: "other" } });
    expect(other.status).toBe(422);

    const records = await queryAll<{ id: string; sealedReplay?: string } & Record<string, unknown>>(
      host.runtime.app.ports.documents.collection("service", "requests"),
      { where: [{ field: "docType", op: "=", value: "idempotency" }] },
    );
    expect(records).toHaveLength(1);
    const raw = JSON.stringify(records);
    for (const value of [
      first.body.requestToken as string,
      first.body.id as string,
      number,
      body.reason,
      key,
    ])
      expect(raw).not.toContain(value);
    expect(raw).not.toMatch(/bodyHash|firstAnswer|sealedToken/);
    // The service's own sealing key does not open it.
    expect(() => open(host.runtime.app.keys.seal, records[0]!.sealedReplay!)).toThrow();
  });
});

describe("the own-records sweep, at each period's end", () => {
  it("keeps each kind until one second before its end and erases it at the end; status and dates stay", async () => {
    // A nomination never verified: it expires after 7 days, its sealed nominee contact still stored.
    const unverified = await file({
      kind: "nomination",
      scope: { type: "whatsapp_number", phone: phone() },
      nominee: { name: mark("n"), relation: "brother", phone: phone() },
    });
    await advance("PT169H");
    expect((await store().get(unverified.id)).status).toBe("cancelled");

    // A correction applied; a grievance resolved.
    const owner = await host.token("owner", tenant.tenantId);
    const corr = await file(
      { kind: "correction", corrections: [{ field: "name", value: mark("nm") }] },
      { token: owner },
    );
    await staff(`/v1/requests/${corr.id}/approve`, {});
    await gap();
    const grievance = await file({
      kind: "grievance",
      contact: { email: markEmail() },
      details: { summary: mark("g") },
    });
    await staff(`/v1/requests/${grievance.id}/resolve`, { resolution: mark("r") });
    await gap();
    // A nomination recorded, a nominee's request on it rejected (evidence, a reason), then revoked.
    const principal = phone();
    const nominee = markEmail();
    const nomination = await file({
      kind: "nomination",
      scope: { type: "whatsapp_number", phone: principal },
      nominee: { name: mark("nn"), relation: "sister", email: nominee },
    });
    await verify(nomination.id, nomination.requestToken!, principal);
    const onBehalf = await file({
      kind: "access",
      onBehalfOf: { nominationId: nomination.id, evidenceRef: mark("ev") },
    });
    await verify(onBehalf.id, onBehalf.requestToken!, nominee);
    await staff(`/v1/requests/${onBehalf.id}/reject`, { reason: mark("no") });
    await gap();
    // While the nomination is in force its requester's contact stays, whatever time passes.
    await advance("P8D");
    expect((await store().get(nomination.id)).contact).toBeDefined();
    // A public erasure cancelled with the requester's reason: contact, reason and closing reason.
    const cancelled = await file({
      kind: "erasure",
      scope: { type: "whatsapp_number", phone: phone() },
      reason: mark("why"),
    });
    await host.call("POST", `/v1/requests/${cancelled.id}/cancel`, {
      headers: asRequester(cancelled.requestToken!),
      body: { reason: mark("stop") },
    });
    await gap();
    await host.call("POST", `/v1/requests/${nomination.id}/cancel`, {
      headers: asRequester(nomination.requestToken!),
    });
    await gap();
    // A breach reported to the Board, with an affected person's sealed address.
    const breach = await staff("/v1/breaches", {
      discoveredAt: new Date(Date.parse((await advance("PT0S")).body.now) - 3_600_000).toISOString(),
      nature: "Test breach.",
      dataCategories: ["messages"],
      tenantsAffected: [],
      principalsAffected: { estimated: 1, contacts: [{ email: markEmail() }] },
      likelyConsequences: "None.",
      measuresTaken: "Fixed.",
      safetySteps: "None needed.",
    });
    await staff(`/v1/breaches/${breach.id}/board-report`, { reference: "DPB/1" });

    const doc = (id: string) => store().get(id);
    const closed = async (id: string) =>
      new Date((((await doc(id)).details.retention ?? {}) as { closedAt: string }).closedAt);
    const sealedNominee = async (id: string) =>
      (await host.runtime.app.ports.documents
        .collection("service", "requests")
        .read(`nominee:${id}`, (await doc(id)).pk)) !== undefined;
    const endedAt = new Date(((await doc(nomination.id)).details.nomination as { endedAt: string }).endedAt);
    const reportedAt = new Date((await new BreachStore(host.runtime.app).get(breach.id)).board!.reportedAt);
    const at = (from: Date, period: keyof typeof periods) => addDuration(from, periods[period].duration);

    const checks: { what: string; end: Date; held: () => Promise<boolean> }[] = [
      {
        what: "contact of a closed request",
        end: at(await closed(cancelled.id), "requestContact"),
        held: async () => (await doc(cancelled.id)).contact !== undefined,
      },
      {
        what: "correction values",
        // Strictly longer than a backup set lives: the rotation period and a margin, or its own if longer.
        end: new Date(
          Math.max(
            at(await closed(corr.id), "correctionValues").getTime(),
            addDuration(at(await closed(corr.id), "backupRotation"), ROTATION_MARGIN).getTime(),
          ),
        ),
        held: async () => Array.isArray((await doc(corr.id)).details.corrections),
      },
      {
        what: "grievance text",
        end: at(await closed(grievance.id), "grievanceTexts"),
        held: async () => typeof (await doc(grievance.id)).details.summary === "string",
      },
      {
        what: "nominee details (ended nomination)",
        end: at(endedAt, "nomineeDetails"),
        held: async () =>
          typeof ((await doc(nomination.id)).details.nominee as { relation?: unknown }).relation === "string",
      },
      {
        what: "nominee details (never recorded)",
        end: at(await closed(unverified.id), "nomineeDetails"),
        held: () => sealedNominee(unverified.id),
      },
      {
        what: "evidence reference",
        end: at(await closed(onBehalf.id), "evidenceReferences"),
        held: async () => !JSON.stringify((await doc(onBehalf.id)).details.onBehalfOf).includes("erased"),
      },
      {
        what: "staff reason",
        end: at(await closed(onBehalf.id), "staffNotes"),
        held: async () => (await doc(onBehalf.id)).review?.reason !== undefined,
      },
      {
        what: "requester's own reason",
        end: at(await closed(cancelled.id), "staffNotes"),
        held: async () => typeof (await doc(cancelled.id)).details.reason === "string",
      },
      {
        what: "breach addresses",
        end: at(reportedAt, "breachContacts"),
        held: async () =>
          (await new BreachStore(host.runtime.app).get(breach.id)).principals.contacts.some(
            (c) => c.sealed !== undefined,
          ),
      },
    ];
    // The correction values outlive every backup set that could be restored over them.
    expect(checks[1]!.end.getTime()).toBeGreaterThan(at(await closed(corr.id), "backupRotation").getTime());
    const before: Record<string, RequestDoc> = {};
    for (const id of [cancelled.id, corr.id, grievance.id, nomination.id, onBehalf.id])
      before[id] = await doc(id);

    for (const check of checks.sort((a, b) => a.end.getTime() - b.end.getTime())) {
      await advanceTo(new Date(check.end.getTime() - 1000));
      expect(await check.held(), `${check.what}: one second before its end`).toBe(true);
      await advanceTo(check.end);
      expect(await check.held(), `${check.what}: at its end`).toBe(false);
    }

    // What the request is stays: status, dates, outcome; the markers say when and why values went.
    for (const [id, was] of Object.entries(before)) {
      const now = await doc(id);
      expect(now).toMatchObject({ status: was.status, createdAt: was.createdAt, kind: was.kind });
      if (was.dueAt) expect(now.dueAt).toBe(was.dueAt);
    }
    const corrNow = await doc(corr.id);
    expect(corrNow.details.corrections).toMatchObject({ by: "retention", fields: ["name"] });
    expect(corrNow.closedReason).toBe(before[corr.id]!.closedReason); // the service's words stay
    expect((await doc(cancelled.id)).closedReason).toBe("[erased after its retention period]");
    expect((await doc(grievance.id)).details.summary).toMatchObject({ by: "retention" });
    // Staff still read every request; the breach keeps its hashes.
    for (const id of Object.keys(before))
      expect((await host.call("GET", `/v1/requests/${id}`, { token: officer })).status).toBe(200);
    const swept = await new BreachStore(host.runtime.app).get(breach.id);
    expect(swept.principals.contacts.every((c) => c.hash.length > 10)).toBe(true);
  });
});
