import { request } from "node:http";
import fc from "fast-check";
import { decodeJwt, exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_AUDIENCE, LOCAL_ISSUER } from "../../src/composition";
import { Authenticator } from "../../src/http/auth";
import { patchPort, wrapCollection } from "../support/ports";
import { startTestHost, type TestHost } from "../support/host";

/**
 * The HTTP edge against a hostile caller (DESIGN §9): tokens that never expire, forged client
 * addresses, bodies that never end, responses a browser or proxy may keep or sniff, continuation
 * tokens made up by the caller. Each test plays the attacker through the local host, as `npm start`.
 */

const MAX_BODY = 4096;
const HOUR = 3_600_000;

let host: TestHost;
let officer: string;

beforeAll(async () => {
  // Explicit: one trusted hop (the local host itself, standing in for the platform's front end).
  host = await startTestHost({ MAX_BODY_BYTES: String(MAX_BODY), TRUSTED_PROXY_HOPS: "1" });
  officer = await host.token("privacy_officer");
});

afterAll(async () => {
  await host?.stop();
});

/** Moves the dev clock to the start of the next rate-limit window: a fresh hour for the public budget. */
async function freshRateWindow() {
  const now = host.runtime.app.ports.clock.now().getTime();
  await host.runtime.dev!.advanceClock(new Date((Math.floor(now / HOUR) + 1) * HOUR + 1000));
}

const grievance = (n: number) => ({
  kind: "grievance",
  contact: { email: `hostile-${n}@example.com` },
  details: { summary: `Complaint number ${n}` },
});

describe("tokens without an expiry", () => {
  // A signing key the host trusts for the length of these tests, so the test can sign what the dev
  // minting never would (the local key itself never leaves the composition root).
  let original: Authenticator;
  let sign: (claims: Record<string, unknown>, exp?: number) => Promise<string>;

  beforeAll(async () => {
    const { publicKey, privateKey } = await generateKeyPair("ES256", { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: "hostile-1", alg: "ES256", use: "sig" };
    sign = (claims, exp) => {
      const jwt = new SignJWT(claims)
        .setProtectedHeader({ alg: "ES256", kid: "hostile-1" })
        .setSubject("hostile-subject")
        .setIssuer(LOCAL_ISSUER)
        .setAudience(LOCAL_AUDIENCE)
        .setIssuedAt(1_750_000_000);
      return (exp === undefined ? jwt : jwt.setExpirationTime(exp)).sign(privateKey);
    };
    original = host.runtime.auth;
    host.runtime.auth = new Authenticator({
      issuer: LOCAL_ISSUER,
      audience: LOCAL_AUDIENCE,
      keys: { jwks: { keys: [jwk] } },
    });
  });

  afterAll(() => {
    host.runtime.auth = original;
  });

  it("a token signed with a trusted key but without exp is 401; the same token with exp is 200", async () => {
    const forever = await sign({ role: "privacy_officer" });
    expect(decodeJwt(forever).exp).toBeUndefined();
    const refused = await host.call("GET", "/v1/requests", { token: forever });
    expect(refused.status).toBe(401);
    expect(refused.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    // The control: identical claims with an expiry (1 January 2100) pass.
    const bounded = await sign({ role: "privacy_officer" }, 4_102_444_800);
    expect((await host.call("GET", "/v1/requests", { token: bounded })).status).toBe(200);
  });

  it("a dashboard token without exp is 401 too", async () => {
    const forever = await sign({ role: "owner", tid: "t-hostile" });
    expect((await host.call("GET", "/v1/requests", { token: forever })).status).toBe(401);
  });
});

describe("dev tokens keep their expiry", () => {
  it("every token the local host mints (runtime and POST /_dev/token) carries exp", async () => {
    const minted = await host.token("owner", "t-hostile");
    expect(typeof decodeJwt(minted).exp).toBe("number");
    const viaRoute = await host.call("POST", "/_dev/token", { body: { role: "support" } });
    expect(viaRoute.status).toBe(200);
    expect(typeof decodeJwt(viaRoute.body.token as string).exp).toBe("number");
    // And such a token is accepted: exp being required does not lock the local host out.
    expect((await host.call("GET", "/v1/requests", { token: viaRoute.body.token as string })).status).toBe(
      200,
    );
  });
});

describe("the client address is the platform's, not the client's", () => {
  it("25 public requests, each with another forged X-Forwarded-For, hit the per-client limit at the 21st", async () => {
    await freshRateWindow();
    const statuses: number[] = [];
    for (let i = 1; i <= 25; i++) {
      const res = await host.call("POST", "/v1/requests", {
        body: grievance(i),
        headers: { "x-forwarded-for": `203.0.113.${i}, 198.51.100.${i}` },
      });
      statuses.push(res.status);
      if (res.status === 429) {
        expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
        expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
      }
    }
    expect(statuses.slice(0, 20).every((s) => s === 201)).toBe(true);
    expect(statuses.slice(20)).toEqual([429, 429, 429, 429, 429]);
    // Later tests start with a budget again.
    await freshRateWindow();
  });

  it("an Idempotency-Key is scoped to the real address: a forged header does not open a new scope", async () => {
    const key = "hostile-idem-1";
    const first = await host.call("POST", "/v1/requests", {
      body: grievance(100),
      headers: { "idempotency-key": key, "x-forwarded-for": "203.0.113.200" },
    });
    expect(first.status).toBe(201);
    const again = await host.call("POST", "/v1/requests", {
      body: grievance(100),
      headers: { "idempotency-key": key, "x-forwarded-for": "203.0.113.201" },
    });
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body.id).toBe(first.body.id);
  });
});

describe("the body-size limit holds while a chunked body streams", () => {
  interface Answer {
    status: number;
    contentType: string | undefined;
    problem: unknown;
    /** Bytes the client had written when the answer arrived, and whether it had ended the body. */
    sentAtAnswer: number;
    endedAtAnswer: boolean;
    /** The server closed the connection after answering. */
    closed: Promise<void>;
  }

  /**
   * Sends a JSON body in chunks, slowly, without a content-length, and ends it only after `total`
   * bytes. Resolves with the first answer, whenever it comes.
   */
  function streamSlowly(path: string, chunk: number, every: number, total: number): Promise<Answer> {
    const url = new URL(`${host.url}${path}`);
    return new Promise<Answer>((resolve, reject) => {
      let sent = 0;
      let ended = false;
      let answered = false;
      const req = request({
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        headers: { "content-type": "application/json", "transfer-encoding": "chunked" },
      });
      req.on("response", (res) => {
        answered = true;
        const sentAtAnswer = sent;
        const endedAtAnswer = ended;
        const closed = new Promise<void>((done) => req.socket?.once("close", () => done()));
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (text += c));
        res.on("end", () => {
          let problem: unknown = text;
          try {
            problem = JSON.parse(text);
          } catch {
            // not JSON: keep the text
          }
          resolve({
            status: res.statusCode ?? 0,
            contentType: res.headers["content-type"],
            problem,
            sentAtAnswer,
            endedAtAnswer,
            closed,
          });
        });
      });
      // Writing on after the server closed fails (EPIPE, reset): expected once answered.
      req.on("error", (e) => {
        if (!answered) reject(e);
      });
      const head = '{"kind":"grievance","contact":{"email":"stream@example.com"},"details":{"summary":"';
      req.write(head);
      sent += head.length;
      const pump = () => {
        if (answered) return;
        if (sent >= total) {
          ended = true;
          req.end('"}}');
          return;
        }
        req.write("a".repeat(chunk));
        sent += chunk;
        setTimeout(pump, every);
      };
      setTimeout(pump, every);
    });
  }

  it("a chunked POST that keeps sending gets 413 before it ends its body, and the connection closes", async () => {
    const answer = await streamSlowly("/v1/requests", 512, 10, 256 * 1024);
    expect(answer.status).toBe(413);
    expect(answer.contentType).toMatch(/^application\/problem\+json/);
    expect(answer.endedAtAnswer).toBe(false);
    // Answered soon after the limit, not at the end of what the client meant to send.
    expect(answer.sentAtAnswer).toBeLessThan(MAX_BODY + 16 * 512);
    await answer.closed;
  });

  it("the host still serves after a body was cut off", async () => {
    expect((await host.call("GET", "/health")).status).toBe(200);
  });

  it("a chunked body under the limit is read to its end and handled", async () => {
    const answer = await streamSlowly("/v1/requests", 256, 5, 1024);
    expect(answer.endedAtAnswer).toBe(true);
    expect(answer.status).toBe(201);
  });
});

describe("every response says no-store and nosniff", () => {
  const expectHardened = (res: { status: number; headers: Headers }, cache = "no-store") => {
    expect(res.headers.get("x-content-type-options"), String(res.status)).toBe("nosniff");
    expect(res.headers.get("cache-control"), String(res.status)).toBe(cache);
  };

  it("on successes: health, OpenAPI, a listing, a public create", async () => {
    expectHardened(await host.call("GET", "/health"));
    // The published contract changes only with a deployment: public for 5 minutes.
    expectHardened(await host.call("GET", "/openapi.json"), "public, max-age=300");
    expectHardened(await host.call("GET", "/v1/requests?limit=1", { token: officer }));
    expectHardened(await host.call("POST", "/v1/requests", { body: grievance(200) }));
  });

  it("a route's own Cache-Control stands (the published policy is public for 5 minutes)", async () => {
    const res = await host.call("GET", "/v1/policy");
    expect(res.status).toBe(200);
    expectHardened(res, "public, max-age=300");
  });

  it("on problem answers: 400, 401, 404, 405, 413, 415", async () => {
    const answers = [
      await host.call("POST", "/v1/requests", { body: { kind: "nope" } }),
      await host.call("GET", "/v1/requests"),
      await host.call("GET", "/v1/nothing-here"),
      await host.call("GET", "/elsewhere"),
      await host.call("DELETE", "/v1/requests"),
      await host.call("POST", "/v1/requests", { raw: "x".repeat(MAX_BODY + 1) }),
      await host.call("POST", "/v1/requests", { raw: "{}", headers: { "content-type": "text/plain" } }),
    ];
    expect(answers.map((a) => a.status)).toEqual([400, 401, 404, 404, 405, 413, 415]);
    for (const a of answers) expectHardened(a);
  });

  it("on a CORS preflight", async () => {
    // A preflight is an OPTIONS with Origin and Access-Control-Request-Method (any origin: the answer is 204).
    const res = await fetch(`${host.url}/v1/requests`, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    expect(res.status).toBe(204);
    expectHardened(res);
  });

  it("on a 500", async () => {
    const undo = patchPort(
      host,
      "documents",
      wrapCollection(host.runtime.app.ports.documents, "requests", () => ({
        query: () => Promise.reject(new Error("injected failure")),
      })),
    );
    try {
      const res = await host.call("GET", "/v1/requests", { token: officer });
      expect(res.status).toBe(500);
      expectHardened(res);
    } finally {
      undo();
    }
  });
});

describe("a continuation token the caller made up is 400, never 500", () => {
  let owner: string;

  beforeAll(async () => {
    owner = await host.token("owner", "t-hostile-pages");
    // Three requests the officer can page through (public grievances; the budget is fresh).
    for (let i = 300; i < 303; i++) {
      expect((await host.call("POST", "/v1/requests", { body: grievance(i) })).status).toBe(201);
    }
  });

  const expectTokenProblem = (res: { status: number; headers: Headers; body: unknown }, token: string) => {
    expect(res.status, token).toBe(400);
    expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(res.body, JSON.stringify(res.body)).toMatchObject({
      status: 400,
      errors: expect.arrayContaining([expect.objectContaining({ field: "query.continuationToken" })]),
    });
  };

  const list = (token: string, who: string, limit = 1) =>
    host.call("GET", `/v1/requests?limit=${limit}&continuationToken=${encodeURIComponent(token)}`, {
      token: who,
    });

  it("a valid token still pages: one at a time through every request", async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const res = await host.call(
        "GET",
        `/v1/requests?limit=1${token ? `&continuationToken=${encodeURIComponent(token)}` : ""}`,
        { token: officer },
      );
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(1);
      seen.push(...(res.body.items as { id: string }[]).map((r) => r.id));
      token = res.body.continuationToken as string | undefined;
      pages += 1;
    } while (token && pages < 100);
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it("base64 JSON that is not a token, and other shapes of garbage", async () => {
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64");
    const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
    const tokens = [
      b64({ hello: "world" }),
      b64url({ v: 1, c: 12 }),
      b64([1, 2, 3]),
      b64("just a string"),
      '{"token":"x","range":{"min":"","max":"FF"}}',
      '[{"compositeToken":"garbage","orderByItems":[{"item":1}]}]',
      "null",
      "0",
      "%%%%",
      "a".repeat(4096),
    ];
    for (const token of tokens) {
      expectTokenProblem(await list(token, officer), token);
      expectTokenProblem(await list(token, owner), token);
    }
  });

  it("any string (property)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 200 }), async (token) => {
        const res = await list(token, officer);
        expect(res.status, token).toBe(400);
      }),
      { numRuns: 60, seed: 20_250_101 },
    );
    await fc.assert(
      fc.asyncProperty(fc.base64String({ minLength: 4, maxLength: 200 }), async (token) => {
        expectTokenProblem(await list(token, owner), token);
      }),
      { numRuns: 40, seed: 20_250_102 },
    );
  });

  it("a token continues its own listing only: another page size is fine, another filter is 400", async () => {
    const first = await host.call("GET", "/v1/requests?limit=1", { token: officer });
    const token = first.body.continuationToken as string;
    expect(token).toBeDefined();
    const bigger = await host.call(
      "GET",
      `/v1/requests?limit=2&continuationToken=${encodeURIComponent(token)}`,
      {
        token: officer,
      },
    );
    expect(bigger.status).toBe(200);
    expect(bigger.body.items.length).toBeGreaterThan(0);
    const other = await host.call(
      "GET",
      `/v1/requests?limit=1&kind=erasure&continuationToken=${encodeURIComponent(token)}`,
      { token: officer },
    );
    expectTokenProblem(other, token);
  });

  it("a token whose inside was rewritten reaches Cosmos' own checks and is still never a 500", async () => {
    const first = await host.call("GET", "/v1/requests?limit=1", { token: officer });
    const [version, key] = (first.body.continuationToken as string).split(".");
    for (const inner of ["garbage", '{"token":null}', '[{"compositeToken":1}]', "{"]) {
      const forged = `${version}.${key}.${Buffer.from(inner).toString("base64url")}`;
      const res = await list(forged, officer);
      expect(res.status, inner).toBeLessThan(500);
    }
  });

  it("the backups listing refuses a made-up token the same way", async () => {
    const res = await host.call(
      "GET",
      `/v1/backups?continuationToken=${encodeURIComponent(Buffer.from('{"a":1}').toString("base64"))}`,
      { token: officer },
    );
    expectTokenProblem(res, "backups");
  });
});
