import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testData } from "../support/generators";
import { startTestHost, type TestHost } from "../support/host";
import { latestCode as latestCodeFor } from "../support/outbox";

/** Rights requests end to end over HTTP: intake, verification with codes from the outbox, actions, audit. */

const NUMBER = "+919812345678";
let host: TestHost;
let tenantA: { tenantId: string; ownerToken: string };
let tenantB: { tenantId: string; ownerToken: string };
let support: string;
let officer: string;

const latestCode = (to: string) => latestCodeFor(host, to);

/** Client addresses from a seed: distinct within this file (two equal ones would share a rate limit). */
const data = testData("e2e/requests.test.ts");

const uniqueNumber = (() => {
  let n = 10_000_000;
  return () => `+9198${String(n++).padStart(8, "0")}`;
})();

async function publicErasure(phone = uniqueNumber(), headers: Record<string, string> = {}) {
  const res = await host.call("POST", "/v1/requests", {
    body: { kind: "erasure", scope: { type: "whatsapp_number", phone } },
    headers: {
      "x-forwarded-for": data.clientAddress(),
      ...headers,
    },
  });
  return { res, phone, token: res.body.requestToken as string, id: res.body.id as string };
}

const asRequester = (token: string) => ({ "x-request-token": token });

beforeAll(async () => {
  host = await startTestHost();
  const seed = async () =>
    (await host.call("POST", "/_dev/seed", { body: { conversations: 1, messagesPerConversation: 1 } })).body;
  tenantA = await seed();
  tenantB = await seed();
  support = await host.token("support");
  officer = await host.token("privacy_officer");
});
afterAll(async () => {
  await host?.stop();
});

describe("public WhatsApp-number erasure: intake and verification", () => {
  it("creates with 201, Location and a requestToken shown once; the number is masked", async () => {
    const { res, phone, token } = await publicErasure();
    expect(res.status).toBe(201);
    expect(res.headers.get("location")).toBe(`/api/v1/requests/${res.body.id}`);
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(res.body).toMatchObject({ kind: "erasure", status: "pending_verification" });
    expect(res.body.scope.phone).not.toContain(phone.slice(3, 9));
    const read = await host.call("GET", `/v1/requests/${res.body.id}`, { headers: asRequester(token) });
    expect(read.status).toBe(200);
    expect(read.body.requestToken).toBeUndefined();
    expect(read.body.status).toBe("pending_verification");
  });

  it("verifies with the code sent to the number; a wrong code counts down", async () => {
    const { id, phone, token } = await publicErasure();
    const wrong = await host.call("POST", `/v1/requests/${id}/verification`, {
      headers: asRequester(token),
      body: { code: (Number(await latestCode(phone)) ^ 1).toString().padStart(6, "0") },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.detail ?? wrong.body.title).toMatch(/4 attempts left/);
    const ok = await host.call("POST", `/v1/requests/${id}/verification`, {
      headers: asRequester(token),
      body: { code: await latestCode(phone) },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.status).not.toBe("pending_verification");
    expect(ok.body.verifiedAt).toBeDefined();
    expect(Date.parse(ok.body.dueAt) - Date.parse(ok.body.verifiedAt)).toBe(30 * 86_400_000);
    const again = await host.call("POST", `/v1/requests/${id}/verification`, {
      headers: asRequester(token),
      body: { code: await latestCode(phone) },
    });
    expect(again.status).toBe(409);
    expect(again.body.resourceStatus).toBe(ok.body.status);
  });

  it("without the token the request is unreadable; with another request's token it does not exist", async () => {
    const a = await publicErasure();
    const b = await publicErasure();
    expect((await host.call("GET", `/v1/requests/${a.id}`)).status).toBe(401);
    expect((await host.call("GET", `/v1/requests/${a.id}`, { headers: asRequester(b.token) })).status).toBe(
      404,
    );
  });

  it("five wrong codes lock verification for an hour, even for the right code", async () => {
    const { id, phone, token } = await publicErasure();
    const right = await latestCode(phone);
    const wrongCode = right === "000000" ? "111111" : "000000";
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push(
        (
          await host.call("POST", `/v1/requests/${id}/verification`, {
            headers: asRequester(token),
            body: { code: wrongCode },
          })
        ).status,
      );
    }
    expect(statuses).toEqual([400, 400, 400, 400, 429]);
    const locked = await host.call("POST", `/v1/requests/${id}/verification`, {
      headers: asRequester(token),
      body: { code: right },
    });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(3000);
    await host.call("POST", "/_dev/clock", { body: { advance: "PT61M" } });
    // The lock is over; the old code expired meanwhile, so a new one is sent and works.
    const stale = await host.call("POST", `/v1/requests/${id}/verification`, {
      headers: asRequester(token),
      body: { code: right },
    });
    expect(stale.status).toBe(400);
    expect(
      (await host.call("POST", `/v1/requests/${id}/verification/resend`, { headers: asRequester(token) }))
        .status,
    ).toBe(200);
    const fresh = await host.call("POST", `/v1/requests/${id}/verification`, {
      headers: asRequester(token),
      body: { code: await latestCode(phone) },
    });
    expect(fresh.status).toBe(200);
  });

  it("a code expires after 15 minutes; resend is limited to 3 an hour and the old code stops working", async () => {
    const { id, phone, token } = await publicErasure();
    const first = await latestCode(phone);
    await host.call("POST", "/_dev/clock", { body: { advance: "PT16M" } });
    const expired = await host.call("POST", `/v1/requests/${id}/verification`, {
      headers: asRequester(token),
      body: { code: first },
    });
    expect(expired.status).toBe(400);
    expect(expired.body.errors?.[0]).toMatchObject({ field: "code", message: "expired" });
    const resends: number[] = [];
    for (let i = 0; i < 4; i++) {
      resends.push(
        (await host.call("POST", `/v1/requests/${id}/verification/resend`, { headers: asRequester(token) }))
          .status,
      );
    }
    expect(resends).toEqual([200, 200, 200, 429]);
    const latest = await latestCode(phone);
    expect(latest).not.toBe(first);
    expect(
      (
        await host.call("POST", `/v1/requests/${id}/verification`, {
          headers: asRequester(token),
          body: { code: latest },
        })
      ).status,
    ).toBe(200);
  });

  it("a second filing for the same number is a filing of its own; with the code it joins the open request", async () => {
    const first = await publicErasure();
    const second = await publicErasure(first.phone);
    expect(second.res.status).toBe(201);
    expect(second.id).not.toBe(first.id);
    expect(
      (await host.call("GET", `/v1/requests/${first.id}`, { headers: asRequester(second.token) })).status,
    ).toBe(404);
  });

  it("the number in other spellings is the same subject: one number receives every code", async () => {
    await publicErasure(NUMBER);
    const before = (await host.call("POST", "/_dev/outbox", { body: { to: NUMBER } })).body.messages.length;
    for (const spelling of ["+91 98123 45678", "098123 45678", "9812345678", "91-9812-345-678"]) {
      const again = await publicErasure(spelling);
      expect(again.res.status).toBe(201);
      expect(again.res.body.scope.phone).toBe("+91•••••5678");
    }
    const after = (await host.call("POST", "/_dev/outbox", { body: { to: NUMBER } })).body.messages.length;
    expect(after - before).toBe(4);
  });
});

describe("Idempotency-Key on create", () => {
  it("the same key and body replay the same request; another body with that key is 422", async () => {
    const phone = uniqueNumber();
    const headers = { "idempotency-key": `k-${phone}`, "x-forwarded-for": "10.9.9.9" };
    const body = { kind: "erasure", scope: { type: "whatsapp_number", phone } };
    const a = await host.call("POST", "/v1/requests", { body, headers });
    const b = await host.call("POST", "/v1/requests", { body, headers });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.headers.get("idempotent-replayed")).toBe("true");
    expect(b.body.id).toBe(a.body.id);
    expect(b.body.requestToken).toBe(a.body.requestToken);
    const c = await host.call("POST", "/v1/requests", {
      body: { ...body, language: "hi" },
      headers,
    });
    expect(c.status).toBe(422);
    expect(c.body.type).toMatch(/\/idempotency-key-reused$/);
  });

  it("a malformed key is 400 and stores nothing", async () => {
    const phone = uniqueNumber();
    const res = await host.call("POST", "/v1/requests", {
      body: { kind: "erasure", scope: { type: "whatsapp_number", phone } },
      headers: { "idempotency-key": "x".repeat(300) },
    });
    expect(res.status).toBe(400);
    const po = await host.call("GET", "/v1/requests?kind=erasure&limit=100", { token: officer });
    expect(JSON.stringify(po.body)).not.toContain(phone.slice(-4) + '"');
  });
});

describe("dashboard requests and roles", () => {
  it("only the owner may ask for account erasure: admin and member get 403", async () => {
    for (const role of ["admin", "member"]) {
      const token = await host.token(role, tenantA.tenantId);
      const res = await host.call("POST", "/v1/requests", {
        token,
        body: { kind: "erasure", scope: { type: "account", tenantId: tenantA.tenantId } },
      });
      expect(res.status).toBe(403);
    }
  });

  it("an owner's request is verified by the token and its clock starts at once", async () => {
    const res = await host.call("POST", "/v1/requests", {
      token: tenantA.ownerToken,
      body: { kind: "access", scope: { type: "account", tenantId: tenantA.tenantId } },
    });
    expect(res.status).toBe(201);
    expect(res.body.requestToken).toBeUndefined();
    expect(res.body.status).not.toBe("pending_verification");
    expect(res.body.dueAt).toBeDefined();
  });

  it("tenant isolation: B never sees or acts on A's requests, in list or by id", async () => {
    const a = await host.call("POST", "/v1/requests", {
      token: tenantA.ownerToken,
      body: { kind: "correction", corrections: [{ field: "name", value: "Asha Rao" }] },
    });
    expect(a.status).toBe(201);
    const bMember = await host.token("member", tenantB.tenantId);
    for (const token of [tenantB.ownerToken, bMember]) {
      expect((await host.call("GET", `/v1/requests/${a.body.id}`, { token })).status).toBe(404);
      expect((await host.call("POST", `/v1/requests/${a.body.id}/cancel`, { token })).status).toBe(404);
      expect((await host.call("GET", `/v1/requests/${a.body.id}/audit`, { token })).status).toBe(404);
      const list = await host.call("GET", "/v1/requests?limit=100", { token });
      expect(list.status).toBe(200);
      expect(list.body.items.map((i: { id: string }) => i.id)).not.toContain(a.body.id);
    }
    const aList = await host.call("GET", "/v1/requests?limit=100", { token: tenantA.ownerToken });
    expect(aList.body.items.map((i: { id: string }) => i.id)).toContain(a.body.id);
    const staffList = await host.call("GET", "/v1/requests?kind=correction&limit=100", { token: support });
    expect(staffList.body.items.map((i: { id: string }) => i.id)).toContain(a.body.id);
  });

  it("lists page with a continuation token and filter by status and kind", async () => {
    const first = await host.call("GET", "/v1/requests?limit=2", { token: officer });
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.continuationToken).toBeDefined();
    const next = await host.call(
      "GET",
      `/v1/requests?limit=2&continuationToken=${encodeURIComponent(first.body.continuationToken)}`,
      { token: officer },
    );
    expect(next.status).toBe(200);
    const ids = new Set([...first.body.items, ...next.body.items].map((i: { id: string }) => i.id));
    expect(ids.size).toBe(first.body.items.length + next.body.items.length);
    const pending = await host.call("GET", "/v1/requests?status=pending_verification&kind=erasure", {
      token: officer,
    });
    expect(pending.body.items.length).toBeGreaterThan(0);
    for (const item of pending.body.items)
      expect(item).toMatchObject({ status: "pending_verification", kind: "erasure" });
    expect((await host.call("GET", "/v1/requests?limit=1000", { token: officer })).status).toBe(400);
    expect((await host.call("GET", "/v1/requests?status=bogus", { token: officer })).status).toBe(400);
    expect((await host.call("GET", "/v1/requests")).status).toBe(401);
  });
});

describe("every kind from creation through verification", () => {
  const bodies = (phone: string) => [
    { kind: "access", scope: { type: "whatsapp_number", phone } },
    {
      kind: "correction",
      scope: { type: "whatsapp_number", phone },
      corrections: [{ field: "name", value: "R. Iyer" }],
    },
    {
      kind: "nomination",
      scope: { type: "whatsapp_number", phone },
      nominee: { name: "Meera Iyer", relation: "sister", email: "meera@example.in" },
    },
    {
      kind: "consent_withdrawal",
      scope: { type: "whatsapp_number", phone },
      purposes: ["whatsapp_messaging"],
    },
    { kind: "erasure", scope: { type: "whatsapp_number", phone } },
  ];

  it("each verifies with its own code and starts its clock", async () => {
    const phone = uniqueNumber();
    for (const body of bodies(phone)) {
      const created = await host.call("POST", "/v1/requests", {
        body,
        headers: { "x-forwarded-for": "10.1.1.1" },
      });
      expect(created.status, body.kind).toBe(201);
      const verified = await host.call("POST", `/v1/requests/${created.body.id}/verification`, {
        headers: asRequester(created.body.requestToken),
        body: { code: await latestCode(phone) },
      });
      expect(verified.status, body.kind).toBe(200);
      expect(verified.body.dueAt, body.kind).toBeDefined();
    }
  });

  it("a grievance is acknowledged at once, with its resolution due in 15 days", async () => {
    const res = await host.call("POST", "/v1/requests", {
      body: {
        kind: "grievance",
        contact: { email: "ravi@example.in" },
        details: { summary: "I keep getting messages." },
      },
    });
    expect(res.status).toBe(201);
    expect(res.body.status).toBe("in_progress");
    expect(Date.parse(res.body.dueAt) - Date.parse(res.body.createdAt)).toBe(15 * 86_400_000);
    const out = await host.call("POST", "/_dev/outbox", { body: { to: "ravi@example.in" } });
    expect(out.body.messages.map((m: { template: string }) => m.template)).toContain(
      "grievance_acknowledged",
    );
    expect(out.body.messages.at(-1).text).toContain("karan@callmissed.com");
  });
});

describe("staff actions, races and the audit trail", () => {
  it("two concurrent verifications with the right code: exactly one wins", async () => {
    const { id, phone, token } = await publicErasure();
    const code = await latestCode(phone);
    const results = await Promise.all(
      [0, 1, 2].map(() =>
        host.call("POST", `/v1/requests/${id}/verification`, { headers: asRequester(token), body: { code } }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409]);
    const trail = await host.call("GET", `/v1/requests/${id}/audit`, { token: officer });
    expect(trail.body.events.filter((e: { action: string }) => e.action === "verify")).toHaveLength(1);
  });

  it("reject needs staff and a reason; hold and release need the privacy officer", async () => {
    const { id } = await publicErasure();
    expect(
      (
        await host.call("POST", `/v1/requests/${id}/reject`, {
          token: tenantA.ownerToken,
          body: { reason: "x" },
        })
      ).status,
    ).toBe(403);
    expect((await host.call("POST", `/v1/requests/${id}/reject`, { token: support, body: {} })).status).toBe(
      400,
    );
    // An account erasure waits out its 30-day window: the time a legal hold matters.
    const heldTenant = (
      await host.call("POST", "/_dev/seed", { body: { conversations: 1, messagesPerConversation: 1 } })
    ).body;
    const heldId = (
      await host.call("POST", "/v1/requests", {
        token: heldTenant.ownerToken,
        body: { kind: "erasure", scope: { type: "account", tenantId: heldTenant.tenantId } },
      })
    ).body.id as string;
    expect(
      (
        await host.call("POST", `/v1/requests/${heldId}/hold`, {
          token: support,
          body: { reason: "court order" },
        })
      ).status,
    ).toBe(403);
    const held = await host.call("POST", `/v1/requests/${heldId}/hold`, {
      token: officer,
      body: { reason: "Court order 12/2026" },
    });
    expect(held.status).toBe(200);
    expect(held.body).toMatchObject({ status: "on_hold", onHold: true });
    const cancel = await host.call("POST", `/v1/requests/${heldId}/cancel`, { token: heldTenant.ownerToken });
    expect(cancel.status).toBe(409);
    expect(cancel.body.resourceStatus).toBe("on_hold");
    const released = await host.call("POST", `/v1/requests/${heldId}/release`, {
      token: officer,
      body: { reason: "Order lifted" },
    });
    expect(released.status).toBe(200);
    expect(released.body.onHold).toBe(false);
    const rejected = await host.call("POST", `/v1/requests/${id}/reject`, {
      token: support,
      body: { reason: "Duplicate of an earlier request" },
    });
    expect(rejected.status).toBe(200);
    expect(rejected.body.status).toBe("rejected");
  });

  it("a deadline moves only with a reason and never past 90 days", async () => {
    // A correction waits for staff review once verified: its deadline runs meanwhile.
    const phone = uniqueNumber();
    const created = await host.call("POST", "/v1/requests", {
      body: {
        kind: "correction",
        scope: { type: "whatsapp_number", phone },
        corrections: [{ field: "name", value: "A. Khan" }],
      },
      headers: { "x-forwarded-for": "10.3.3.3" },
    });
    const { id, requestToken: token } = created.body as { id: string; requestToken: string };
    const v = await host.call("POST", `/v1/requests/${id}/verification`, {
      headers: asRequester(token),
      body: { code: await latestCode(phone) },
    });
    const tooFar = new Date(Date.parse(v.body.verifiedAt) + 91 * 86_400_000).toISOString();
    expect(
      (
        await host.call("POST", `/v1/requests/${id}/extend`, {
          token: support,
          body: { until: tooFar, reason: "complex" },
        })
      ).status,
    ).toBe(400);
    expect(
      (await host.call("POST", `/v1/requests/${id}/extend`, { token: support, body: { until: tooFar } }))
        .status,
    ).toBe(400);
    const ok = new Date(Date.parse(v.body.verifiedAt) + 60 * 86_400_000).toISOString();
    const extended = await host.call("POST", `/v1/requests/${id}/extend`, {
      token: support,
      body: { until: ok, reason: "Backups span two regions" },
    });
    expect(extended.status).toBe(200);
    expect(extended.body.dueAt).toBe(ok);
    expect(extended.body.deadlineExtensions[0].reason).toBe("Backups span two regions");
  });

  it("the audit trail is hash-chained, holds no number, and a tampered event is detected", async () => {
    const { id, phone, token } = await publicErasure();
    await host.call("POST", `/v1/requests/${id}/verification`, {
      headers: asRequester(token),
      body: { code: await latestCode(phone) },
    });
    const trail = await host.call("GET", `/v1/requests/${id}/audit`, { token: officer });
    expect(trail.status).toBe(200);
    expect(trail.body.chain.valid).toBe(true);
    expect(trail.body.events.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining(["create", "verify"]),
    );
    expect(JSON.stringify(trail.body)).not.toContain(phone.slice(1));
    const summary = await host.call("GET", `/v1/requests/${id}/audit`, { headers: asRequester(token) });
    expect(summary.status).toBe(200);
    expect(summary.body.events[0]).not.toHaveProperty("actor");

    const audit = host.runtime.app.ports.documents.collection("service", "audit");
    const page = await audit.query<{ id: string; pk: string; action: string; reason?: string }>({
      where: [{ field: "requestId", op: "=", value: id }],
    });
    const event = page.items.find((e) => e.action === "create")!;
    const stored = await audit.read<{ id: string } & Record<string, unknown>>(event.id, event.pk);
    await audit.replace({ ...stored!.doc, id: event.id, action: "cancel" }, stored!.etag);
    const tampered = await host.call("GET", `/v1/requests/${id}/audit`, { token: officer });
    expect(tampered.body.chain.valid).toBe(false);
  });
});
