import { errorClass, type Logger, safeId } from "../ports/logger";
import { isIP } from "node:net";
import { z } from "zod";
import { DomainError, type FieldError, forbidden } from "../domain/errors";
import { isWellFormedUnicode } from "../domain/unicode";
import type { Caller } from "../app/caller";
import { InvalidContinuationTokenError } from "../ports/document-store";
import type { Principal, Role } from "./auth";
import { problem, problemFromDomain } from "./problem";
import { observeRateLimits } from "../app/rate-limit";
import { type RateLimitState, rateLimitHeaders } from "./rate-limit-headers";
import type { ApiRequest, ApiResponse, Method } from "./types";
import type { Runtime } from "../runtime";
import type { IdempotencyKey } from "../app/idempotency";
import { answerOnce, idempotencyKeyOf } from "./idempotency-key";
import { invocationLog } from "./invocation-log";
import { newTraceId } from "./trace-context";

/**
 * Who may call a route: anyone, anyone (with the principal if a token is sent), or a token with one of
 * these roles. Finer rules (own tenant, requester) live in the use cases.
 */
export type Access = "public" | "optional" | readonly Role[];

export interface HandlerInput<B, Q, P> {
  rt: Runtime;
  req: ApiRequest;
  principal: Principal | undefined;
  /** The principal, or a public caller with its request token and client address. */
  caller: Caller;
  body: B;
  query: Q;
  params: P;
  correlationId: string;
  /** On an `idempotent` route: the request's Idempotency-Key and fingerprint, when it sent one. */
  idempotency?: IdempotencyKey;
  /** On a `rawBody` route: the body exactly as it came, for a signature over its bytes. */
  rawBody?: string;
}

/**
 * The client's address from X-Forwarded-For: the entry `trustedHops` places from the right. Proxies
 * append, so only the right-most entries were written by the platform's front end (and any trusted
 * proxy before it); everything to their left came from the client and may be forged. The front end
 * writes `ip:port` (`[v6]:port` for IPv6): the port changes per connection and is dropped. Anything
 * that is not an IP address after that gives undefined, never the raw text.
 */
export function clientAddress(header: string | null | undefined, trustedHops: number): string | undefined {
  if (!header || !Number.isInteger(trustedHops) || trustedHops < 1) return undefined;
  const entries = header.split(",");
  const entry = entries[entries.length - trustedHops]?.trim();
  if (!entry) return undefined;
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(entry);
  const ipv4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(entry);
  const address = bracketed?.[1] ?? ipv4WithPort?.[1] ?? entry;
  if (isIP(address) === 0) return undefined;
  // A dual-stack socket reports an IPv4 client as ::ffff:a.b.c.d: one client, one key.
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped?.[1]) return mapped[1];
  return isIP(address) === 6 ? ipv6Prefix64(address) : address;
}

/**
 * One subscriber holds a whole IPv6 /64 and can use any address in it: per-client limits key on the
 * /64 prefix, or a single client would be 2^64 clients.
 */
function ipv6Prefix64(address: string): string {
  const [head = "", tail = ""] = address.toLowerCase().split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = address.includes("::")
    ? [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}

/** The parameter names of a route template: `v1/requests/{id}/audit` → `id` (`{*rest}` → `rest`). */
const templateParams = (path: string) =>
  [...path.matchAll(/\{\*?([A-Za-z_][A-Za-z0-9_]*)(?::[^}]*)?\??\}/g)].map((m) => m[1]!);

/** A response header the OpenAPI document names under `components.headers`. */
export type ResponseHeaderName = "Location" | "Retry-After" | "Idempotent-Replayed";

/** One status a route answers: its JSON schema, or another media type (an HTML page), and headers it sets. */
export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  /** The media type when it is not JSON (`text/html; charset=utf-8`). */
  contentType?: string;
  /** Other media types the same status may answer in, as a text body (a printable HTML version). */
  alsoAs?: readonly string[];
  /** Headers this answer always carries beyond those every answer has. */
  headers?: readonly ResponseHeaderName[];
}

export interface HttpRoute {
  name: string;
  method: Method;
  /** Functions route template, without the `api/` prefix: `v1/requests/{id}`. */
  path: string;
  summary: string;
  access: Access;
  /** Never registered in Azure; the local host only. */
  devOnly?: boolean;
  /** A creating POST: honours `Idempotency-Key` (a retry with the same key and body gets the first answer). */
  idempotent?: boolean;
  body?: z.ZodType;
  query?: z.ZodType;
  params?: z.ZodType;
  /** Consumes a rate limit: answers carry RateLimit and RateLimit-Policy, and 429 is documented. */
  rateLimited?: boolean;
  responses: Record<number, ResponseSpec>;
  handle(req: ApiRequest, rt: Runtime, correlationId: string): Promise<ApiResponse>;
}

const issuesToFields = (prefix: string, error: z.ZodError): FieldError[] =>
  error.issues.map((i) => ({
    field: [prefix, ...i.path.map(String)].filter(Boolean).join(".") || prefix,
    message: i.message,
  }));

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): ApiResponse => ({
  status,
  headers: { "content-type": "application/json", ...headers },
  jsonBody: body,
});

/** A failure of the HTTP envelope itself (size, media type), not of the request's meaning. */
class EnvelopeError extends Error {
  constructor(
    readonly status: 413 | 415,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Reads the body as it arrives and gives up as soon as it passes `maxBytes`: a chunked body has no
 * length to check first, and reading it to its end (as `text()` would) lets a caller hold the
 * connection and our memory for as long as it likes. Cancelling tells the host to stop reading.
 */
async function readBodyText(req: ApiRequest, maxBytes: number): Promise<string> {
  const tooLarge = () => new EnvelopeError(413, `The body is over ${maxBytes} bytes.`);
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw tooLarge();
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Buffer[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const chunk = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    size += chunk.length;
    if (size > maxBytes) {
      // The answer does not wait for the cancellation to settle, nor fail if it does.
      reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size).toString("utf8");
}

async function readJsonBody(req: ApiRequest, maxBytes: number): Promise<{ text: string; value: unknown }> {
  const text = await readBodyText(req, maxBytes);
  const type = req.headers.get("content-type") ?? "";
  if (text.length > 0 && type && !/^application\/([a-z.+-]*\+)?json\b/i.test(type)) {
    throw new EnvelopeError(415, "Send the body as application/json.");
  }
  if (text.trim() === "") return { text, value: undefined };
  let value: unknown;
  let wellFormed = true;
  try {
    // The reviver returns every value as parsed; it only looks at each name and string on the way.
    value = JSON.parse(text, (name, v: unknown) => {
      if (!isWellFormedUnicode(name) || (typeof v === "string" && !isWellFormedUnicode(v)))
        wellFormed = false;
      return v;
    });
  } catch {
    throw new DomainError("invalid", "The body is not well-formed JSON.", [
      { field: "body", message: "malformed JSON" },
    ]);
  }
  // I-JSON (RFC 7493 §2.1): names and strings are valid Unicode. Refused here, on every route, so no such
  // string reaches a use case, a store or a fingerprint (RFC 8785 canonical JSON, src/domain/crypto.ts,
  // rightly throws on one), and the client learns it sent something we cannot keep, not a 500.
  if (!wellFormed) {
    throw new DomainError("invalid", "The body is not valid Unicode.", [
      {
        field: "body",
        message:
          "a name or string holds an unpaired UTF-16 surrogate (\\ud800–\\udfff): I-JSON, RFC 7493 §2.1",
      },
    ]);
  }
  return { text, value };
}

function authorise(access: Access, principal: Principal | undefined): void {
  if (access === "public" || access === "optional") return;
  if (!principal) throw new DomainError("unauthenticated", "This endpoint needs a bearer token.");
  if (!access.includes(principal.role)) throw forbidden();
}

/**
 * Declares a route: validates token, query and body with zod before the handler runs, and turns every
 * failure into problem+json (an unexpected one into a 500 with a correlation id and nothing else).
 */
export function route<B = undefined, Q = Record<string, never>, P = Record<string, string>>(spec: {
  name: string;
  method: Method;
  path: string;
  summary: string;
  access: Access;
  devOnly?: boolean;
  /**
   * A creating POST that honours `Idempotency-Key`. `true`: this layer gives the route's first answer again
   * for the same key and request (src/http/idempotency-key.ts `answerOnce`), so a handler cannot forget to.
   * `"in-handler"`: the use case has replay rules of its own (a filing's requestToken) and takes the key
   * from `input.idempotency`.
   */
  idempotent?: boolean | "in-handler";
  rateLimited?: boolean;
  /**
   * The handler also gets the body's text as it came (`input.rawBody`): for a route authenticated by a
   * signature over the body's bytes (a service partner's confirmation, docs/processors.md).
   */
  rawBody?: true;
  body?: z.ZodType<B>;
  query?: z.ZodType<Q>;
  params?: z.ZodType<P>;
  responses: HttpRoute["responses"];
  handler(input: HandlerInput<B, Q, P>): Promise<ApiResponse>;
}): HttpRoute {
  const declared: HttpRoute = {
    name: spec.name,
    method: spec.method,
    path: spec.path,
    summary: spec.summary,
    access: spec.access,
    devOnly: spec.devOnly,
    idempotent: spec.idempotent !== undefined && spec.idempotent !== false,
    rateLimited: spec.rateLimited,
    body: spec.body,
    query: spec.query,
    params: spec.params,
    responses: spec.responses,
    async handle(req, rt, correlationId) {
      return guard(correlationId, async () => {
        const principal = await rt.auth.fromHeader(req.headers.get("authorization"));
        authorise(spec.access, principal);
        let query = {} as Q;
        if (spec.query) {
          const parsed = spec.query.safeParse(Object.fromEntries(req.query.entries()));
          if (!parsed.success)
            throw new DomainError(
              "invalid",
              "The query string is invalid.",
              issuesToFields("query", parsed.error),
            );
          query = parsed.data;
        }
        // Only the template's own parameters: a host may hand over more in `params` (the Node library
        // does in its streaming mode, with query and body fields), and they are not the path.
        const pathParams = Object.fromEntries(
          templateParams(spec.path).flatMap((name) =>
            req.params[name] === undefined ? [] : [[name, req.params[name]]],
          ),
        );
        let params = pathParams as P;
        if (spec.params) {
          const parsed = spec.params.safeParse(pathParams);
          if (!parsed.success)
            throw new DomainError("invalid", "The path is invalid.", issuesToFields("path", parsed.error));
          params = parsed.data;
        }
        let body = undefined as B;
        let rawBody: string | undefined;
        if (spec.body) {
          const { text, value: raw } = await readJsonBody(req, rt.config.MAX_BODY_BYTES);
          if (spec.rawBody) rawBody = text;
          // An empty body is `undefined`: accepted only where the schema makes the body optional.
          const parsed = spec.body.safeParse(raw);
          if (!parsed.success) {
            if (raw === undefined)
              throw new DomainError("invalid", "A JSON body is required.", [
                { field: "body", message: "required" },
              ]);
            throw new DomainError("invalid", "The body is invalid.", issuesToFields("body", parsed.error));
          }
          body = parsed.data;
        }
        const caller: Caller = principal ?? {
          kind: "public",
          requestToken: req.headers.get("x-request-token") ?? undefined,
          // Worked out when a use case asks (rate limits, idempotency scope); most public routes never do.
          get clientAddress() {
            return clientAddress(req.headers.get("x-forwarded-for"), rt.config.TRUSTED_PROXY_HOPS);
          },
        };
        // Checked before the handler runs: a malformed key is refused with nothing stored.
        const idempotency = spec.idempotent ? idempotencyKeyOf(req, { params, body }) : undefined;
        const input: HandlerInput<B, Q, P> = {
          rt,
          req,
          principal,
          caller,
          body,
          query,
          params,
          correlationId,
          ...(idempotency ? { idempotency } : {}),
          ...(rawBody !== undefined ? { rawBody } : {}),
        };
        return spec.idempotent === true
          ? answerOnce(rt, input, spec.name, () => spec.handler(input))
          : spec.handler(input);
      });
    },
  };
  return {
    ...declared,
    handle: (req, rt, correlationId) => withRateLimitHeaders(() => declared.handle(req, rt, correlationId)),
  };
}

/**
 * Runs an answer and, when it consumed a rate limit on the way to a success (a 429 carries its own),
 * adds RateLimit and RateLimit-Policy for the tightest limit it met.
 */
async function withRateLimitHeaders(answer: () => Promise<ApiResponse>): Promise<ApiResponse> {
  const { result, limits } = await observeRateLimits(answer);
  const tightest = limits.reduce<RateLimitState | undefined>(
    (a, b) => (a && a.remaining <= b.remaining ? a : b),
    undefined,
  );
  return tightest && !result.headers?.ratelimit
    ? { ...result, headers: { ...result.headers, ...rateLimitHeaders(tightest) } }
    : result;
}

/**
 * Runs a request's work and turns whatever it throws into problem+json. An unexpected failure is logged
 * through `log` (else the invocation's logger, src/http/invocation-log.ts; else, on the local host, stderr):
 * its class and the correlation id, never personal data.
 */
export async function guard(
  correlationId: string,
  work: () => Promise<ApiResponse>,
  log: Logger | undefined = invocationLog(),
): Promise<ApiResponse> {
  let res: ApiResponse;
  try {
    res = await work();
  } catch (e) {
    if (e instanceof DomainError) {
      res = problemFromDomain(e);
    } else if (e instanceof EnvelopeError) {
      res = problem(e.status, e.message);
    } else if (e instanceof InvalidContinuationTokenError) {
      // Callers hand continuation tokens back only through a listing's `continuationToken` query
      // parameter; one the store cannot use was made up or altered by the caller: their error, not ours.
      res = problemFromDomain(
        new DomainError("invalid", "The continuation token is not one this listing gave out.", [
          {
            field: "query.continuationToken",
            message: "not a token from this listing: start again without it",
          },
        ]),
      );
    } else {
      // The only trace of an unexpected failure: its class and the correlation id, never personal data.
      // The class only: an error's message may quote what the caller sent (a number, an address).
      if (log) log.error("unexpected_error", { correlationId: safeId(correlationId), error: errorClass(e) });
      else console.error(JSON.stringify({ level: "error", correlationId, error: errorClass(e) }));
      res = problem(
        500,
        "Something went wrong on our side. Quote the correlation id if you contact support.",
        { correlationId },
      );
    }
  }
  return edgeHeaders({ ...res, headers: { ...res.headers, "x-correlation-id": correlationId } });
}

/**
 * What every answer carries, whoever produced it (a route, a problem, the hosts' own 404/405/OPTIONS):
 * `no-store` unless the route chose its own caching (answers hold personal data and tokens, and a shared
 * cache or the browser must not keep them), and `nosniff` (a JSON answer is never run as a script).
 */
export function edgeHeaders(res: ApiResponse): ApiResponse {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(res.headers ?? {})) headers[name.toLowerCase()] = value;
  headers["cache-control"] ??= "no-store";
  headers["x-content-type-options"] = "nosniff";
  return { ...res, headers };
}

/** A new correlation id: a new W3C trace id (src/http/trace-context.ts), for a request that brings none. */
export const newCorrelationId = () => newTraceId();
