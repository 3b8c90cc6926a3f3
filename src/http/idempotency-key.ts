import { z } from "zod";
import { canonicalJson, sha256 } from "../domain/crypto";
import { DomainError } from "../domain/errors";
import type { Caller } from "../app/caller";
import { callerScope, type IdempotencyKey, withIdempotency } from "../app/idempotency";
import { clientRef } from "../app/requests";
import type { Runtime } from "../runtime";
import { invocationLog } from "./invocation-log";
import type { ApiRequest, ApiResponse } from "./types";

/**
 * `Idempotency-Key` (draft-ietf-httpapi-idempotency-key-header-07, "Syntax"): an Item Structured Field
 * whose value is a String (RFC 8941 §3.3.3), e.g. `Idempotency-Key: "8e03978e-40d5-43e8-bc93-6894a57f9324"`.
 * Parameters, which the Item grammar allows, are accepted and ignored (RFC 8941 §4.2: unknown ones are).
 *
 * The bare form (`Idempotency-Key: 8e03978e-…`, without quotes) is accepted too, and names the same key
 * as its quoted form: our clients have sent it since the header was first honoured, most such keys (a
 * UUID starting with a digit) are not even an sf-token, and refusing them would turn their safe retries
 * into failures. It is kept to what cannot be mistaken for anything else: 1–255 visible ASCII characters
 * without a quote, backslash or comma (a comma is what two header fields, which the draft forbids, join
 * into).
 */
const CHAR = String.raw`(?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\])`;
const PARAM = String.raw`;[ ]*[a-z*][a-z0-9_.*-]*(?:=(?:"${CHAR}*"|[A-Za-z*][\x21\x23-\x27\x2a\x2b\x2d-\x3a\x41-\x5a\x5e-\x7a\x7c\x7e]*|-?\d{1,15}(?:\.\d{1,3})?|\?[01]|:[A-Za-z0-9+/=]*:))?`;
const SF_STRING_ITEM = new RegExp(String.raw`^"(${CHAR}{1,255})"(?:${PARAM})*$`);
const BARE = /^[\x21\x23-\x2b\x2d-\x5b\x5d-\x7e]{1,255}$/;

/** The key a header value names, or undefined when it is not a valid Idempotency-Key. */
export function parseIdempotencyKey(header: string): string | undefined {
  // RFC 8941 §4.2: leading and trailing spaces are not part of the value.
  const value = header.replace(/^ +| +$/g, "");
  const quoted = SF_STRING_ITEM.exec(value);
  if (quoted?.[1] !== undefined) return quoted[1].replace(/\\(["\\])/g, "$1");
  return BARE.test(value) ? value : undefined;
}

/**
 * The request's Idempotency-Key and fingerprint: SHA-256 of the canonical JSON (RFC 8785) of its path
 * parameters and its body as validated, so the same request sent again has the same fingerprint however
 * its JSON was spelled. Undefined without the header; 400 for a malformed one, before anything is stored.
 */
export function idempotencyKeyOf(
  req: ApiRequest,
  request: { params: unknown; body: unknown },
): IdempotencyKey | undefined {
  const header = req.headers.get("idempotency-key");
  if (header === null) return undefined;
  const key = parseIdempotencyKey(header);
  if (key === undefined) {
    throw new DomainError("invalid", "The Idempotency-Key header is invalid.", [
      {
        field: "header.idempotency-key",
        message: 'a structured-field string of 1 to 255 printable ASCII characters, e.g. "3f1c…"',
      },
    ]);
  }
  return { key, fingerprint: sha256(canonicalJson({ path: request.params, body: request.body })) };
}

const StoredAnswer = z
  .object({
    status: z.number().int(),
    headers: z.record(z.string(), z.string()),
    jsonBody: z.unknown(),
    body: z.string().optional(),
  })
  .strict();

/**
 * A creating route's answer, given once per Idempotency-Key: the same key and request again get the
 * first answer (status, headers, body) with `Idempotent-Replayed: true`, not a second resource. Keys are
 * the caller's own (src/app/idempotency `callerScope`) and the route's: the same key on another route is
 * another key. The route layer runs every `idempotent: true` route through it (src/http/route.ts); a
 * filing has its own scope and replay rules (src/app/requests/idempotency.ts).
 */
export async function answerOnce(
  rt: Runtime,
  input: { caller: Caller; idempotency?: IdempotencyKey | undefined },
  route: string,
  answer: () => Promise<ApiResponse>,
): Promise<ApiResponse> {
  const who = callerScope(input.caller) ?? `public:${clientRef(rt.app, input.caller)}`;
  const { value, replayed } = await withIdempotency(
    rt.app,
    `${route}:${who}`,
    input.idempotency,
    StoredAnswer,
    async () => {
      const res = await answer();
      return {
        status: res.status,
        headers: res.headers ?? {},
        jsonBody: res.jsonBody,
        ...(typeof res.body === "string" ? { body: res.body } : {}),
      };
    },
    { log: invocationLog() },
  );
  return {
    status: value.status,
    headers: { ...value.headers, ...(replayed ? { "idempotent-replayed": "true" } : {}) },
    ...(value.jsonBody === undefined ? {} : { jsonBody: value.jsonBody }),
    ...(value.body === undefined ? {} : { body: value.body }),
  };
}
