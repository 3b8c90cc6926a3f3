import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testData } from "../../support/generators";
import { openTarget, type Target } from "../../support/target";

/**
 * A member of the public files a request over HTTP and reads it back; a stranger with a filing of their own cannot
 * read it. Only what HTTP shows: on the real host there is no outbox to read a code from, so nothing is verified.
 */

const data = testData("e2e/portable/public-requests.test.ts");
let target: Target;
beforeAll(async () => {
  target = await openTarget();
});
afterAll(async () => {
  await target?.close();
});

async function fileErasure(phone = data.mobile()) {
  const res = await target.call("POST", "/v1/requests", {
    body: { kind: "erasure", scope: { type: "whatsapp_number", phone } },
    headers: { "x-forwarded-for": data.clientAddress() },
  });
  return { res, id: res.body?.id as string, token: res.body?.requestToken as string, phone };
}

/** A well-formed id the service never issued: the same shape, another UUID drawn from the seed. */
function guessedId(real: string): string {
  const hex = (n: number) => Array.from({ length: n }, () => data.int(0, 15).toString(16)).join("");
  return real.replace(/^r-[0-9a-f-]{36}/, `r-${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`);
}

describe("portable: filing a public request", () => {
  it("201 with Location and a requestToken; the token reads the request, which shows no number", async () => {
    const { res, id, token, phone } = await fileErasure();
    expect(res.status).toBe(201);
    expect(res.headers.get("location")).toBe(`/api/v1/requests/${id}`);
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(res.body).toMatchObject({ kind: "erasure", status: "pending_verification" });
    const read = await target.call("GET", `/v1/requests/${id}`, { headers: { "x-request-token": token } });
    expect(read.status).toBe(200);
    expect(read.body.status).toBe("pending_verification");
    expect(read.body.requestToken).toBeUndefined();
    expect(JSON.stringify(read.body)).not.toContain(phone.slice(3));
  });

  it("400 problem+json naming each bad field: an unknown kind, a number that is not one", async () => {
    const kind = await target.call("POST", "/v1/requests", {
      body: { kind: "everything", scope: { type: "whatsapp_number", phone: data.mobile() } },
      headers: { "x-forwarded-for": data.clientAddress() },
    });
    expect(kind.status).toBe(400);
    expect(kind.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(kind.body.errors.map((e: { field: string }) => e.field)).toContain("body.kind");
    const phone = await target.call("POST", "/v1/requests", {
      body: { kind: "erasure", scope: { type: "whatsapp_number", phone: "12" } },
      headers: { "x-forwarded-for": data.clientAddress() },
    });
    expect(phone.status).toBe(400);
    expect(JSON.stringify(phone.body.errors)).toContain("phone");
    const malformed = await target.call("POST", "/v1/requests", {
      raw: '{"kind": "erasure",',
      headers: { "content-type": "application/json", "x-forwarded-for": data.clientAddress() },
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors).toEqual([{ field: "body", message: "malformed JSON" }]);
  });
});

describe("portable: a hostile caller", () => {
  it("cannot read another's request: not without a token, not with its own, not by a guessed id", async () => {
    const victim = await fileErasure();
    const stranger = await fileErasure();
    expect(victim.res.status).toBe(201);
    expect(stranger.res.status).toBe(201);
    expect((await target.call("GET", `/v1/requests/${victim.id}`)).status).toBe(401);
    const asStranger = { headers: { "x-request-token": stranger.token } };
    const other = await target.call("GET", `/v1/requests/${victim.id}`, asStranger);
    expect(other.status).toBe(404);
    const guessed = await target.call("GET", `/v1/requests/${guessedId(victim.id)}`, asStranger);
    expect(guessed.status).toBe(404);
    // A 404 says nothing about whether the id exists: the same answer for both.
    expect(guessed.body.title).toBe(other.body.title);
    expect(JSON.stringify(other.body)).not.toContain(victim.phone.slice(3));
  });
});
