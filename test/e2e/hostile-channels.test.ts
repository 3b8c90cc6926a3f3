import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Executor } from "../../src/app/context";
import { runExecution } from "../../src/app/requests/execution";
import { applyAction } from "../../src/app/requests/transition";
import { startTestHost, type TestHost } from "../support/host";

/**
 * Hostile callers, second pass (issue 13): a nominee proves only the nominee's own address, so the
 * nominee's filing never joins nor holds the principal's request; codes and budgets belong to each
 * channel of a subject, so a send to one address never kills another's code; reminders and grievance
 * notices never eat the budget codes need; two addresses cannot keep a number locked; the public resend
 * answers alike for any address; grievances from the public or staff are listed to no member; a replay
 * answers the first answer. Each test played the attack against the first version of the fix and failed.
 */
let host: TestHost;
let seq = 1;
const addr = () => `198.51.100.${seq++}`;
const from = (a: string, token?: string) => ({
  "x-forwarded-for": a,
  ...(token ? { "x-request-token": token } : {}),
});
const codes = (to: string) =>
  host.runtime
    .dev!.outbox(to)
    .filter((m) => m.template === "verification_code")
    .map((m) => /\b(\d{6})\b/.exec(m.text)![1]!);
const newest = (to: string) => codes(to).at(-1)!;
async function file(body: Record<string, unknown>, a: string) {
  const res = await host.call("POST", "/v1/requests", { body, headers: from(a) });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { id: res.body.id as string, token: res.body.requestToken as string };
}
const verify = (id: string, token: string, code: string, a: string) =>
  host.call("POST", `/v1/requests/${id}/verification`, { headers: from(a, token), body: { code } });
const advance = (d: string) => host.call("POST", "/_dev/clock", { body: { advance: d } });
const wa = (kind: string, phone: string) => ({ kind, scope: { type: "whatsapp_number", phone } });
const correction = (phone: string) => ({
  ...wa("correction", phone),
  corrections: [{ field: "name", value: "Private New Name" }],
});
async function nominate(principal: string, nomineeEmail: string) {
  const a = addr();
  const n = await file(
    { ...wa("nomination", principal), nominee: { name: "N", relation: "cousin", email: nomineeEmail } },
    a,
  );
  expect((await verify(n.id, n.token, newest(principal), a)).body.status).toBe("completed");
  return n.id;
}
async function seedTenant() {
  const seeded = (await host.call("POST", "/_dev/seed", { body: { conversations: 1 } })).body as {
    tenantId: string;
    ownerToken: string;
  };
  const acct = await host.runtime.app.ports.documents
    .collection("platform", "accounts")
    .read<{ id: string; ownerEmail: string }>(seeded.tenantId, seeded.tenantId);
  return { ...seeded, registered: acct!.doc.ownerEmail };
}

beforeAll(async () => {
  host = await startTestHost({ TRUSTED_PROXY_HOPS: "2" });
});
afterAll(async () => {
  await host?.stop();
});

describe("a nominee's filing proves the nominee's address only", () => {
  it("the nominee's code gives no handle on the principal's open request", async () => {
    const principal = "+919811000001";
    const nominationId = await nominate(principal, "nominee1@example.in");
    const pa = addr();
    const own = await file(correction(principal), pa);
    expect((await verify(own.id, own.token, newest(principal), pa)).status).toBe(200);
    const na = addr();
    const nf = await file(
      { ...correction(principal), scope: undefined, onBehalfOf: { nominationId, evidenceRef: "made-up" } },
      na,
    );
    const joined = await verify(nf.id, nf.token, newest("nominee1@example.in"), na);
    expect(joined.body.id).not.toBe(own.id);
    expect((await host.call("GET", `/v1/requests/${own.id}`, { headers: from(na, nf.token) })).status).toBe(
      404,
    );
  });

  it("the principal's verified erasure is never merged into the nominee's filing held for review", async () => {
    const principal = "+919811000002";
    const nominationId = await nominate(principal, "nominee2@example.in");
    const na = addr();
    const nf = await file({ kind: "erasure", onBehalfOf: { nominationId, evidenceRef: "made-up" } }, na);
    expect((await verify(nf.id, nf.token, newest("nominee2@example.in"), na)).body.status).toBe("verified");
    const pa = addr();
    const own = await file(wa("erasure", principal), pa);
    const v = await verify(own.id, own.token, newest(principal), pa);
    expect(v.body.id).toBe(own.id);
  });

  it("the nominee cannot download the principal's access export", async () => {
    const principal = "+919811000004";
    await host.call("POST", "/_dev/seed", { body: { conversations: 1, contacts: [principal] } });
    const nominationId = await nominate(principal, "nominee4@example.in");
    const kinds = host.runtime.app.kinds;
    const real = kinds.access;
    const exportStillRunning: Executor = async (app, request, step) => {
      // a large export, still running when verification answers
      if (request.status === "verified") {
        step("start");
        await applyAction(app, request.id, "start", { kind: "system" }, { notify: false });
      }
    };
    kinds.access = { ...real, execute: exportStillRunning };
    try {
      const pa = addr();
      const own = await file(wa("access", principal), pa);
      expect((await verify(own.id, own.token, newest(principal), pa)).body.status).toBe("in_progress");
      const na = addr();
      const nf = await file({ kind: "access", onBehalfOf: { nominationId, evidenceRef: "made-up" } }, na);
      await verify(nf.id, nf.token, newest("nominee4@example.in"), na);
      kinds.access = real;
      await runExecution(host.runtime.app, own.id); // the export finishes
      const link = await host.call("GET", `/v1/requests/${own.id}/export`, { headers: from(na, nf.token) });
      expect(link.status).toBe(404);
    } finally {
      kinds.access = real;
    }
  });
});

describe("each channel of a subject has its own code and budget", () => {
  it("filings naming only a nomination id neither kill the principal's code nor spend its budget", async () => {
    const principal = "+919811000003";
    const nominationId = await nominate(principal, "nominee3@example.in");
    await advance("PT61M");
    const pa = addr();
    const own = await file(wa("erasure", principal), pa);
    const mine = newest(principal);
    const sa = addr();
    for (let i = 0; i < 4; i++)
      await file({ kind: "access", onBehalfOf: { nominationId, evidenceRef: "DC/1234" } }, sa);
    expect((await verify(own.id, own.token, mine, pa)).status).toBe(200);
  });

  it("a public filing naming the owner's email does not kill the owner's correction-confirmation code", async () => {
    const t = await seedTenant();
    const created = await host.call("POST", "/v1/requests", {
      token: t.ownerToken,
      body: { kind: "correction", corrections: [{ field: "email", value: "owner.new@example.in" }] },
    });
    await host.call("POST", `/v1/requests/${created.body.id}/approve`, {
      token: await host.token("support"),
    });
    const confirmCode = newest("owner.new@example.in");
    await file(
      { kind: "erasure", scope: { type: "account", tenantId: t.tenantId }, contact: { email: t.registered } },
      addr(),
    );
    const res = await host.call("POST", `/v1/requests/${created.body.id}/confirmation`, {
      token: t.ownerToken,
      body: { code: confirmCode },
    });
    expect(res.status).toBe(200);
  });

  it("the owner gets a confirmation code whatever a stranger files", async () => {
    const t = await seedTenant();
    const created = await host.call("POST", "/v1/requests", {
      token: t.ownerToken,
      body: { kind: "correction", corrections: [{ field: "email", value: "owner.new2@example.in" }] },
    });
    const erase = {
      kind: "erasure",
      scope: { type: "account", tenantId: t.tenantId },
      contact: { email: t.registered },
    };
    await file(erase, addr());
    await host.call("POST", `/v1/requests/${created.body.id}/approve`, {
      token: await host.token("support"),
    });
    const statuses: number[] = [];
    const stranger = addr();
    for (let hour = 0; hour < 3; hour++) {
      for (let i = 0; i < 5; i++) await file(erase, stranger);
      statuses.push(
        (
          await host.call("POST", `/v1/requests/${created.body.id}/confirmation/resend`, {
            token: t.ownerToken,
          })
        ).status,
      );
      await advance("PT61M");
    }
    expect(statuses).toContain(200);
  });
});

describe("reminders never use up what codes need", () => {
  it("the person who holds the number gets a new code within four hours of a day of a stranger's filings", async () => {
    const phone = "+919822000001";
    const stranger = addr();
    for (let hour = 0; hour < 24; hour++) {
      for (let i = 0; i < 5; i++) await file(wa("erasure", phone), stranger);
      await advance("PT60M");
    }
    for (let i = 0; i < 5; i++) await file(wa("erasure", phone), stranger);
    const pa = addr();
    await advance("PT30M");
    const first = await file(wa("access", phone), pa);
    expect((await verify(first.id, first.token, newest(phone), pa)).status).toBe(200);
    const sentBefore = codes(phone).length;
    for (let hour = 25; hour < 29; hour++) {
      await advance("PT30M");
      for (let i = 0; i < 5; i++) await file(wa("erasure", phone), stranger);
      await advance("PT30M");
      const mine = await file(correction(phone), pa);
      await host.call("POST", `/v1/requests/${mine.id}/verification/resend`, {
        headers: from(pa, mine.token),
      });
    }
    expect(codes(phone).length).toBeGreaterThan(sentBefore);
  }, 300_000);
});

describe("guessing from several addresses", () => {
  it("two addresses cannot keep a number locked hour after hour", async () => {
    const phone = "+919822000003";
    const pa = addr();
    const mine = await file(wa("erasure", phone), pa);
    const results: number[] = [];
    for (let hour = 0; hour < 3; hour++) {
      for (const a of [addr(), addr()]) {
        const f = await file(wa("erasure", phone), a);
        for (let i = 0; i < 5; i++) await verify(f.id, f.token, "000000", a);
      }
      await host.call("POST", `/v1/requests/${mine.id}/verification/resend`, {
        headers: from(pa, mine.token),
      });
      results.push((await verify(mine.id, mine.token, newest(phone), pa)).status);
      await advance("PT61M");
    }
    expect(results).toContain(200);
  }, 120_000);
});

describe("grievance notices", () => {
  it("public grievances naming a number send it a few messages a day at most", async () => {
    const victim = "+919833777001";
    for (const a of [addr(), addr()])
      for (let i = 0; i < 20; i++)
        await file({ kind: "grievance", contact: { phone: victim }, details: { summary: `spam ${i}` } }, a);
    expect(host.runtime.dev!.outbox(victim).length).toBeLessThanOrEqual(3);
  });
});

describe("no account oracle", () => {
  it("resend answers alike whether or not the email is the tenant's registered one", async () => {
    const t = await seedTenant();
    const probe = async (tenantId: string, email: string) => {
      const a = addr();
      const statuses: number[] = [];
      for (let f = 0; f < 2; f++) {
        const res = await host.call("POST", "/v1/requests", {
          headers: from(a),
          body: { kind: "erasure", scope: { type: "account", tenantId }, contact: { email } },
        });
        statuses.push(res.status);
        for (let r = 0; r < 2; r++)
          statuses.push(
            (
              await host.call("POST", `/v1/requests/${res.body.id}/verification/resend`, {
                headers: from(a, res.body.requestToken),
              })
            ).status,
          );
      }
      return statuses;
    };
    const wrong = await probe(t.tenantId, "guess@example.in");
    const right = await probe(t.tenantId, t.registered);
    expect(right).toEqual(wrong);
  });
});

describe("grievances in listings", () => {
  it("a public or staff-entered grievance about a tenant is listed to none of its members", async () => {
    const t = await seedTenant();
    const pub = await file(
      {
        kind: "grievance",
        scope: { type: "account", tenantId: t.tenantId },
        contact: { email: "employee@example.in" },
        details: { summary: "My manager shares my medical leave records" },
      },
      addr(),
    );
    const staff = await host.call("POST", "/v1/requests", {
      token: await host.token("support"),
      body: {
        kind: "grievance",
        scope: { type: "account", tenantId: t.tenantId },
        channel: "email",
        messageRef: "mail-77",
        details: { summary: "Complaint about the owner" },
      },
    });
    const member = await host.token("member", t.tenantId);
    const ids = (
      (await host.call("GET", "/v1/requests?kind=grievance", { token: member })).body.items as {
        id: string;
      }[]
    ).map((i) => i.id);
    expect((await host.call("GET", `/v1/requests/${pub.id}`, { token: member })).status).toBe(404);
    expect(ids).not.toContain(pub.id);
    expect(ids).not.toContain(staff.body.id);
  });
});

describe("Idempotency-Key replay", () => {
  it("a replay (same address, same key) gives the first answer, not the request as it is now", async () => {
    const phone = "+919833777002";
    const shared = addr();
    const headers = { ...from(shared), "idempotency-key": "k-1" };
    const body = correction(phone);
    const first = await host.call("POST", "/v1/requests", { headers, body });
    await verify(first.body.id, first.body.requestToken, newest(phone), shared);
    const replay = await host.call("POST", "/v1/requests", { headers, body });
    expect(replay.body.status).toBe("pending_verification");
  });
});
