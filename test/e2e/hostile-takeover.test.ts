import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newRequestId } from "../../src/domain/requests/request-id";
import { startTestHost, type TestHost } from "../support/host";
import { observedStore, patchPort } from "../support/ports";

/**
 * A stranger who knows only a WhatsApp number, an account id or an address (issue 13): refiling never
 * hands out a handle to someone else's request, filing never locks the number's owner out, cancelling
 * and filing again never gives fresh guesses, and the answers are the same whether or not anything is
 * known. Each test plays the stranger first and then checks the real person still gets through.
 *
 * Client addresses: the host trusts two hops (TRUSTED_PROXY_HOPS=2), so the X-Forwarded-For entry a
 * test writes stands for the address the platform's front end would have added; the local host appends
 * the socket address after it, as the front end does.
 */

let host: TestHost;
const numbers = (() => {
  let n = 31_000_000;
  return () => `+9197${String(n++).padStart(8, "0")}`;
})();
const addresses = (() => {
  let n = 1;
  return () => `198.51.100.${n++}`;
})();

const from = (address: string, token?: string) => ({
  "x-forwarded-for": address,
  ...(token ? { "x-request-token": token } : {}),
});

async function file(body: Record<string, unknown>, address: string, headers: Record<string, string> = {}) {
  const res = await host.call("POST", "/v1/requests", { body, headers: { ...from(address), ...headers } });
  return { res, id: res.body?.id as string, token: res.body?.requestToken as string };
}

const erasureOf = (phone: string) => ({ kind: "erasure", scope: { type: "whatsapp_number", phone } });
const accessOf = (phone: string) => ({ kind: "access", scope: { type: "whatsapp_number", phone } });
/** A kind that stays open after verification (it waits for staff review), so a later filing can join it. */
const correctionOf = (phone: string) => ({
  kind: "correction",
  scope: { type: "whatsapp_number", phone },
  corrections: [{ field: "name", value: "Asha" }],
});

/** Codes the local outbox holds for an address, oldest first. */
const codesSentTo = (to: string) =>
  host.runtime
    .dev!.outbox(to)
    .filter((m) => m.template === "verification_code")
    .map((m) => /\b(\d{6})\b/.exec(m.text)![1]!);
const messagesTo = (to: string) => host.runtime.dev!.outbox(to);
const newestCode = (to: string) => codesSentTo(to).at(-1)!;

const verify = (id: string, token: string, code: string, address: string) =>
  host.call("POST", `/v1/requests/${id}/verification`, { headers: from(address, token), body: { code } });
const read = (id: string, token: string, address: string) =>
  host.call("GET", `/v1/requests/${id}`, { headers: from(address, token) });
const advance = (duration: string) => host.call("POST", "/_dev/clock", { body: { advance: duration } });
const wrongOf = (code: string) => (code === "000000" ? "111111" : "000000");

beforeAll(async () => {
  host = await startTestHost({ TRUSTED_PROXY_HOPS: "2" });
});
afterAll(async () => {
  await host?.stop();
});

describe("takeover by refiling", () => {
  it("a stranger refiling for a number with an open access request gets a filing of his own, never the request or its export", async () => {
    const phone = numbers();
    await host.call("POST", "/_dev/seed", { body: { conversations: 1, contacts: [phone] } });
    const owner = addresses();
    const real = await file(accessOf(phone), owner);
    expect(real.res.status).toBe(201);

    const stranger = addresses();
    const refiled = await file(accessOf(phone), stranger);
    // The same answer a first filing gets: nothing says another request exists.
    expect(refiled.res.status).toBe(201);
    expect(refiled.id).not.toBe(real.id);
    expect(refiled.res.body.status).toBe("pending_verification");
    expect(Object.keys(refiled.res.body).sort()).toEqual(Object.keys(real.res.body).sort());

    const verified = await verify(real.id, real.token, newestCode(phone), owner);
    expect(verified.status).toBe(200);
    expect(verified.body.id).toBe(real.id);

    // The stranger's token reads his own filing only: the real request, its audit and export do not exist for him.
    expect((await read(real.id, refiled.token, stranger)).status).toBe(404);
    for (const path of ["export", "audit", "certificate"]) {
      const res = await host.call("GET", `/v1/requests/${real.id}/${path}`, {
        headers: from(stranger, refiled.token),
      });
      expect(res.status, path).toBe(404);
    }
    const own = await read(refiled.id, refiled.token, stranger);
    expect(own.status).toBe(200);
    expect(own.body.status).toBe("pending_verification");
    expect(own.body.export).toBeUndefined();
    expect(
      (
        await host.call("GET", `/v1/requests/${refiled.id}/export`, {
          headers: from(stranger, refiled.token),
        })
      ).status,
    ).not.toBe(200);

    // The real person still follows the request and downloads the export with the first token.
    const export_ = await host.call("GET", `/v1/requests/${real.id}/export`, {
      headers: from(owner, real.token),
    });
    expect(export_.status).toBe(200);
    expect(export_.body.url).toBeDefined();
  });

  it("a stranger guessing at his own filing's code gains nothing, and his token never starts reading the real request", async () => {
    const phone = numbers();
    const owner = addresses();
    const real = await file(correctionOf(phone), owner);
    expect((await verify(real.id, real.token, newestCode(phone), owner)).status).toBe(200);
    const stranger = addresses();
    const refiled = await file(correctionOf(phone), stranger);
    // The code the number received is spent on the real request: replaying it proves nothing.
    const codes = codesSentTo(phone);
    for (const code of codes.slice(0, -1)) {
      const res = await verify(refiled.id, refiled.token, code, stranger);
      expect(res.status).not.toBe(200);
    }
    expect((await read(real.id, refiled.token, stranger)).status).toBe(404);
  });

  it("refiling, however often, never pushes the first filer's token out", async () => {
    const phone = numbers();
    const owner = addresses();
    const real = await file(correctionOf(phone), owner);
    expect((await verify(real.id, real.token, newestCode(phone), owner)).status).toBe(200);
    for (let hour = 0; hour < 3; hour++) {
      for (let i = 0; i < 4; i++) await file(correctionOf(phone), addresses());
      await advance("PT61M");
    }
    expect((await read(real.id, real.token, owner)).status).toBe(200);
  });

  it("the person who holds the number, refiling after losing the token, proves it with the code and joins the open request", async () => {
    const phone = numbers();
    const first = await file(correctionOf(phone), addresses());
    expect((await verify(first.id, first.token, newestCode(phone), addresses())).status).toBe(200);
    const laptop = addresses();
    const again = await file(correctionOf(phone), laptop);
    expect(again.id).not.toBe(first.id);
    // Before the code: nothing of the open request.
    expect((await read(first.id, again.token, laptop)).status).toBe(404);
    const joined = await verify(again.id, again.token, newestCode(phone), laptop);
    expect(joined.status).toBe(200);
    expect(joined.body.id).toBe(first.id);
    expect((await read(first.id, again.token, laptop)).status).toBe(200);
    // The filing closed, pointing at the request it joined; the open request is still one.
    const closed = await read(again.id, again.token, laptop);
    expect(closed.body.status).toBe("cancelled");
    expect(closed.body.closedReason).toContain(first.id);
    const trail = await host.call("GET", `/v1/requests/${first.id}/audit`, {
      token: await host.token("privacy_officer"),
    });
    expect(trail.body.events.map((e: { action: string }) => e.action)).toContain("requester_joined");
  });

  it("the number in any spelling is one subject: codes go to the one number, and the filings join one request", async () => {
    const phone = "+919731999001";
    const spellings = ["+91 97319 99001", "097319 99001", "9731999001", "91-9731-999-001"];
    const first = await file(correctionOf(phone), addresses());
    expect((await verify(first.id, first.token, newestCode(phone), addresses())).status).toBe(200);
    for (const spelling of spellings) {
      const address = addresses();
      const filing = await file(correctionOf(spelling), address);
      expect(filing.res.status).toBe(201);
      // Read off the phone before time passes: the queue drops a notice after noticeTimeToLive.
      const code = newestCode(phone);
      await advance("PT13M"); // past the subject's message budget: the codes stay few
      const joined = await verify(filing.id, filing.token, code, address);
      expect(joined.status, spelling).toBe(200);
      expect(joined.body.id).toBe(first.id);
    }
  });

  it("fuzz: whatever a stranger files, guesses, resends and cancels before the owner verifies, his tokens never read the request", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.constant({ op: "file" as const }),
            fc.record({ op: fc.constant("guess" as const), code: fc.stringMatching(/^\d{6}$/) }),
            fc.constant({ op: "resend" as const }),
            fc.constant({ op: "cancel" as const }),
          ),
          { minLength: 1, maxLength: 6 },
        ),
        async (ops) => {
          const phone = numbers();
          const owner = addresses();
          const real = await file(correctionOf(phone), owner);
          const stranger = addresses();
          const tokens: { id: string; token: string }[] = [];
          for (const op of ops) {
            const mine = tokens.at(-1);
            if (op.op === "file" || !mine) {
              const f = await file(correctionOf(phone), stranger);
              expect(f.res.status).toBe(201);
              tokens.push({ id: f.id, token: f.token });
              continue;
            }
            const path = `/v1/requests/${mine.id}`;
            const headers = from(stranger, mine.token);
            if (op.op === "guess")
              await host.call("POST", `${path}/verification`, { headers, body: { code: op.code } });
            if (op.op === "resend") await host.call("POST", `${path}/verification/resend`, { headers });
            if (op.op === "cancel") await host.call("POST", `${path}/cancel`, { headers, body: {} });
          }
          const verified = await verify(real.id, real.token, newestCode(phone), owner);
          expect(verified.status).toBe(200);
          expect(verified.body.id).toBe(real.id);
          for (const t of tokens) {
            expect((await read(real.id, t.token, stranger)).status).toBe(404);
            const own = await read(t.id, t.token, stranger);
            expect(own.body.status).not.toBe("verified");
          }
        },
      ),
      { numRuns: 15, seed: 1313 },
    );
  });
});

describe("abuse cannot stop the person who holds the number", () => {
  it("twenty filings by a stranger do not stop the owner filing, and cost the number at most ten codes an hour", async () => {
    const phone = numbers();
    const stranger = addresses();
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await file(erasureOf(phone), stranger)).res.status);
    expect(statuses.every((s) => s === 201)).toBe(true);
    expect(messagesTo(phone)).toHaveLength(10);
    // What the owner's phone received (the queue itself drops a notice after noticeTimeToLive).
    const onPhone = newestCode(phone);

    await advance("PT40M"); // the newest code is older than its 15 minutes, and no new one can go yet
    expect(messagesTo(phone)).toHaveLength(0);
    const owner = addresses();
    const mine = await file(erasureOf(phone), owner);
    expect(mine.res.status).toBe(201);
    expect(messagesTo(phone)).toHaveLength(0); // no new code went out
    // The newest code on the owner's phone still works: the budget kept it alive until a new one can go.
    const ok = await verify(mine.id, mine.token, onPhone, owner);
    expect(ok.status).toBe(200);
    expect(ok.body.id).toBe(mine.id);
  });

  it("reminders and expiry notices of a stranger's filings share the same budget", async () => {
    const phone = numbers();
    for (let hour = 0; hour < 3; hour++) {
      for (let i = 0; i < 5; i++) await file(erasureOf(phone), addresses());
      await advance("PT61M");
    }
    const before = messagesTo(phone).length;
    await advance("PT23H"); // every filing's reminder falls due within the same hour or so
    await advance("P7D"); // and every expiry
    const after = messagesTo(phone).length;
    // Three reminders on the day they fall due, three expiry notices a week later: the rest are dropped.
    expect(after - before).toBeLessThanOrEqual(3 + 3);
  });

  it("resend past the channel's budget answers as any resend, sends nothing, and the newest code still works", async () => {
    const phone = numbers();
    const stranger = addresses();
    const filings = [];
    for (let i = 0; i < 10; i++) filings.push(await file(erasureOf(phone), stranger));
    const last = filings.at(-1)!;
    const res = await host.call("POST", `/v1/requests/${last.id}/verification/resend`, {
      headers: from(stranger, last.token),
    });
    expect(res.status).toBe(200);
    expect(codesSentTo(phone)).toHaveLength(10);
    const owner = addresses();
    const mine = await file(erasureOf(phone), owner);
    expect((await verify(mine.id, mine.token, newestCode(phone), owner)).status).toBe(200);
  });
});

describe("guesses belong to the subject and its code, across requests", () => {
  it("cancel and refile gives no fresh guesses: the lock holds for the hour", async () => {
    const phone = numbers();
    const stranger = addresses();
    let filing = await file(erasureOf(phone), stranger);
    const right = newestCode(phone);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await verify(filing.id, filing.token, wrongOf(right), stranger)).status);
    expect(statuses).toEqual([400, 400, 400, 400, 429]);
    for (let round = 0; round < 3; round++) {
      await host.call("POST", `/v1/requests/${filing.id}/cancel`, {
        headers: from(stranger, filing.token),
        body: {},
      });
      filing = await file(erasureOf(phone), stranger);
      expect(filing.res.status).toBe(201);
      const guess = await verify(filing.id, filing.token, newestCode(phone), stranger);
      expect(guess.status).toBe(429);
    }
    // Resend is refused as well while locked: no new code to guess at.
    const resend = await host.call("POST", `/v1/requests/${filing.id}/verification/resend`, {
      headers: from(stranger, filing.token),
    });
    expect(resend.status).toBe(429);
  });

  it("ten wrong guesses at one code, from any addresses, kill it; the owner's next code works", async () => {
    const phone = numbers();
    const strangers = [addresses(), addresses()];
    const theirs = [];
    for (const a of strangers) theirs.push({ a, ...(await file(erasureOf(phone), a)) });
    const owner = addresses();
    const mine = await file(erasureOf(phone), owner);
    const right = newestCode(phone);
    for (const t of theirs) for (let i = 0; i < 5; i++) await verify(t.id, t.token, wrongOf(right), t.a);
    // The code on the owner's phone died with the tenth wrong guess: it proves nothing any more.
    expect((await verify(mine.id, mine.token, right, owner)).status).toBe(400);
    const resend = await host.call("POST", `/v1/requests/${mine.id}/verification/resend`, {
      headers: from(owner, mine.token),
    });
    expect(resend.status).toBe(200);
    expect((await verify(mine.id, mine.token, newestCode(phone), owner)).status).toBe(200);
  });

  it("one address's wrong guesses do not lock out the owner at another address", async () => {
    const phone = numbers();
    const owner = addresses();
    const mine = await file(erasureOf(phone), owner);
    const stranger = addresses();
    const theirs = await file(erasureOf(phone), stranger);
    const right = newestCode(phone);
    for (let i = 0; i < 5; i++) await verify(theirs.id, theirs.token, wrongOf(right), stranger);
    expect((await verify(theirs.id, theirs.token, right, stranger)).status).toBe(429);
    const ok = await verify(mine.id, mine.token, right, owner);
    expect(ok.status).toBe(200);
  });
});

describe("Idempotency-Key scope", () => {
  it("the same key from the same address for another number is not a replay, and hands out no one's token", async () => {
    const address = addresses();
    const key = "shared-key-1";
    const a = await file(erasureOf(numbers()), address, { "idempotency-key": key });
    const b = await file(erasureOf(numbers()), address, { "idempotency-key": key });
    expect(a.res.status).toBe(201);
    expect(b.res.status).toBe(201);
    expect(b.res.headers.get("idempotent-replayed")).toBeNull();
    expect(b.id).not.toBe(a.id);
    expect(b.token).not.toBe(a.token);
  });

  it("a replay after verification answers the request without its token", async () => {
    const phone = numbers();
    const address = addresses();
    const headers = { "idempotency-key": "replay-after-verify" };
    const first = await file(erasureOf(phone), address, headers);
    const replay = await file(erasureOf(phone), address, headers);
    expect(replay.res.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.token).toBe(first.token);
    expect((await verify(first.id, first.token, newestCode(phone), address)).status).toBe(200);
    const later = await file(erasureOf(phone), address, headers);
    expect(later.res.headers.get("idempotent-replayed")).toBe("true");
    expect(later.token).toBeUndefined();
  });

  it("a client over its rate limit leaves no idempotency record behind", async () => {
    const address = addresses();
    for (let i = 0; i < 20; i++) await file(erasureOf(numbers()), address);
    const phone = numbers();
    const records = () =>
      host.runtime.app.ports.documents
        .collection("service", "requests")
        .count({ where: [{ field: "docType", op: "=", value: "idempotency" }] });
    const before = await records();
    const refused = await file(erasureOf(phone), address, { "idempotency-key": "over-the-limit" });
    expect(refused.res.status).toBe(429);
    expect(await records()).toBe(before);
    await advance("PT61M");
    // Had the key been written before the limit, this would be a 409 or a replay of nothing.
    const ok = await file(erasureOf(phone), address, { "idempotency-key": "over-the-limit" });
    expect(ok.res.status).toBe(201);
    expect(ok.res.headers.get("idempotent-replayed")).toBeNull();
  });
});

describe("the same answer whether or not a request exists", () => {
  it("without a token: 401 for a real id and for a made-up one; with someone else's token: 404 for both", async () => {
    const phone = numbers();
    const real = await file(correctionOf(phone), addresses());
    const other = await file(correctionOf(numbers()), addresses());
    const madeUp = newRequestId("tenant:t-made-up");
    for (const path of ["", "/audit", "/export", "/certificate"]) {
      for (const id of [real.id, madeUp]) {
        const bare = await host.call("GET", `/v1/requests/${id}${path}`);
        expect(bare.status, `${id}${path}`).toBe(401);
        const foreign = await host.call("GET", `/v1/requests/${id}${path}`, {
          headers: from(addresses(), other.token),
        });
        expect(foreign.status, `${id}${path}`).toBe(404);
      }
    }
    const bodies: Record<string, unknown> = { verification: { code: "123456" }, cancel: {} };
    for (const action of ["verification", "verification/resend", "cancel"]) {
      for (const id of [real.id, madeUp]) {
        const res = await host.call("POST", `/v1/requests/${id}/${action}`, { body: bodies[action] });
        expect(res.status, `${id}/${action}`).toBe(401);
      }
    }
  });
});

describe("the same answer whether or not an account exists", () => {
  it("a public account erasure: unknown account, wrong email and the registered email answer alike; only the registered address gets a code", async () => {
    const seeded = (await host.call("POST", "/_dev/seed", { body: { conversations: 1 } })).body as {
      tenantId: string;
    };
    const account = await host.runtime.app.ports.documents
      .collection("platform", "accounts")
      .read<{ id: string; ownerEmail: string }>(seeded.tenantId, seeded.tenantId);
    const registered = account!.doc.ownerEmail;
    const ask = (tenantId: string, email: string) =>
      file({ kind: "erasure", scope: { type: "account", tenantId }, contact: { email } }, addresses());
    const answers = [
      await ask("t-does-not-exist-000", "someone@example.in"),
      await ask(seeded.tenantId, "not-the-owner@example.in"),
      await ask(seeded.tenantId, registered),
    ];
    const shape = (r: (typeof answers)[number]) => ({
      status: r.res.status,
      keys: Object.keys(r.res.body).sort(),
      state: r.res.body.status,
      allowed: r.res.body.allowedActions,
    });
    expect(shape(answers[1]!)).toEqual(shape(answers[0]!));
    expect(shape(answers[2]!)).toEqual(shape(answers[0]!));
    expect(codesSentTo("someone@example.in")).toHaveLength(0);
    expect(codesSentTo("not-the-owner@example.in")).toHaveLength(0);
    expect(codesSentTo(registered)).toHaveLength(1);
    // The same store work in all three (timing cannot tell them apart either); only the registered address
    // gets a message queued.
    const work = async (tenantId: string, email: string) => {
      const counts: Record<string, number> = {};
      // A create and a replace are the same work (one write): which one it is depends on whether the
      // subject was asked for before, not on the account.
      const counting = observedStore(host.runtime.app.ports.documents, ({ collection, method }) => {
        const op = `${collection}.${method === "create" || method === "replace" ? "write" : method}`;
        counts[op] = (counts[op] ?? 0) + 1;
      });
      const restore = patchPort(host, "documents", counting);
      try {
        const res = await ask(tenantId, email);
        expect(res.res.status).toBe(201);
      } finally {
        restore();
      }
      // Audit appends differ by request id only; the counts are what timing would show.
      return counts;
    };
    const unknown = await work("t-does-not-exist-001", "someone-else@example.in");
    const wrong = await work(seeded.tenantId, "not-the-owner-2@example.in");
    const right = await work(seeded.tenantId, registered);
    expect(wrong).toEqual(unknown);
    expect(right).toEqual(unknown);
    // The wrong-email filing cannot be verified with the code the registered address received.
    expect(
      (await verify(answers[1]!.id, answers[1]!.token, newestCode(registered), addresses())).status,
    ).toBe(400);
  });
});
