import fc from "fast-check";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { queryKey, unwrapToken, wrapToken } from "../../src/adapters/cosmos/continuation";
import { ConfigError, loadConfig } from "../../src/config/load";
import { Authenticator } from "../../src/http/auth";
import { clientAddress, edgeHeaders, guard } from "../../src/http/route";
import { InvalidContinuationTokenError } from "../../src/ports/document-store";

/** The pure parts of the HTTP edge against a hostile caller; the e2e twin is test/e2e/hostile-edge.test.ts. */

describe("clientAddress: the entry the trusted hops added, never one the client wrote", () => {
  it("takes the right-most entry for one hop, whatever the client put before it", () => {
    expect(clientAddress("10.0.0.1", 1)).toBe("10.0.0.1");
    expect(clientAddress("6.6.6.6, 10.0.0.1", 1)).toBe("10.0.0.1");
    expect(clientAddress("1.1.1.1,2.2.2.2,  10.0.0.1 ", 1)).toBe("10.0.0.1");
  });

  it("counts hops from the right", () => {
    expect(clientAddress("6.6.6.6, 203.0.113.7, 10.0.0.1", 2)).toBe("203.0.113.7");
    expect(clientAddress("6.6.6.6, 203.0.113.7, 10.0.0.1", 3)).toBe("6.6.6.6");
    // Fewer entries than trusted hops: nobody trusted wrote the client's address.
    expect(clientAddress("10.0.0.1", 2)).toBeUndefined();
  });

  it("drops the port the front end writes, for IPv4 and bracketed IPv6", () => {
    expect(clientAddress("6.6.6.6, 203.0.113.7:51234", 1)).toBe("203.0.113.7");
    expect(clientAddress("[::1]:123", 1)).toBe("0:0:0:0::/64");
    expect(clientAddress("[2001:DB8::1]:443", 1)).toBe("2001:db8:0:0::/64");
    expect(clientAddress("[2001:db8::2]", 1)).toBe("2001:db8:0:0::/64");
    expect(clientAddress("2001:db8::3", 1)).toBe("2001:db8:0:0::/64");
    expect(clientAddress("::ffff:192.0.2.1", 1)).toBe("192.0.2.1");
  });

  it("an IPv6 client is its /64: every address a subscriber holds is one client", () => {
    const one = clientAddress("[2001:db8:1:2::1]:50000", 1);
    expect(one).toBe("2001:db8:1:2::/64");
    expect(clientAddress("[2001:db8:1:2:ffff:ffff:ffff:ffff]:50001", 1)).toBe(one);
    expect(clientAddress("2001:0db8:0001:0002:0:0:0:9", 1)).toBe(one);
    expect(clientAddress("2001:db8:1:3::1", 1)).not.toBe(one);
  });

  it("an empty, missing or garbage entry is undefined, never the raw text", () => {
    for (const header of [
      null,
      undefined,
      "",
      " ",
      ",",
      "10.0.0.1,",
      "unknown",
      "_hidden",
      "evil.example",
      "300.1.1.1",
      "1.2.3.4:",
      "1.2.3.4:99999999",
      "[::1",
      "[not-an-ip]:80",
      "<script>",
      "10.0.0.1 10.0.0.2",
    ]) {
      expect(clientAddress(header, 1), String(header)).toBeUndefined();
    }
    expect(clientAddress("10.0.0.1", 0)).toBeUndefined();
  });

  it("whatever the client writes before the trusted entry, the answer is that entry (property)", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 200 }),
        fc.ipV4(),
        fc.integer({ min: 1, max: 65535 }),
        (forged, ip, port) => {
          expect(clientAddress(`${forged}, ${ip}:${port}`, 1)).toBe(ip);
          expect(clientAddress(`${forged},${ip}`, 1)).toBe(ip);
        },
      ),
      { seed: 20_250_201 },
    );
  });
});

describe("TRUSTED_PROXY_HOPS", () => {
  const env = { DPDP_PROFILE: "local" };
  it("defaults to one hop and takes an integer of at least 1", () => {
    expect(loadConfig(env).TRUSTED_PROXY_HOPS).toBe(1);
    expect(loadConfig({ ...env, TRUSTED_PROXY_HOPS: "2" }).TRUSTED_PROXY_HOPS).toBe(2);
    for (const bad of ["0", "-1", "1.5", "many"]) {
      expect(() => loadConfig({ ...env, TRUSTED_PROXY_HOPS: bad }), bad).toThrow(ConfigError);
    }
  });
});

describe("Authenticator: a token must expire", () => {
  const ISSUER = "unit-issuer";
  const AUDIENCE = "unit-audience";

  async function setup() {
    const { publicKey, privateKey } = await generateKeyPair("ES256", { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: "unit-1", alg: "ES256", use: "sig" };
    const auth = new Authenticator({ issuer: ISSUER, audience: AUDIENCE, keys: { jwks: { keys: [jwk] } } });
    const sign = (exp?: number) => {
      const jwt = new SignJWT({ role: "support" })
        .setProtectedHeader({ alg: "ES256", kid: "unit-1" })
        .setSubject("unit")
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt(1_750_000_000);
      return (exp === undefined ? jwt : jwt.setExpirationTime(exp)).sign(privateKey);
    };
    return { auth, sign };
  }

  it("refuses a well-signed token without exp, accepts it with one", async () => {
    const { auth, sign } = await setup();
    await expect(auth.verify(await sign())).rejects.toMatchObject({ kind: "unauthenticated" });
    await expect(auth.verify(await sign(4_102_444_800))).resolves.toMatchObject({ kind: "staff" });
  });
});

describe("continuation tokens: Cosmos' own, bound to their query", () => {
  const key = queryKey('SELECT * FROM c WHERE c["kind"] = @p0', "tenant:t-1");

  it("round-trips what Cosmos gave", () => {
    const inner = '{"token":"+RID:~abc==#RT:1#TRC:1","range":{"min":"","max":"FF"}}';
    expect(unwrapToken(wrapToken(inner, key), key)).toBe(inner);
  });

  it("is refused for another query or partition", () => {
    const token = wrapToken("cosmos-token", key);
    expect(() => unwrapToken(token, queryKey('SELECT * FROM c WHERE c["kind"] = @p0', "tenant:t-2"))).toThrow(
      InvalidContinuationTokenError,
    );
    expect(() => unwrapToken(token, queryKey("SELECT * FROM c", "tenant:t-1"))).toThrow(
      InvalidContinuationTokenError,
    );
  });

  it("ignores parameter values and page size: only the text and partition name the query", () => {
    expect(queryKey("SELECT * FROM c", undefined)).toBe(queryKey("SELECT * FROM c", undefined));
    expect(queryKey("SELECT * FROM c", undefined)).not.toBe(queryKey("SELECT * FROM c", "tenant:t-1"));
  });

  it("refuses garbage, base64 JSON and altered encodings", () => {
    const good = wrapToken("cosmos-token", key);
    const bad = [
      "",
      "c1",
      `c1.${key}.`,
      `c1.${key}`,
      `c2.${key}.${good.split(".")[2]}`,
      `${good}=`,
      `${good}.x`,
      Buffer.from('{"hello":"world"}').toString("base64"),
      // Not the canonical base64url of valid UTF-8.
      `c1.${key}.${Buffer.from([0xff, 0xfe, 0xfd]).toString("base64url")}`,
    ];
    for (const token of bad)
      expect(() => unwrapToken(token, key), token).toThrow(InvalidContinuationTokenError);
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (token) => {
        expect(() => unwrapToken(token, key)).toThrow(InvalidContinuationTokenError);
      }),
      { seed: 20_250_202 },
    );
  });
});

describe("edge headers", () => {
  it("no-store and nosniff unless the route chose its own caching", () => {
    expect(edgeHeaders({ status: 200 }).headers).toEqual({
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    });
    expect(edgeHeaders({ status: 200, headers: { "Cache-Control": "public, max-age=300" } }).headers).toEqual(
      {
        "cache-control": "public, max-age=300",
        "x-content-type-options": "nosniff",
      },
    );
  });

  it("guard adds them to every answer, a made-up continuation token being a 400 naming the field", async () => {
    const res = await guard("c-1", () => Promise.reject(new InvalidContinuationTokenError()));
    expect(res.status).toBe(400);
    expect(res.headers).toMatchObject({
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      "x-correlation-id": "c-1",
    });
    expect(JSON.parse(res.body ?? "{}")).toMatchObject({
      errors: [{ field: "query.continuationToken" }],
    });
  });
});
