import { CosmosClient } from "@azure/cosmos";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { EMULATOR_COSMOS_KEY, LOCAL_AUDIENCE, LOCAL_ISSUER } from "../../src/composition";
import { Authenticator } from "../../src/http/auth";
import { openApiDocument } from "../../src/http/openapi";
import { allRoutes } from "../../src/http/routes";
import { checkedFetch } from "../support/contract";
import { startTestHost, type TestHost } from "../support/host";

/**
 * The HTTP contract every endpoint shares (auth, routing, body envelope, errors, OpenAPI, CORS), through
 * the in-process local host on the shared emulators, exactly as `npm start` serves it.
 */

const MAX_BODY = 2048;
const DASHBOARD = "https://app.callmissed.com";
const INVENTORY = "/v1/subjects/inventory?tenantId=t-contract";

type Res = Awaited<ReturnType<TestHost["call"]>>;

let host: TestHost;
let officer: string;

beforeAll(async () => {
  host = await startTestHost({
    MAX_BODY_BYTES: String(MAX_BODY),
    DASHBOARD_ORIGINS: `${DASHBOARD}, http://localhost:5173`,
  });
  officer = await host.token("privacy_officer");
});

afterAll(async () => {
  await host?.stop();
});

/** Every error: problem+json with its status and a title, and the correlation id in a header. */
function expectProblem(res: Res, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, title: expect.any(String), type: expect.any(String) });
  expect(res.body.title.length).toBeGreaterThan(0);
  // A W3C trace id: 32 lowercase hex digits.
  expect(res.headers.get("x-correlation-id")).toMatch(/^[0-9a-f]{32}$/);
  // Nothing internal leaks into an error.
  expect(JSON.stringify(res.body)).not.toMatch(/\bat \S+ \(|node_modules|src\/|Error:/);
}

/** Signs tokens with a key of the test's own, for claims the dev minter never produces. */
async function ownSigner() {
  const { publicKey, privateKey } = await generateKeyPair("ES256", { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: "local-1", alg: "ES256", use: "sig" };
  const sign = (
    claims: Record<string, unknown>,
    opts: { issuer?: string; audience?: string; expiresIn?: number; alg?: string } = {},
  ) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT(claims)
      .setProtectedHeader({ alg: opts.alg ?? "ES256", kid: "local-1" })
      .setSubject("test-subject")
      .setIssuer(opts.issuer ?? LOCAL_ISSUER)
      .setAudience(opts.audience ?? LOCAL_AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(now + (opts.expiresIn ?? 3600))
      .sign(privateKey);
  };
  return { jwk, sign };
}

describe("401: who is calling is not established", () => {
  it("no token", async () => {
    const res = await host.call("GET", INVENTORY);
    expectProblem(res, 401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer /);
  });

  it("a header that is not 'Bearer <token>'", async () => {
    for (const authorization of ["Basic dXNlcjpwYXNz", "Bearer", "Bearer a b", `bearer-${officer}`]) {
      const res = await host.call("GET", INVENTORY, { headers: { authorization } });
      expectProblem(res, 401);
    }
  });

  it("a token that is not a JWT, or is signed by another key", async () => {
    expectProblem(await host.call("GET", INVENTORY, { token: "abc.def.ghi" }), 401);
    const { sign } = await ownSigner();
    expectProblem(await host.call("GET", INVENTORY, { token: await sign({ role: "privacy_officer" }) }), 401);
  });

  it("a genuine token whose payload was altered (owner made privacy officer)", async () => {
    const owner = await host.token("owner", "t-contract");
    const [header, payload, signature] = owner.split(".");
    const claims = JSON.parse(Buffer.from(payload!, "base64url").toString()) as Record<string, unknown>;
    const forged = Buffer.from(
      JSON.stringify({ ...claims, role: "privacy_officer", tid: undefined }),
    ).toString("base64url");
    const res = await host.call("GET", INVENTORY, { token: `${header}.${forged}.${signature}` });
    expectProblem(res, 401);
  });

  it("an expired token", async () => {
    const token = await host.token("privacy_officer");
    expect((await host.call("GET", INVENTORY, { token })).status).toBe(200);
    // Tokens from the dev minter live 12 hours: look at this one 13 hours later.
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(Date.now() + 13 * 3600_000);
      const res = await host.call("GET", INVENTORY, { token });
      expectProblem(res, 401);
      expect(res.body.detail).toMatch(/invalid or expired/);
    } finally {
      vi.useRealTimers();
    }
  });

  describe("claims checked with a key the host trusts", () => {
    // The host's key is private to it: trust a test key instead, with the host's issuer and audience.
    let sign: Awaited<ReturnType<typeof ownSigner>>["sign"];
    let original: Authenticator;
    beforeAll(async () => {
      const signer = await ownSigner();
      sign = signer.sign;
      original = host.runtime.auth;
      host.runtime.auth = new Authenticator({
        issuer: LOCAL_ISSUER,
        audience: LOCAL_AUDIENCE,
        keys: { jwks: { keys: [signer.jwk] } },
      });
    });
    afterAll(() => {
      host.runtime.auth = original;
    });

    it("a well-formed token is accepted (the baseline for the cases below)", async () => {
      expect(
        (await host.call("GET", INVENTORY, { token: await sign({ role: "privacy_officer" }) })).status,
      ).toBe(200);
    });

    it("wrong issuer", async () => {
      const token = await sign({ role: "privacy_officer" }, { issuer: "https://evil.example/" });
      expectProblem(await host.call("GET", INVENTORY, { token }), 401);
    });

    it("wrong audience", async () => {
      const token = await sign({ role: "privacy_officer" }, { audience: "another-api" });
      expectProblem(await host.call("GET", INVENTORY, { token }), 401);
    });

    it("expired", async () => {
      const token = await sign({ role: "privacy_officer" }, { expiresIn: -60 });
      expectProblem(await host.call("GET", INVENTORY, { token }), 401);
    });

    it("an unsigned token (alg none)", async () => {
      const now = Math.floor(Date.now() / 1000);
      const part = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
      const token = `${part({ alg: "none", typ: "JWT" })}.${part({
        sub: "x",
        role: "privacy_officer",
        iss: LOCAL_ISSUER,
        aud: LOCAL_AUDIENCE,
        exp: now + 600,
      })}.`;
      expectProblem(
        await host.call("GET", INVENTORY, { headers: { authorization: `Bearer ${token}` } }),
        401,
      );
    });

    it("no known role, or a dashboard role without a tenant", async () => {
      for (const claims of [{}, { role: "root" }, { role: "owner" }, { role: "member", tid: "" }]) {
        const res = await host.call("GET", INVENTORY, { token: await sign(claims) });
        expectProblem(res, 401);
      }
    });
  });
});

describe("403: a valid token without the right", () => {
  it("dashboard roles and support may not read a subject's inventory", async () => {
    for (const token of [
      await host.token("owner", "t-contract"),
      await host.token("admin", "t-contract"),
      await host.token("member", "t-contract"),
      await host.token("support"),
    ]) {
      const res = await host.call("GET", INVENTORY, { token });
      expectProblem(res, 403);
    }
    expect((await host.call("GET", INVENTORY, { token: officer })).status).toBe(200);
  });
});

describe("routing", () => {
  it("404 for an unknown route, inside and outside /api", async () => {
    expectProblem(await host.call("GET", "/v1/nothing-here"), 404);
    expectProblem(await host.call("DELETE", "/v2/requests"), 404);
    const outside = await fetch(host.url.replace(/\/api$/, "/favicon.ico"));
    expect(outside.status).toBe(404);
    expect(outside.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(outside.headers.get("x-correlation-id")).toMatch(/\S/);
  });

  it("405 for a known path with the wrong method, naming the allowed ones", async () => {
    const res = await host.call("POST", "/health");
    expectProblem(res, 405);
    expect(res.headers.get("allow")).toBe("GET");
    const dev = await host.call("GET", "/_dev/token");
    expectProblem(dev, 405);
    expect(dev.headers.get("allow")).toBe("POST");
  });

  it("each response has its own correlation id", async () => {
    const a = await host.call("GET", "/nope");
    const b = await host.call("GET", "/nope");
    expect(a.headers.get("x-correlation-id")).not.toBe(b.headers.get("x-correlation-id"));
    const ok = await host.call("GET", "/health");
    expect(ok.headers.get("x-correlation-id")).toMatch(/^[0-9a-f]{32}$/);
  });

  it("the correlation id is the trace id of a valid incoming traceparent; an invalid one starts a new trace", async () => {
    const trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    const traced = await host.call("GET", "/health", {
      headers: { traceparent: `00-${trace}-00f067aa0ba902b7-01` },
    });
    expect(traced.headers.get("x-correlation-id")).toBe(trace);
    const failed = await host.call("GET", INVENTORY, {
      headers: { traceparent: `00-${trace}-00f067aa0ba902b7-01` },
    });
    expectProblem(failed, 401);
    expect(failed.headers.get("x-correlation-id")).toBe(trace);
    for (const invalid of [
      `00-${trace.toUpperCase()}-00f067aa0ba902b7-01`,
      `00-${"0".repeat(32)}-00f067aa0ba902b7-01`,
      `ff-${trace}-00f067aa0ba902b7-01`,
    ]) {
      const res = await host.call("GET", "/health", { headers: { traceparent: invalid } });
      expect(res.headers.get("x-correlation-id"), invalid).toMatch(/^[0-9a-f]{32}$/);
      expect(res.headers.get("x-correlation-id"), invalid).not.toBe(trace);
    }
  });
});

describe("request body envelope", () => {
  it("400 for malformed JSON, naming the body", async () => {
    const res = await host.call("POST", "/_dev/token", {
      raw: '{"role": "support",',
      headers: { "content-type": "application/json" },
    });
    expectProblem(res, 400);
    expect(res.body.errors).toEqual([{ field: "body", message: "malformed JSON" }]);
  });

  it("400 for a missing body where one is required", async () => {
    expectProblem(await host.call("POST", "/_dev/token"), 400);
  });

  it("400 for an unknown field in the body, and in the query string", async () => {
    const res = await host.call("POST", "/_dev/token", { body: { role: "support", isAdmin: true } });
    expectProblem(res, 400);
    expect(JSON.stringify(res.body.errors)).toContain("isAdmin");
    expect(res.body.errors[0].field).toMatch(/^body/);
    const q = await host.call("GET", `${INVENTORY}&debug=1`, { token: officer });
    expectProblem(q, 400);
    expect(q.body.errors[0].field).toMatch(/^query/);
    expect(JSON.stringify(q.body.errors)).toContain("debug");
  });

  it("400 for a wrong value names the field", async () => {
    const res = await host.call("POST", "/_dev/token", { body: { role: "superuser" } });
    expectProblem(res, 400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain("body.role");
  });

  it("413 for a body over MAX_BODY_BYTES, declared or streamed, even a very large one", async () => {
    const big = { role: "support", subject: "x".repeat(MAX_BODY) };
    const res = await host.call("POST", "/_dev/token", { body: big });
    expectProblem(res, 413);
    // Chunked (no Content-Length): the limit is enforced on what arrives.
    const chunks = [
      Buffer.from('{"role":"support","subject":"'),
      Buffer.alloc(MAX_BODY, "y"),
      Buffer.from('"}'),
    ];
    const streamed = await checkedFetch(`${host.url}/_dev/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: new ReadableStream({
        start(controller) {
          for (const c of chunks) controller.enqueue(c);
          controller.close();
        },
      }),
      duplex: "half",
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(streamed.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    // A body of several megabytes is refused the same way, without a reset connection.
    const huge = await host.call("POST", "/_dev/token", {
      raw: JSON.stringify({ role: "support", subject: "z".repeat(4 * 1024 * 1024) }),
      headers: { "content-type": "application/json" },
    });
    expectProblem(huge, 413);
  });

  it("a body just under the limit is read (and then judged on its content)", async () => {
    const res = await host.call("POST", "/_dev/token", {
      body: { role: "support", subject: "s".repeat(MAX_BODY - 100) },
    });
    // Not 413: the envelope is fine; the subject is too long for the schema.
    expectProblem(res, 400);
  });

  it("415 for a body that is not JSON", async () => {
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "application/xml"]) {
      const res = await host.call("POST", "/_dev/token", {
        raw: '{"role":"support"}',
        headers: { "content-type": type },
      });
      expectProblem(res, 415);
    }
    // JSON media types with parameters or a +json suffix are JSON.
    for (const type of ["application/json; charset=utf-8", "application/merge-patch+json"]) {
      const res = await host.call("POST", "/_dev/token", {
        raw: '{"role":"support"}',
        headers: { "content-type": type },
      });
      expect(res.status).toBe(200);
    }
  });
});

describe("500: an unexpected failure", () => {
  it("answers problem+json with the correlation id and no internal detail", async () => {
    const broken = await startTestHost();
    try {
      // Take the platform database away under the running host.
      const client = new CosmosClient({
        endpoint: inject("cosmosEndpoint"),
        key: EMULATOR_COSMOS_KEY,
        connectionPolicy: { enableEndpointDiscovery: false },
      });
      const config = broken.runtime.config;
      await client.database(config.COSMOS_PLATFORM_DATABASE).delete();
      // The runtime's logger writes its JSON lines to stdout; stderr is guard's fallback without one.
      const lines = vi.spyOn(console, "log").mockImplementation(() => {});
      const errors = vi.spyOn(console, "error").mockImplementation(() => {});
      try {
        const res = await broken.call("GET", INVENTORY, { token: await broken.token("privacy_officer") });
        expectProblem(res, 500);
        expect(res.body.correlationId).toBe(res.headers.get("x-correlation-id"));
        expect(JSON.stringify(res.body)).not.toMatch(/cosmos|platform|NotFound|resource/i);
        // The log line carries the correlation id (and only the error's class and message).
        const logged = [...lines.mock.calls, ...errors.mock.calls].map((c) => String(c[0]));
        expect(logged.filter((l) => l.includes('"unexpected_error"')).join("\n")).toContain(
          res.body.correlationId,
        );
      } finally {
        lines.mockRestore();
        errors.mockRestore();
      }
      client.dispose();
    } finally {
      await broken.stop();
    }
  });
});

describe("OpenAPI", () => {
  let doc: Record<string, unknown> & {
    paths: Record<string, Record<string, Record<string, unknown>>>;
    components: { securitySchemes: Record<string, unknown> };
  };

  beforeAll(async () => {
    const res = await host.call("GET", "/openapi.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    doc = res.body;
  });

  it("is an OpenAPI 3.1 document", () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(doc.components.securitySchemes.bearer).toEqual({
      type: "http",
      scheme: "bearer",
      bearerFormat: "JWT",
    });
    const methods = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace"]);
    const operationIds = new Set<string>();
    for (const [path, item] of Object.entries(doc.paths)) {
      expect(path.startsWith("/")).toBe(true);
      const templateParams = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries(item)) {
        expect(methods.has(method), `${method} ${path}`).toBe(true);
        expect(typeof op.operationId).toBe("string");
        expect(operationIds.has(op.operationId as string), `duplicate ${String(op.operationId)}`).toBe(false);
        operationIds.add(op.operationId as string);
        // Responses: at least one, keyed by status code (or default), each with a description.
        // A response may be a reference to a shared one (components.responses).
        type Response = { description?: unknown; content?: object; $ref?: string };
        const shared = (doc.components as { responses?: Record<string, Response> }).responses ?? {};
        const resolve = (r: Response): Response =>
          r.$ref ? { ...shared[r.$ref.replace("#/components/responses/", "")], ...r } : r;
        const responses = op.responses as Record<string, Response>;
        expect(Object.keys(responses).length).toBeGreaterThan(0);
        for (const [code, response] of Object.entries(responses)) {
          expect(code).toMatch(/^([1-5](\d\d|XX)|default)$/);
          expect(typeof resolve(response).description).toBe("string");
        }
        expect(Object.keys(resolve(responses.default ?? {}).content ?? {})).toEqual([
          "application/problem+json",
        ]);
        // Parameters: valid locations; every path template variable declared, required.
        type Param = { name: string; in: string; required?: boolean; $ref?: string };
        const sharedParams = (doc.components as { parameters?: Record<string, Param> }).parameters ?? {};
        const params = ((op.parameters ?? []) as Param[]).map((p) =>
          p.$ref ? sharedParams[p.$ref.replace("#/components/parameters/", "")]! : p,
        );
        for (const p of params) expect(["path", "query", "header", "cookie"]).toContain(p.in);
        const pathParams = params.filter((p) => p.in === "path");
        expect(pathParams.map((p) => p.name).sort()).toEqual([...templateParams].sort());
        for (const p of pathParams) expect(p.required).toBe(true);
        // Security: public operations opt out; the others name known schemes (or inherit the default).
        for (const requirement of (op.security ?? []) as Record<string, unknown>[]) {
          for (const scheme of Object.keys(requirement))
            expect(doc.components.securitySchemes).toHaveProperty(scheme);
        }
      }
    }
    // Every $ref resolves inside the document.
    const text = JSON.stringify(doc);
    for (const [, ref] of text.matchAll(/"\$ref":"(#[^"]*)"/g)) {
      const target = ref!
        .slice(2)
        .split("/")
        .filter(Boolean)
        .reduce<unknown>(
          (o, k) => (o as Record<string, unknown> | undefined)?.[k.replace(/~1/g, "/").replace(/~0/g, "~")],
          doc,
        );
      expect(target, ref).toBeDefined();
    }
  });

  it("lists every route that Azure registers, with its method", () => {
    const azureRoutes = allRoutes(false);
    expect(azureRoutes.length).toBeGreaterThan(0);
    for (const r of azureRoutes) {
      const path = `/api/${r.path}`.replace(/\{\*?([A-Za-z_][A-Za-z0-9_]*)\}/g, "{$1}");
      const op = doc.paths[path]?.[r.method.toLowerCase()];
      expect(op, `${r.method} ${path}`).toBeDefined();
      expect(op?.operationId).toBe(r.name);
      // Optional: anonymous, or with a bearer token (the empty requirement is "none").
      if (r.access === "public") expect(op?.security).toEqual([]);
      else if (r.access === "optional") expect(op?.security).toEqual([{}, { bearer: [] }]);
      else expect(op?.["x-roles"]).toEqual(r.access);
      if (r.body)
        expect(op?.requestBody).toMatchObject({ required: true, content: { "application/json": {} } });
    }
    expect(doc.paths["/api/health"]?.get).toBeDefined();
    expect(doc.paths["/api/v1/subjects/inventory"]?.get?.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: "tenantId", in: "query" })]),
    );
    // A WhatsApp number is a body field of the POST forms, never a parameter (DESIGN §9).
    const bodyFields = (op: Record<string, unknown> | undefined) =>
      Object.keys(
        (op?.requestBody as { content: { "application/json": { schema: { properties: object } } } }).content[
          "application/json"
        ].schema.properties,
      );
    expect(bodyFields(doc.paths["/api/v1/subjects/inventory"]?.post)).toContain("whatsapp");
    expect(bodyFields(doc.paths["/api/v1/consents/check"]?.post)).toEqual(
      expect.arrayContaining(["subject", "purpose"]),
    );
    const operations = JSON.stringify(Object.values(doc.paths).flatMap((item) => Object.values(item)));
    expect(operations).not.toMatch(/"name":"(whatsapp|phone|email|to)"/);
  });

  it("the Azure document leaves the dev routes out; the local one lists them too", () => {
    const azure = openApiDocument(allRoutes(false), "1.0.0") as { paths: Record<string, unknown> };
    expect(Object.keys(azure.paths).filter((p) => p.includes("_dev"))).toEqual([]);
    expect(Object.keys(azure.paths).sort()).toEqual(
      Object.keys(doc.paths)
        .filter((p) => !p.includes("_dev"))
        .sort(),
    );
    for (const r of allRoutes(true).filter((x) => x.devOnly)) {
      expect(r.path.startsWith("_dev/")).toBe(true);
      expect(doc.paths[`/api/${r.path}`]?.[r.method.toLowerCase()]).toBeDefined();
    }
  });
});

describe("CORS", () => {
  it("echoes an allowed origin, on success and on errors", async () => {
    const ok = await host.call("GET", "/health", { headers: { origin: DASHBOARD } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("access-control-allow-origin")).toBe(DASHBOARD);
    expect(ok.headers.get("vary")).toMatch(/Origin/);
    expect(ok.headers.get("access-control-expose-headers")).toMatch(/x-correlation-id/);
    expect(ok.headers.get("access-control-allow-credentials")).toBeNull();
    const err = await host.call("GET", INVENTORY, { headers: { origin: "http://localhost:5173" } });
    expect(err.status).toBe(401);
    expect(err.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
  });

  /** What a browser lets the page read: the CORS-safelisted response headers and the exposed ones. */
  const readable = (res: Res) => {
    const exposed = (res.headers.get("access-control-expose-headers") ?? "")
      .split(",")
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean);
    return (name: string) => exposed.includes(name.toLowerCase());
  };

  it("lets a listed origin read each header the dashboard needs, on the answers that carry them", async () => {
    // Location and Idempotent-Replayed: a public request created, then replayed with its key.
    const key = "cors-replay-1";
    const create = () =>
      host.call("POST", "/v1/requests", {
        body: { kind: "erasure", scope: { type: "whatsapp_number", phone: "+919845012345" } },
        headers: { origin: DASHBOARD, "idempotency-key": key, "x-forwarded-for": "10.40.0.1" },
      });
    const created = await create();
    expect(created.status).toBe(201);
    expect(created.headers.get("access-control-allow-origin")).toBe(DASHBOARD);
    expect(created.headers.get("location")).toMatch(/^\/api\/v1\/requests\//);
    const replayed = await create();
    expect(replayed.headers.get("idempotent-replayed")).toBe("true");
    for (const res of [created, replayed]) {
      const canRead = readable(res);
      for (const name of [
        "Location",
        "X-Correlation-Id",
        "Retry-After",
        "Idempotent-Replayed",
        "RateLimit",
        "RateLimit-Policy",
      ])
        expect(canRead(name), name).toBe(true);
    }
    expect(replayed.headers.get("access-control-allow-origin")).toBe(DASHBOARD);

    // Retry-After: resending the code is limited (3 an hour); the fourth is a 429 that says when to retry.
    const token = created.body.requestToken as string;
    let limited: Res | undefined;
    for (let i = 0; i < 4 && !limited; i++) {
      const res = await host.call("POST", `/v1/requests/${created.body.id}/verification/resend`, {
        headers: { origin: DASHBOARD, "x-request-token": token },
      });
      if (res.status === 429) limited = res;
    }
    expect(limited?.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(limited?.headers.get("access-control-allow-origin")).toBe(DASHBOARD);
    expect(readable(limited!)("Retry-After")).toBe(true);
    expect(readable(limited!)("X-Correlation-Id")).toBe(true);
  });

  it("an unlisted origin gets no CORS header at all, on answers and errors", async () => {
    for (const res of [
      await host.call("GET", "/health", { headers: { origin: "https://evil.example" } }),
      await host.call("GET", INVENTORY, { headers: { origin: "https://evil.example" } }),
    ]) {
      expect([...res.headers.keys()].filter((h) => h.startsWith("access-control-"))).toEqual([]);
      expect(res.headers.get("x-correlation-id")).toMatch(/^[0-9a-f]{32}$/);
    }
  });

  it("gives any other origin no allow header (never a wildcard)", async () => {
    for (const origin of [
      "https://evil.example",
      "https://app.callmissed.com.evil.example",
      "null",
      "http://app.callmissed.com",
    ]) {
      const res = await host.call("GET", "/health", { headers: { origin } });
      expect(res.status).toBe(200);
      expect(res.headers.get("access-control-allow-origin")).toBeNull();
    }
    const none = await host.call("GET", "/health");
    expect(none.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("answers a preflight for an allowed origin only", async () => {
    const preflight = (origin: string) =>
      fetch(`${host.url}/v1/subjects/inventory`, {
        method: "OPTIONS",
        headers: {
          origin,
          "access-control-request-method": "GET",
          "access-control-request-headers": "authorization",
        },
      });
    const ok = await preflight(DASHBOARD);
    expect(ok.status).toBe(204);
    expect(ok.headers.get("access-control-allow-origin")).toBe(DASHBOARD);
    expect(ok.headers.get("access-control-allow-methods")).toMatch(/GET/);
    expect(ok.headers.get("access-control-allow-headers")).toMatch(/authorization/);
    expect(ok.headers.get("access-control-allow-headers")).toMatch(/idempotency-key/);
    expect(ok.headers.get("access-control-allow-headers")).toMatch(/traceparent/);
    expect(ok.headers.get("access-control-max-age")).toBe("600");
    const refused = await preflight("https://evil.example");
    expect(refused.status).toBe(204);
    expect([...refused.headers.keys()].filter((h) => h.startsWith("access-control-"))).toEqual([]);
  });
});
