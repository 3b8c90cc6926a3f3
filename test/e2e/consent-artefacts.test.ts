import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashWhatsAppNumber, subjectPartition } from "../../src/domain/subject";
import { testData } from "../support/generators";
import { startTestHost, type TestHost } from "../support/host";
import { latestCode } from "../support/outbox";

/**
 * Consent artefacts and consent managers (issue 20; Privacy Policy §7; MeitY BRD for Consent
 * Management): a grant is a record of the notice shown and the person's explicit act; the platform's
 * validation answers allowed or denied with the artefact it relied on and is logged; a withdrawal through
 * any channel leaves an artefact and ends the consent; a grant lapses at its expiry and a renewal is a
 * new artefact; a registered consent manager's signed requests are accepted, anything else refused.
 */

const data = testData("consent-artefacts");
const NUMBER = data.mobile();
const OTHER_NUMBER = data.mobile();
const AUDIENCE = "https://dpdp.test/consent";
let host: TestHost;
let officer: string;
let a: { tenantId: string; ownerToken: string };
let b: { tenantId: string; ownerToken: string };
let managerKey: CryptoKey;
let strangerKey: CryptoKey;

const now = () => host.runtime.app.ports.clock.now();
const act = (kind = "checkbox_ticked") => ({ kind, at: now().toISOString() });
const notice = (purpose: string, language = "en") => ({
  id: `notice-${purpose.replaceAll("_", "-")}`,
  version: 1,
  language,
});
const grant = (token: string, body: Record<string, unknown>) =>
  host.call("POST", "/v1/consents/grants", { token, body });
const validate = (token: string, subject: Record<string, string>, purpose: string, tenantId?: string) =>
  host.call("POST", "/v1/consents/validate", {
    token,
    body: { subject, purpose, ...(tenantId ? { tenantId } : {}) },
  });
const history = (token: string, subject: Record<string, string>) =>
  host.call("POST", "/v1/consents/history", { token, body: { subject } });
const artefactCount = (phoneOrTenant: { whatsapp?: string; tenantId?: string }) =>
  host.runtime.app.stores.consentArtefacts.count({
    partitionKey: phoneOrTenant.tenantId
      ? `tenant:${phoneOrTenant.tenantId}`
      : `wa:${hashWhatsAppNumber(host.runtime.app.keys.hash, phoneOrTenant.whatsapp!)}`,
  });

/** A consent manager's request, signed with `key` (the registered manager's unless told). */
async function signed(
  claims: Record<string, unknown>,
  options: { key?: CryptoKey; iss?: string; aud?: string; ttlSeconds?: number; jti?: string } = {},
) {
  const iat = Math.floor(now().getTime() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "ES256" })
    .setIssuer(options.iss ?? "cm-sahmati")
    .setAudience(options.aud ?? AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(iat + (options.ttlSeconds ?? 120))
    .setJti(options.jti ?? `jti-${data.int(1, 1e9)}-${data.int(1, 1e9)}`)
    .sign(options.key ?? managerKey);
}
const toManager = (request: string) =>
  host.call("POST", "/v1/consent-managers/requests", { body: { request } });

beforeAll(async () => {
  const pair = await generateKeyPair("ES256");
  managerKey = pair.privateKey;
  strangerKey = (await generateKeyPair("ES256")).privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: "cm-1", alg: "ES256", use: "sig" };
  host = await startTestHost({
    CONSENT_MANAGERS: JSON.stringify([
      { id: "cm-sahmati", name: "Sahmati CM", registrationNumber: "DPB-CM-0007", jwks: { keys: [jwk] } },
    ]),
    CONSENT_MANAGER_AUDIENCE: AUDIENCE,
  });
  officer = await host.token("privacy_officer");
  const seed = async (contacts: string[]) =>
    (
      await host.call("POST", "/_dev/seed", {
        body: {
          conversations: contacts.length,
          messagesPerConversation: 1,
          audioPerConversation: 0,
          contacts,
        },
      })
    ).body as { tenantId: string; ownerToken: string };
  a = await seed([NUMBER]);
  b = await seed([OTHER_NUMBER]);
});
afterAll(async () => {
  await host?.stop();
});

describe("grant, validate, withdraw through another channel, validate again", () => {
  it("a business records the person's WhatsApp reply; the person withdraws with the public form; validation then denies with the withdrawal", async () => {
    const notices = await host.call("GET", "/v1/consent-notices");
    expect(notices.status).toBe(200);
    const shown = (notices.body.purposes as { purpose: string; notice: { sha256: { hi: string } } }[]).find(
      (p) => p.purpose === "whatsapp_messaging",
    )!;

    const given = await grant(a.ownerToken, {
      subject: { whatsapp: NUMBER },
      purpose: "whatsapp_messaging",
      notice: notice("whatsapp_messaging", "hi"),
      affirmativeAction: act("whatsapp_reply"),
    });
    expect(given.status, JSON.stringify(given.body)).toBe(201);
    expect(given.body).toMatchObject({
      action: "grant",
      purpose: "whatsapp_messaging",
      tenantId: a.tenantId,
      channel: "dashboard",
      principal: { type: "whatsapp" },
      notice: { id: "notice-whatsapp-messaging", version: 1, language: "hi", sha256: shown.notice.sha256.hi },
      affirmativeAction: { kind: "whatsapp_reply" },
      recordedBy: { kind: "owner" },
    });
    // A year's validity: expiry is a year after the act.
    expect(Date.parse(given.body.expiresAt as string)).toBeGreaterThan(now().getTime() + 364 * 86_400_000);

    const allowed = await validate(a.ownerToken, { whatsapp: NUMBER }, "whatsapp_messaging");
    expect(allowed.body).toMatchObject({
      decision: "allowed",
      reason: "in_force",
      artefact: { id: given.body.id },
    });
    // The validation was logged, in the number's partition, with a TTL.
    const record = await host.runtime.app.stores.consentValidations.read(
      allowed.body.validationId as string,
      `wa:${hashWhatsAppNumber(host.runtime.app.keys.hash, NUMBER)}`,
    );
    expect(record?.doc).toMatchObject({ decision: "allowed", artefactId: given.body.id, ttl: 365 * 86_400 });
    // Another business: the grant was given to business a only.
    const elsewhere = await validate(officer, { whatsapp: NUMBER }, "whatsapp_messaging", b.tenantId);
    expect(elsewhere.body).toMatchObject({ decision: "denied", reason: "no_consent" });
    expect(elsewhere.body.artefact).toBeUndefined();

    // The person withdraws through the public form (another channel), verified with the code to the number.
    const filed = await host.call("POST", "/v1/requests", {
      headers: { "x-forwarded-for": data.clientAddress() },
      body: {
        kind: "consent_withdrawal",
        scope: { type: "whatsapp_number", phone: NUMBER },
        purposes: ["whatsapp_messaging"],
      },
    });
    expect(filed.status).toBe(201);
    const token = filed.body.requestToken as string;
    const early = await host.call("GET", `/v1/requests/${filed.body.id}/consents`, {
      headers: { "x-request-token": token },
    });
    expect(early.status).toBe(403);
    const verified = await host.call("POST", `/v1/requests/${filed.body.id}/verification`, {
      headers: { "x-request-token": token },
      body: { code: await latestCode(host, NUMBER) },
    });
    expect(verified.body.status).toBe("completed");

    const denied = await validate(a.ownerToken, { whatsapp: NUMBER }, "whatsapp_messaging");
    expect(denied.body).toMatchObject({
      decision: "denied",
      reason: "withdrawn",
      artefact: {
        action: "withdraw",
        channel: "public",
        requestId: filed.body.id,
        effectiveAt: verified.body.verifiedAt,
      },
    });
    expect(denied.body.artefact.tenantId).toBeUndefined();
    // A business that never messaged the number learns nothing of it, not even the withdrawal.
    const stranger = await validate(b.ownerToken, { whatsapp: NUMBER }, "whatsapp_messaging");
    expect(stranger.body).toMatchObject({ decision: "denied", reason: "no_consent" });
    expect(stranger.body.artefact).toBeUndefined();
    // The consent check agrees.
    const check = await host.call("POST", "/v1/consents/check", {
      token: officer,
      body: { subject: { whatsapp: NUMBER }, purpose: "whatsapp_messaging" },
    });
    expect(check.body).toMatchObject({ status: "withdrawn", since: verified.body.verifiedAt });

    // The person reads their history with the request's token: the grant, then the withdrawal.
    const mine = await host.call("GET", `/v1/requests/${filed.body.id}/consents`, {
      headers: { "x-request-token": token },
    });
    expect(mine.status).toBe(200);
    expect((mine.body.artefacts as { action: string }[]).map((x) => x.action)).toEqual(["grant", "withdraw"]);
    // Staff see the same; nothing was edited: two records, append-only.
    const staff = await history(officer, { whatsapp: NUMBER });
    expect(staff.body.artefacts).toEqual(mine.body.artefacts);
  });

  it("the account's owner grants and withdraws from the dashboard; the artefacts record both", async () => {
    const given = await grant(a.ownerToken, {
      subject: { tenantId: a.tenantId },
      purpose: "analytics",
      notice: notice("analytics"),
      affirmativeAction: act("button_pressed"),
      preselected: false,
    });
    expect(given.status).toBe(201);
    expect(given.body.expiresAt).toBeUndefined();
    expect((await validate(officer, { tenantId: a.tenantId }, "analytics")).body.decision).toBe("allowed");
    const check = await host.call("GET", `/v1/consents/tenant:${a.tenantId}?purpose=analytics`, {
      token: a.ownerToken,
    });
    expect(check.body).toMatchObject({
      status: "granted",
      since: given.body.effectiveAt,
      channel: "dashboard",
    });

    const withdrawal = await host.call("POST", "/v1/requests", {
      token: a.ownerToken,
      body: { kind: "consent_withdrawal", purposes: ["analytics"] },
    });
    expect(withdrawal.body.status).toBe("completed");
    const denied = await validate(a.ownerToken, { tenantId: a.tenantId }, "analytics");
    expect(denied.body).toMatchObject({
      decision: "denied",
      reason: "withdrawn",
      artefact: { action: "withdraw", channel: "dashboard", requestId: withdrawal.body.id },
    });
    const mine = await host.call("GET", `/v1/requests/${withdrawal.body.id}/consents`, {
      token: a.ownerToken,
    });
    expect(
      (mine.body.artefacts as { purpose: string; action: string }[]).filter((x) => x.purpose === "analytics"),
    ).toHaveLength(2);
  });
});

describe("a retried grant", () => {
  it("with the same Idempotency-Key records one artefact and answers the first answer again", async () => {
    const before = await artefactCount({ tenantId: a.tenantId });
    const options = {
      token: a.ownerToken,
      headers: { "idempotency-key": '"grant-retry-1"' },
      body: {
        subject: { tenantId: a.tenantId },
        purpose: "marketing_email",
        notice: notice("marketing_email"),
        affirmativeAction: act(),
      },
    };
    const first = await host.call("POST", "/v1/consents/grants", options);
    const second = await host.call("POST", "/v1/consents/grants", options);
    expect(first.status).toBe(201);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(second.body).toEqual(first.body);
    expect(await artefactCount({ tenantId: a.tenantId })).toBe(before + 1);
  });
});

describe("no pre-ticked consent, and nobody grants for someone else", () => {
  it("a grant without an explicit act, or pre-selected, is refused with the field named and nothing stored", async () => {
    const before = await artefactCount({ tenantId: b.tenantId });
    const base = {
      subject: { tenantId: b.tenantId },
      purpose: "marketing_email",
      notice: notice("marketing_email"),
    };
    const missing = await grant(b.ownerToken, base);
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: "body.affirmativeAction" })]),
    );
    const ticked = await grant(b.ownerToken, { ...base, affirmativeAction: act(), preselected: true });
    expect(ticked.status).toBe(400);
    expect(ticked.body.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: "body.preselected" })]),
    );
    const stale = await grant(b.ownerToken, {
      ...base,
      notice: { ...notice("marketing_email"), version: 9 },
      affirmativeAction: act(),
    });
    expect(stale.status).toBe(400);
    expect(stale.body.errors[0].field).toBe("body.notice");
    const future = await grant(b.ownerToken, {
      ...base,
      affirmativeAction: { kind: "checkbox_ticked", at: new Date(now().getTime() + 3_600_000).toISOString() },
    });
    expect(future.body.errors[0].field).toBe("body.affirmativeAction.at");
    expect(await artefactCount({ tenantId: b.tenantId })).toBe(before);
  });

  it("another tenant, a member, staff, the public, a business that never messaged the number: refused", async () => {
    const body = {
      subject: { tenantId: a.tenantId },
      purpose: "marketing_email",
      notice: notice("marketing_email"),
      affirmativeAction: act(),
    };
    const before = await artefactCount({ tenantId: a.tenantId });
    expect((await grant(b.ownerToken, body)).status).toBe(404);
    expect((await grant(await host.token("member", a.tenantId), body)).status).toBe(403);
    expect((await grant(await host.token("admin", a.tenantId), body)).status).toBe(403);
    expect((await grant(officer, body)).status).toBe(403);
    expect((await host.call("POST", "/v1/consents/grants", { body })).status).toBe(401);
    // Business b never messaged NUMBER: it cannot record the person's consent, nor read it.
    const numberBody = {
      ...body,
      subject: { whatsapp: NUMBER },
      purpose: "whatsapp_messaging",
      notice: notice("whatsapp_messaging"),
    };
    expect((await grant(b.ownerToken, numberBody)).status).toBe(404);
    expect((await grant(b.ownerToken, { ...numberBody, tenantId: a.tenantId })).status).toBe(404);
    expect((await history(b.ownerToken, { whatsapp: NUMBER })).status).toBe(404);
    expect((await history(b.ownerToken, { tenantId: a.tenantId })).status).toBe(404);
    expect((await validate(b.ownerToken, { tenantId: a.tenantId }, "analytics")).status).toBe(404);
    expect((await validate("", { tenantId: a.tenantId }, "analytics")).status).toBe(401);
    expect(await artefactCount({ tenantId: a.tenantId })).toBe(before);
  });

  it("training third-party AI models: never by default, never by a business for a person; the owner for the account", async () => {
    const denied = await validate(officer, { whatsapp: OTHER_NUMBER }, "third_party_ai_training", b.tenantId);
    expect(denied.body).toMatchObject({ decision: "denied", reason: "no_consent" });
    const byBusiness = await grant(b.ownerToken, {
      subject: { whatsapp: OTHER_NUMBER },
      purpose: "third_party_ai_training",
      notice: notice("third_party_ai_training"),
      affirmativeAction: act("whatsapp_reply"),
    });
    expect(byBusiness.status).toBe(403);
    expect(await artefactCount({ whatsapp: OTHER_NUMBER })).toBe(0);
    const byOwner = await grant(b.ownerToken, {
      subject: { tenantId: b.tenantId },
      purpose: "third_party_ai_training",
      notice: notice("third_party_ai_training"),
      affirmativeAction: act(),
    });
    expect(byOwner.status).toBe(201);
    expect(
      (await validate(b.ownerToken, { tenantId: b.tenantId }, "third_party_ai_training")).body.decision,
    ).toBe("allowed");
  });

  it("the history of a request: not without a token, not with another request's token", async () => {
    const mine = await host.call("POST", "/v1/requests", {
      token: a.ownerToken,
      body: { kind: "consent_withdrawal", purposes: ["marketing_email"] },
    });
    expect((await host.call("GET", `/v1/requests/${mine.body.id}/consents`)).status).toBe(401);
    const other = await host.call("POST", "/v1/requests", {
      headers: { "x-forwarded-for": data.clientAddress() },
      body: {
        kind: "consent_withdrawal",
        scope: { type: "whatsapp_number", phone: OTHER_NUMBER },
        purposes: ["analytics"],
      },
    });
    const wrong = await host.call("GET", `/v1/requests/${mine.body.id}/consents`, {
      headers: { "x-request-token": other.body.requestToken as string },
    });
    expect(wrong.status).toBe(404);
    expect(
      (await host.call("GET", `/v1/requests/${mine.body.id}/consents`, { token: b.ownerToken })).status,
    ).toBe(404);
    expect((await host.call("GET", "/v1/requests/not-an-id/consents", { token: officer })).status).toBe(400);
  });

  it("a nominee sees the principal's history only once staff accepted the evidence", async () => {
    const principal = data.mobile();
    const nomineeEmail = data.email("nominee");
    const fileAndVerify = async (body: Record<string, unknown>, codeTo: string) => {
      const filed = await host.call("POST", "/v1/requests", {
        headers: { "x-forwarded-for": data.clientAddress() },
        body,
      });
      expect(filed.status, JSON.stringify(filed.body)).toBe(201);
      const token = filed.body.requestToken as string;
      const verified = await host.call("POST", `/v1/requests/${filed.body.id}/verification`, {
        headers: { "x-request-token": token },
        body: { code: await latestCode(host, codeTo) },
      });
      expect(verified.status).toBe(200);
      return { id: filed.body.id as string, token };
    };
    const nomination = await fileAndVerify(
      {
        kind: "nomination",
        scope: { type: "whatsapp_number", phone: principal },
        nominee: { name: data.name(), relation: "sister", email: nomineeEmail },
      },
      principal,
    );
    const nominee = await fileAndVerify(
      {
        kind: "consent_withdrawal",
        purposes: ["analytics"],
        onBehalfOf: { nominationId: nomination.id, evidenceRef: "DC/2026/001" },
      },
      nomineeEmail,
    );
    // Verified (the nominee proved their own address), but the evidence awaits staff.
    const request = await host.call("GET", `/v1/requests/${nominee.id}`, {
      headers: { "x-request-token": nominee.token },
    });
    expect(request.body.verifiedAt).toBeDefined();
    const read = await host.call("GET", `/v1/requests/${nominee.id}/consents`, {
      headers: { "x-request-token": nominee.token },
    });
    expect(read.status).toBe(403);
  });

  it("a number's validation without the business that would process is refused (one business's grant is not another's); a stranger's questions are logged in its own partition, not the person's", async () => {
    const unscoped = await validate(officer, { whatsapp: NUMBER }, "analytics");
    expect(unscoped.status).toBe(400);
    expect(unscoped.body.errors[0].field).toBe("body.tenantId");
    const personBefore = await host.runtime.app.stores.consentValidations.count({
      partitionKey: subjectPartition({
        type: "whatsapp",
        numberHash: hashWhatsAppNumber(host.runtime.app.keys.hash, NUMBER),
      }),
    });
    for (let i = 0; i < 3; i++) {
      const asked = await validate(b.ownerToken, { whatsapp: NUMBER }, "analytics");
      expect(asked.body).toMatchObject({ decision: "denied", reason: "no_consent" });
    }
    expect(
      await host.runtime.app.stores.consentValidations.count({
        partitionKey: subjectPartition({
          type: "whatsapp",
          numberHash: hashWhatsAppNumber(host.runtime.app.keys.hash, NUMBER),
        }),
      }),
    ).toBe(personBefore);
    expect(
      await host.runtime.app.stores.consentValidations.count({
        partitionKey: subjectPartition({ type: "tenant", tenantId: b.tenantId }),
      }),
    ).toBeGreaterThanOrEqual(3);
  });

  it("bad input on validate and history names the field", async () => {
    const v = await host.call("POST", "/v1/consents/validate", {
      token: officer,
      body: { subject: { whatsapp: NUMBER }, purpose: "profiling" },
    });
    expect(v.status).toBe(400);
    expect(v.body.errors[0].field).toBe("body.purpose");
    const h = await host.call("POST", "/v1/consents/history", {
      token: officer,
      body: { subject: { whatsapp: "12" } },
    });
    expect(h.status).toBe(400);
    expect(h.body.errors[0].field).toMatch(/^body\.subject/);
  });
});

describe("expiry and renewal", () => {
  it("past its validity the grant is denied as expired, with the lapsed artefact; a renewal is a new artefact", async () => {
    const given = await grant(b.ownerToken, {
      subject: { tenantId: b.tenantId },
      purpose: "marketing_email",
      notice: notice("marketing_email"),
      affirmativeAction: act(),
    });
    expect(given.status).toBe(201);
    await host.call("POST", "/_dev/clock", { body: { advance: "P1Y" } });
    await host.call("POST", "/_dev/clock", { body: { advance: "P1D" } });
    const lapsed = await validate(b.ownerToken, { tenantId: b.tenantId }, "marketing_email");
    expect(lapsed.body).toMatchObject({
      decision: "denied",
      reason: "expired",
      artefact: { id: given.body.id },
    });
    const check = await host.call("GET", `/v1/consents/tenant:${b.tenantId}?purpose=marketing_email`, {
      token: b.ownerToken,
    });
    expect(check.body).toMatchObject({ status: "expired", since: given.body.expiresAt });

    const renewed = await grant(b.ownerToken, {
      subject: { tenantId: b.tenantId },
      purpose: "marketing_email",
      notice: notice("marketing_email"),
      affirmativeAction: act("button_pressed"),
      renews: given.body.id,
    });
    expect(renewed.status).toBe(201);
    expect(renewed.body.id).not.toBe(given.body.id);
    expect(renewed.body.renews).toBe(given.body.id);
    const again = await validate(b.ownerToken, { tenantId: b.tenantId }, "marketing_email");
    expect(again.body).toMatchObject({ decision: "allowed", artefact: { id: renewed.body.id } });
    // The lapsed grant is still there, unchanged.
    const all = await history(officer, { tenantId: b.tenantId });
    expect(all.body.artefacts).toContainEqual(
      expect.objectContaining({ id: given.body.id, expiresAt: given.body.expiresAt }),
    );
    const badRenewal = await grant(b.ownerToken, {
      subject: { tenantId: b.tenantId },
      purpose: "marketing_email",
      notice: notice("marketing_email"),
      affirmativeAction: act(),
      renews: "ca-nothing",
    });
    expect(badRenewal.body.errors[0].field).toBe("body.renews");
  });
});

describe("a consent manager registered with the Board", () => {
  it("its signed grant and withdrawal are accepted and recorded with the manager; status answers it", async () => {
    const granted = await toManager(
      await signed({
        action: "grant",
        principal: { whatsapp: OTHER_NUMBER },
        purpose: "third_party_ai_training",
        tenantId: b.tenantId,
        notice: notice("third_party_ai_training"),
        affirmativeAction: act("consent_manager"),
      }),
    );
    expect(granted.status, JSON.stringify(granted.body)).toBe(201);
    expect(granted.body.artefact).toMatchObject({
      action: "grant",
      channel: "consent_manager",
      tenantId: b.tenantId,
      consentManager: { id: "cm-sahmati", registrationNumber: "DPB-CM-0007" },
    });
    const status = await toManager(
      await signed({
        action: "status",
        principal: { whatsapp: OTHER_NUMBER },
        purpose: "third_party_ai_training",
        tenantId: b.tenantId,
      }),
    );
    expect(status.body).toMatchObject({
      action: "status",
      decision: "allowed",
      artefact: { id: granted.body.artefact.id },
    });
    expect(
      (await validate(b.ownerToken, { whatsapp: OTHER_NUMBER }, "third_party_ai_training")).body.decision,
    ).toBe("allowed");

    const withdrawn = await toManager(
      await signed({
        action: "withdraw",
        principal: { whatsapp: OTHER_NUMBER },
        purposes: ["third_party_ai_training"],
      }),
    );
    expect(withdrawn.status, JSON.stringify(withdrawn.body)).toBe(200);
    expect(withdrawn.body).toMatchObject({ action: "withdraw", status: "completed" });
    expect(withdrawn.body.artefacts).toEqual([
      expect.objectContaining({
        action: "withdraw",
        channel: "consent_manager",
        consentManager: { id: "cm-sahmati", registrationNumber: "DPB-CM-0007" },
      }),
    ]);
    const denied = await validate(b.ownerToken, { whatsapp: OTHER_NUMBER }, "third_party_ai_training");
    expect(denied.body).toMatchObject({
      decision: "denied",
      reason: "withdrawn",
      artefact: { channel: "consent_manager" },
    });
    // Withdrawing WhatsApp messaging through the manager stops the messaging; it does not erase the
    // number's data by itself (no manager is yet bound to the people it acts for: docs/consent.md).
    const messaging = await toManager(
      await signed({
        action: "withdraw",
        principal: { whatsapp: OTHER_NUMBER },
        purposes: ["whatsapp_messaging"],
      }),
    );
    expect(messaging.body.status).toBe("completed");
    const followed = await host.call("GET", `/v1/requests/${messaging.body.requestId}`, { token: officer });
    expect(followed.body.details.withdrawal).toMatchObject({
      erasure: "not_required",
      channel: "consent_manager",
    });
    expect(followed.body.details.withdrawal.requestId).toBeUndefined();
    // The withdrawal is a request like any other: staff see it, with its trail.
    const request = await host.call("GET", `/v1/requests/${withdrawn.body.requestId}`, { token: officer });
    expect(request.body).toMatchObject({
      kind: "consent_withdrawal",
      channel: "consent_manager",
      status: "completed",
    });
  });

  it("unsigned, unknown, wrong key, wrong audience, expired, replayed or too long-lived: 401 and nothing stored", async () => {
    const claims = { action: "withdraw", principal: { whatsapp: NUMBER }, purposes: ["analytics"] };
    const before = await artefactCount({ whatsapp: NUMBER });
    const header = Buffer.from(JSON.stringify({ alg: "none" })).toString("base64url");
    const iat = Math.floor(now().getTime() / 1000);
    const payload = Buffer.from(
      JSON.stringify({ ...claims, iss: "cm-sahmati", aud: AUDIENCE, iat, exp: iat + 60, jti: "unsigned-1" }),
    ).toString("base64url");
    const refusals = [
      `${header}.${payload}.`,
      await signed(claims, { iss: "cm-unknown" }),
      await signed(claims, { key: strangerKey }),
      await signed(claims, { aud: "https://elsewhere.test" }),
      await signed(claims, { ttlSeconds: 3600 }),
    ];
    for (const request of refusals) {
      const res = await toManager(request);
      expect(res.status).toBe(401);
      expect(JSON.stringify(res.body)).not.toContain("cm-sahmati");
    }
    const expiring = await signed(claims, { ttlSeconds: 60 });
    await host.call("POST", "/_dev/clock", { body: { advance: "PT2M" } });
    expect((await toManager(expiring)).status).toBe(401);

    // Replay: the first is accepted, the same request again refused.
    const once = await signed(
      { action: "status", principal: { whatsapp: NUMBER }, purpose: "analytics", tenantId: b.tenantId },
      { jti: "replay-me-1" },
    );
    expect((await toManager(once)).status).toBe(200);
    expect((await toManager(once)).status).toBe(401);
    expect(await artefactCount({ whatsapp: NUMBER })).toBe(before);
    // The two withdrawals the manager made in the test before; none of the refused ones.
    expect(
      (
        await host.call("GET", "/v1/requests?kind=consent_withdrawal&limit=100", { token: officer })
      ).body.items.filter((r: { channel: string }) => r.channel === "consent_manager"),
    ).toHaveLength(2);
  });

  it("a manager speaks for a person about a number, never for an account; unknown claims such as a pre-ticked box are refused", async () => {
    const before = await artefactCount({ tenantId: a.tenantId });
    const forAccount = await toManager(
      await signed({
        action: "grant",
        principal: { tenantId: a.tenantId },
        purpose: "third_party_ai_training",
        notice: notice("third_party_ai_training"),
        affirmativeAction: { kind: "consent_manager", at: now().toISOString() },
      }),
    );
    expect(forAccount.status).toBe(403);
    const withdrawAccount = await toManager(
      await signed({ action: "withdraw", principal: { tenantId: a.tenantId }, purposes: ["analytics"] }),
    );
    expect(withdrawAccount.status).toBe(403);
    expect(await artefactCount({ tenantId: a.tenantId })).toBe(before);

    const numberBefore = await artefactCount({ whatsapp: OTHER_NUMBER });
    for (const extra of [{ preselected: true }, { defaultOn: true }]) {
      const preTicked = await toManager(
        await signed({
          action: "grant",
          principal: { whatsapp: OTHER_NUMBER },
          purpose: "analytics",
          tenantId: b.tenantId,
          notice: notice("analytics"),
          affirmativeAction: { kind: "consent_manager", at: now().toISOString() },
          ...extra,
        }),
      );
      expect(preTicked.status).toBe(400);
      expect(preTicked.body.errors[0].field).toMatch(/^body\.request/);
    }
    expect(await artefactCount({ whatsapp: OTHER_NUMBER })).toBe(numberBefore);
  });

  it("signed claims that are invalid name the claim; a body that is no JWS names the body", async () => {
    const res = await toManager(
      await signed({ action: "grant", principal: { whatsapp: NUMBER }, purpose: "analytics" }),
    );
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(
      expect.arrayContaining(["body.request.notice", "body.request.affirmativeAction"]),
    );
    const notJws = await toManager("not a token");
    expect(notJws.status).toBe(400);
    expect(notJws.body.errors[0].field).toBe("body.request");
  });
});
