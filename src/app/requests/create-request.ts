import { randomBytes } from "node:crypto";
import { newRequestId } from "../../domain/requests/request-id";
import { constantTimeEqual, seal, sha256 } from "../../domain/crypto";
import { DomainError, forbidden, invalid } from "../../domain/errors";
import type { RequestDoc } from "../../domain/requests/model";
import { hashWhatsAppNumber, keyedHash, normaliseWhatsAppNumber } from "../../domain/subject";
import type { Caller } from "../caller";
import type { AppContext, KindHandler } from "../context";
import type { Filing, FilingSubject } from "../filing";
import { consumeRateLimit } from "../rate-limit";
import { AuditLog, EMPTY_CHAIN } from "../audit";
import { startClock } from "./deadlines";
import { callerScope, type IdempotencyKey } from "../idempotency";
import { fileOnce, type FirstAnswer } from "./idempotency";
import { handlerOf } from "./kind-handler";
import { notifyRequester } from "./notify";
import { runExecution } from "./execution";
import { actorOf } from "./transition";
import { clientRef, issueCode } from "./verification-code";
import { scheduleVerificationTimers } from "./verification-timers";
import { contactPartition, numberPartition, tenantPartition } from "../../domain/storage/partition-keys";
import { platformRecords } from "../stores";
import type { Logger } from "../../ports/logger";

export type CreateRequestInput = Filing;

export interface CreateRequestResult extends FirstAnswer {
  /** True when the same Idempotency-Key and body came before: the first answer, given again. */
  replayed: boolean;
}

/**
 * Filings from one client address. There is no limit per subject on filing: it would let a stranger
 * stop the number's owner from filing; what a stranger costs the subject is bounded where it lands, in
 * messages to the channel and guesses at its code (src/app/requests/subject-verification.ts).
 */
const PUBLIC_CLIENT_LIMIT = { limit: 20, windowMs: 3_600_000 };

const mask = (e164: string) => `${e164.slice(0, 3)}•••••${e164.slice(-4)}`;

function fieldError(field: string, message: string): DomainError {
  return invalid("The request is invalid.", [{ field, message }]);
}

/**
 * Who may ask for what, where notices go, and which partition (subject) the request lives in. `filed`:
 * the kind's handler as filed; before the subject is known an erasure's is its account flow's (the
 * dashboard acts for the account; a nominee's filing hooks are the same for both flows).
 */
async function resolve(
  app: AppContext,
  caller: Caller,
  input: CreateRequestInput,
  filed: KindHandler,
): Promise<FilingSubject> {
  const bySubject = await filed.resolveSubject?.(app, caller, input);
  if (bySubject) return bySubject;
  if (input.onBehalfOf)
    throw fieldError("onBehalfOf", "a nominee may not ask for this kind of request for the principal");
  const email = input.contact?.email?.trim().toLowerCase();
  if (caller.kind === "dashboard") {
    const scope = input.scope ?? { type: "account" as const, tenantId: caller.tenantId };
    if (scope.type !== "account")
      throw forbidden(
        "From the dashboard you act for your account; use the public form for a WhatsApp number.",
      );
    if (scope.tenantId !== caller.tenantId)
      throw forbidden("You can only make requests for your own account.");
    filed.authorise?.(caller);
    const account = await readAccount(app, scope.tenantId);
    const ownerEmail = typeof account?.ownerEmail === "string" ? account.ownerEmail : undefined;
    const address = email ?? (caller.role === "owner" ? ownerEmail : undefined);
    return {
      scope: { type: "account", tenantId: scope.tenantId },
      pk: tenantPartition(scope.tenantId),
      tenantId: scope.tenantId,
      ...(address ? { contact: { channel: "email", address } } : {}),
      verifiedByToken: true,
    };
  }
  if (caller.kind === "staff" && !filed.filedByAnyone && (input.channel !== "email" || !input.messageRef)) {
    throw fieldError(
      "channel",
      'staff enter requests that arrived by email: give channel "email" and messageRef',
    );
  }
  const scope = input.scope;
  if (!scope) {
    if (!filed.filedByAnyone) throw fieldError("scope", "required");
    const phone = input.contact?.phone ? normaliseWhatsAppNumber(input.contact.phone) : undefined;
    if (input.contact?.phone && !phone) throw fieldError("contact.phone", "not a valid phone number");
    if (phone) {
      const numberHash = hashWhatsAppNumber(app.keys.hash, phone);
      return {
        scope: { type: "whatsapp_number", numberHash, masked: mask(phone) },
        pk: numberPartition(numberHash),
        contact: { channel: "whatsapp", address: phone },
        verifiedByToken: false,
      };
    }
    if (!email) throw fieldError("contact", "give an email or a phone number so we can answer you");
    const contactHash = keyedHash(app.keys.hash, `email:${email}`);
    return {
      scope: { type: "contact", contactHash },
      pk: contactPartition(contactHash),
      contact: { channel: "email", address: email },
      verifiedByToken: false,
    };
  }
  if (scope.type === "whatsapp_number") {
    const phone = normaliseWhatsAppNumber(scope.phone);
    if (!phone)
      throw fieldError(
        "scope.phone",
        "not a valid WhatsApp number (use the country code, e.g. +91 98123 45678)",
      );
    const numberHash = hashWhatsAppNumber(app.keys.hash, phone);
    return {
      scope: { type: "whatsapp_number", numberHash, masked: mask(phone) },
      pk: numberPartition(numberHash),
      // The one-time code goes to the number itself: proof of ownership (Data Deletion §6).
      contact: { channel: "whatsapp", address: phone },
      verifiedByToken: false,
    };
  }
  if (caller.kind === "public" && !email)
    throw fieldError("contact.email", "required: the account's registered email address");
  const account = await readAccount(app, scope.tenantId);
  const registered = typeof account?.ownerEmail === "string" ? account.ownerEmail.toLowerCase() : undefined;
  if (caller.kind === "staff" && !account) throw new DomainError("not_found", "No such account.");
  // Confirmation comes from the registered address only (Account Deletion §2). A public request naming
  // another address gets no code, and the answer does not reveal whether the account exists.
  const matches =
    registered !== undefined &&
    (caller.kind === "staff" || (email !== undefined && constantTimeEqual(email, registered)));
  return {
    scope: { type: "account", tenantId: scope.tenantId },
    pk: tenantPartition(scope.tenantId),
    tenantId: scope.tenantId,
    ...(matches && registered ? { contact: { channel: "email", address: registered } } : {}),
    verifiedByToken: false,
  };
}

async function readAccount(app: AppContext, tenantId: string): Promise<Record<string, unknown> | undefined> {
  const entry = app.inventory.find((e) => e.category === "account");
  if (!entry || entry.store.kind !== "cosmos") return undefined;
  return (await platformRecords(app, entry).read(tenantId, tenantId))?.doc;
}

/** The request's details: the kind's fields, the mail's reference, a nominee's reference, as the kind keeps them. */
async function kindDetails(
  app: AppContext,
  kind: KindHandler,
  request: { id: string; pk: string },
  input: CreateRequestInput,
) {
  const details = {
    ...(input.details ?? {}),
    ...(input.messageRef ? { messageRef: input.messageRef } : {}),
    ...(input.onBehalfOf ? { onBehalfOf: input.onBehalfOf } : {}),
  };
  return kind.beforeCreate ? kind.beforeCreate(app, request, details) : details;
}

/**
 * Where an Idempotency-Key lives: a dashboard user's keys in their tenant, staff's in their identity, the
 * public's per client address and subject, so nobody else's key (a neighbour behind the same address, a
 * stranger naming another number) ever finds this record.
 */
function idempotencyScope(app: AppContext, caller: Caller, resolved: FilingSubject): string {
  return callerScope(caller) ?? `public:${clientRef(app, caller)}|${resolved.pk}`;
}

/**
 * POST /requests: validates who may ask, rate-limits the public per client address (a replay of a
 * completed filing excepted), honours Idempotency-Key, and leaves the first audit events. `options.log`
 * hears of a filing whose Idempotency-Key record could not be completed (src/app/idempotency).
 *
 * A filing gives its filer a handle to that filing only. Whoever has not proved control of the subject's
 * channel gets a request of their own, in `pending_verification`, whatever else is open for the subject:
 * the answer is the same whether or not anything is. The subject's one open request per kind is claimed
 * when a request is verified (at creation for an owner's JWT; at the code otherwise): a verified filing
 * for a subject with an open request joins it (src/app/requests/verify.ts).
 */
export async function createRequest(
  app: AppContext,
  caller: Caller,
  input: CreateRequestInput,
  idempotency?: IdempotencyKey,
  options: { log?: Logger } = {},
): Promise<CreateRequestResult> {
  const filed = handlerOf(app, { kind: input.kind, scope: { type: input.scope?.type ?? "account" } });
  const resolved = await resolve(app, caller, input, filed);
  const kind = handlerOf(app, { kind: input.kind, scope: resolved.scope });
  // Charged before the Idempotency-Key is claimed: a client over its budget leaves nothing stored. Not
  // charged for a replay of a completed filing: it files nothing, and it is how a public client that lost
  // its requestToken gets it back, which the limit its own filings used up must not stop.
  const charge =
    caller.kind === "public"
      ? () =>
          consumeRateLimit(
            app,
            `client:${clientRef(app, caller)}`,
            PUBLIC_CLIENT_LIMIT.limit,
            PUBLIC_CLIENT_LIMIT.windowMs,
            "requests from your address",
          )
      : undefined;
  const scopeRef = idempotencyScope(app, caller, resolved);
  return fileOnce(app, scopeRef, idempotency, () => file(app, caller, input, resolved, kind), {
    ...(charge ? { beforeClaim: charge } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
}

/** The filing itself, once its Idempotency-Key (if any) is this call's. */
async function file(
  app: AppContext,
  caller: Caller,
  input: CreateRequestInput,
  resolved: FilingSubject,
  kind: KindHandler,
): Promise<FirstAnswer> {
  const store = app.stores.requests;
  const now = app.ports.clock.now();
  const id = newRequestId(resolved.pk);
  const token = caller.kind === "dashboard" ? undefined : randomBytes(24).toString("base64url");

  if (resolved.verifiedByToken && !kind.filedByAnyone) {
    const openId = await store.claimOpenSlot(resolved.pk, input.kind, id);
    if (openId) {
      // The caller proved who they are with their JWT: the open request is theirs to see, not a duplicate.
      return { request: await store.get(openId), outcome: "existing" };
    }
  }

  const doc: RequestDoc = {
    id,
    pk: resolved.pk,
    docType: "request",
    kind: input.kind,
    scope: resolved.scope,
    status: kind.filedByAnyone
      ? "in_progress"
      : resolved.verifiedByToken
        ? "verified"
        : "pending_verification",
    channel:
      caller.kind === "dashboard"
        ? "dashboard"
        : caller.kind === "staff"
          ? (input.channel ?? "staff")
          : "public",
    language: input.language ?? "en",
    requester: input.onBehalfOf && caller.kind === "public" ? { kind: "nominee" } : actorOf(app, caller),
    // A grievance is listed to the dashboard user who filed it only; one from the public or entered by
    // staff (possibly about the tenant) to no member at all.
    visibleTo: !kind.filedByAnyone
      ? "tenant"
      : caller.kind === "dashboard"
        ? (actorOf(app, caller).ref ?? "staff")
        : "staff",
    ...(resolved.tenantId ? { tenantId: resolved.tenantId } : {}),
    ...(resolved.contact
      ? {
          contact: {
            channel: resolved.contact.channel,
            sealed: seal(app.keys.seal, resolved.contact.address),
            hash: keyedHash(app.keys.hash, `${resolved.contact.channel}:${resolved.contact.address}`),
          },
        }
      : {}),
    tokenHashes: token ? [sha256(token)] : [],
    details: await kindDetails(app, kind, { id, pk: resolved.pk }, input),
    createdAt: now.toISOString(),
    deadlineExtensions: [],
    version: 1,
  };
  if (doc.status === "pending_verification") doc.verification = { sentAt: [] };
  else startClock(doc, now, app.policy);

  const created = await store.create(doc);
  const audit = new AuditLog(app);
  // The id is new: its chain is empty, so the first event goes in first place without a look for a head.
  await audit.append(
    id,
    {
      actor: created.requester,
      action: "create",
      to: created.status,
      data: { kind: created.kind, channel: created.channel, scope: created.scope.type },
    },
    { after: EMPTY_CHAIN },
  );
  let request = created;
  if (created.status === "pending_verification") {
    await issueCode(app, created);
    await scheduleVerificationTimers(app, created);
  }
  // Acknowledged at once; a notice that could not go out is retried by the rights timer (SLA flag).
  else if (kind.acknowledge) request = await kind.acknowledge(app, created);
  else {
    await notifyRequester(app, created, {
      template: "request_received",
      requestId: id,
      kind: created.kind,
      dueAt: created.dueAt,
    });
  }
  // Verified at creation (an owner's JWT): what the kind does starts now, before the response returns.
  if (created.status === "verified") request = await runExecution(app, id, created);
  return { request, outcome: "created", ...(token ? { requestToken: token } : {}) };
}
