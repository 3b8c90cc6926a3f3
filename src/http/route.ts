import { randomUUID } from "node:crypto";
import { z } from "zod";
import { DomainError, type FieldError, forbidden } from "../domain/errors";
import type { Caller } from "../app/caller";
import type { Principal, Role } from "./auth";
import { problem, problemFromDomain } from "./problem";
import type { ApiRequest, ApiResponse, Method } from "./types";
import type { Runtime } from "../runtime";

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
}

/** The first address of X-Forwarded-For (set by the Functions front end and by the local host). */
const clientAddress = (req: ApiRequest) =>
  req.headers.get("x-forwarded-for")?.split(",")[0]?.trim() || undefined;

export interface HttpRoute {
  name: string;
  method: Method;
  /** Functions route template, without the `api/` prefix: `v1/requests/{id}`. */
  path: string;
  summary: string;
  access: Access;
  /** Never registered in Azure; the local host only. */
  devOnly?: boolean;
  body?: z.ZodType;
  query?: z.ZodType;
  params?: z.ZodType;
  responses: Record<number, { description: string; schema?: z.ZodType }>;
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

async function readJsonBody(req: ApiRequest, maxBytes: number): Promise<unknown> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw new EnvelopeError(413, `The body is over ${maxBytes} bytes.`);
  const text = await req.text();
  if (Buffer.byteLength(text, "utf8") > maxBytes)
    throw new EnvelopeError(413, `The body is over ${maxBytes} bytes.`);
  const type = req.headers.get("content-type") ?? "";
  if (text.length > 0 && type && !/^application\/([a-z.+-]*\+)?json\b/i.test(type)) {
    throw new EnvelopeError(415, "Send the body as application/json.");
  }
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new DomainError("invalid", "The body is not well-formed JSON.", [
      { field: "body", message: "malformed JSON" },
    ]);
  }
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
  body?: z.ZodType<B>;
  query?: z.ZodType<Q>;
  params?: z.ZodType<P>;
  responses: HttpRoute["responses"];
  handler(input: HandlerInput<B, Q, P>): Promise<ApiResponse>;
}): HttpRoute {
  return {
    name: spec.name,
    method: spec.method,
    path: spec.path,
    summary: spec.summary,
    access: spec.access,
    devOnly: spec.devOnly,
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
        let params = req.params as P;
        if (spec.params) {
          const parsed = spec.params.safeParse(req.params);
          if (!parsed.success)
            throw new DomainError("invalid", "The path is invalid.", issuesToFields("path", parsed.error));
          params = parsed.data;
        }
        let body = undefined as B;
        if (spec.body) {
          const raw = await readJsonBody(req, rt.config.MAX_BODY_BYTES);
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
          clientAddress: clientAddress(req),
        };
        return spec.handler({ rt, req, principal, caller, body, query, params, correlationId });
      });
    },
  };
}

export async function guard(correlationId: string, work: () => Promise<ApiResponse>): Promise<ApiResponse> {
  let res: ApiResponse;
  try {
    res = await work();
  } catch (e) {
    if (e instanceof DomainError) {
      res = problemFromDomain(e);
    } else if (e instanceof EnvelopeError) {
      res = problem(e.status, e.message);
    } else {
      // The only trace of an unexpected failure: its class and the correlation id, never personal data.
      console.error(
        JSON.stringify({
          level: "error",
          correlationId,
          error: e instanceof Error ? e.name : "unknown",
          message: e instanceof Error ? e.message.slice(0, 300) : undefined,
        }),
      );
      res = problem(
        500,
        "Something went wrong on our side. Quote the correlation id if you contact support.",
        { correlationId },
      );
    }
  }
  return { ...res, headers: { ...res.headers, "x-correlation-id": correlationId } };
}

export const newCorrelationId = () => randomUUID();
