import { z } from "zod";
import { open, seal } from "../../domain/crypto";
import { conflict, forbidden, invalid } from "../../domain/errors";
import type { RequestDoc, RequestKind, StoredScope } from "../../domain/requests/model";
import type { OnBehalfOf } from "../../domain/requests/on-behalf";
import { hashWhatsAppNumber, keyedHash, normaliseWhatsAppNumber } from "../../domain/subject";
import { AlreadyExistsError, PreconditionFailedError } from "../../ports/document-store";
import type { Caller } from "../caller";
import type { AppContext, Executor } from "../context";
import { AuditLog } from "../audit";
import { notifyRequester } from "../requests";
import { actorOf, auditReason } from "../requests";
import { filedByTeamMember, teamMemberFilingRefused } from "./owner-only";
import { advance, maskEmail, maskPhone } from "./support";

/**
 * Nomination (DPDP Act 2023 s.14; Privacy Policy §6): a principal names a person to exercise their
 * rights on their death or incapacity. The nominee's contact is sealed (AES-GCM, like a requester's
 * contact) in a `nominee:<requestId>` document beside the request; the request itself shows only the
 * relation and a masked address. One nomination is in force per subject: the `nomination:active`
 * document in the subject's partition names it. A new verified nomination supersedes it; cancelling a
 * recorded nomination revokes it. A nominee files requests for the principal with `onBehalfOf`, and
 * those wait for staff review of the evidence (src/app/rights/on-behalf.ts).
 */

/** The kinds a nominee may file for the principal. */
export const ON_BEHALF_KINDS = ["access", "correction", "erasure", "consent_withdrawal"] as const;

const POINTER = "nomination:active";
const nomineeDocId = (requestId: string) => `nominee:${requestId}`;

const NomineeInput = z
  .object({
    name: z.string().min(1),
    relation: z.string().min(1),
    email: z.string().optional(),
    phone: z.string().optional(),
  })
  .strict();

const NomineeContact = z.object({
  name: z.string(),
  email: z.string().optional(),
  phone: z.string().optional(),
});

const NomineeDoc = z.object({
  id: z.string(),
  pk: z.string(),
  docType: z.literal("nominee"),
  requestId: z.string(),
  relation: z.string(),
  sealed: z.string(),
  emailHash: z.string().optional(),
  phoneHash: z.string().optional(),
  createdAt: z.string(),
});
type NomineeDoc = z.infer<typeof NomineeDoc>;

const Pointer = z.object({
  id: z.literal(POINTER),
  pk: z.string(),
  docType: z.literal("nomination-pointer"),
  requestId: z.string(),
  since: z.string(),
});
type Pointer = z.infer<typeof Pointer>;

/** The nomination's standing, on its (completed) request: `details.nomination`. */
export const NominationState = z.object({
  state: z.enum(["active", "superseded", "revoked"]),
  since: z.string(),
  endedAt: z.string().optional(),
  supersededBy: z.string().optional(),
});
export type NominationState = z.infer<typeof NominationState>;

export function nominationState(doc: RequestDoc): NominationState | undefined {
  const parsed = NominationState.safeParse(doc.details.nomination);
  return parsed.success ? parsed.data : undefined;
}

/**
 * At creation of a nomination request: the nominee's name and contact go sealed into their own
 * document; the request keeps the relation and a masked address. Returns the request's details.
 */
export async function stashNominee(
  app: AppContext,
  requestId: string,
  pk: string,
  details: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const parsed = NomineeInput.safeParse(details.nominee);
  if (!parsed.success) throw invalid("The nominee is invalid.", [{ field: "nominee", message: "required" }]);
  const n = parsed.data;
  const email = n.email?.trim().toLowerCase();
  const phone = n.phone ? normaliseWhatsAppNumber(n.phone) : undefined;
  if (!email && !phone)
    throw invalid("The nominee is invalid.", [
      { field: "nominee.email", message: "give the nominee's email or phone" },
    ]);
  const doc: NomineeDoc = {
    id: nomineeDocId(requestId),
    pk,
    docType: "nominee",
    requestId,
    relation: n.relation,
    sealed: seal(
      app.keys.seal,
      JSON.stringify({ name: n.name, ...(email ? { email } : {}), ...(phone ? { phone } : {}) }),
    ),
    ...(email ? { emailHash: keyedHash(app.keys.hash, `email:${email}`) } : {}),
    ...(phone ? { phoneHash: hashWhatsAppNumber(app.keys.hash, phone) } : {}),
    createdAt: app.ports.clock.now().toISOString(),
  };
  await app.stores.nominees.upsert(doc);
  const { nominee: _sealed, ...rest } = details;
  return {
    ...rest,
    nominee: { relation: n.relation, contact: email ? maskEmail(email) : maskPhone(phone!) },
  };
}

async function readNominee(app: AppContext, request: RequestDoc): Promise<NomineeDoc | undefined> {
  const read = await app.stores.nominees.read(nomineeDocId(request.id), request.pk);
  const parsed = NomineeDoc.safeParse(read?.doc);
  return parsed.success ? parsed.data : undefined;
}

async function readPointer(app: AppContext, pk: string): Promise<{ doc: Pointer; etag: string } | undefined> {
  const read = await app.stores.nominationPointers.read(POINTER, pk);
  const parsed = Pointer.safeParse(read?.doc);
  return read && parsed.success ? { doc: parsed.data, etag: read.etag } : undefined;
}

/** Makes `request` the nomination in force for its subject; returns the one it replaced, if any. */
async function pointTo(app: AppContext, request: RequestDoc, since: string): Promise<string | undefined> {
  const next: Pointer = {
    id: POINTER,
    pk: request.pk,
    docType: "nomination-pointer",
    requestId: request.id,
    since,
  };
  for (let attempt = 1; attempt <= 5; attempt++) {
    const current = await readPointer(app, request.pk);
    if (current?.doc.requestId === request.id) return undefined;
    try {
      if (current) await app.stores.nominationPointers.replace(next, current.etag);
      else await app.stores.nominationPointers.create(next);
      return current?.doc.requestId;
    } catch (e) {
      if (!(e instanceof PreconditionFailedError || e instanceof AlreadyExistsError)) throw e;
    }
  }
  throw conflict("Another nomination for this person is being recorded; try again.");
}

/** A nomination stops being in force: its standing is recorded and the nominee's contact deleted. */
async function endNomination(
  app: AppContext,
  requestId: string,
  state: "superseded" | "revoked",
  event: { actor: RequestDoc["requester"]; reason?: string; supersededBy?: string },
): Promise<RequestDoc> {
  const store = app.stores.requests;
  const endedAt = app.ports.clock.now().toISOString();
  const { after } = await store.update(requestId, (doc) => {
    const current = nominationState(doc);
    if (current?.state !== "active") return doc;
    doc.details = {
      ...doc.details,
      nomination: {
        ...current,
        state,
        endedAt,
        ...(event.supersededBy ? { supersededBy: event.supersededBy } : {}),
      },
    };
    return doc;
  });
  // Data minimisation: the nominee's contact is not needed once the nomination is no longer in force.
  await app.stores.nominees.delete(nomineeDocId(requestId), after.pk);
  // The principal's words are theirs: the chain keeps a keyed hash of them (src/app/requests/transition.ts).
  const { reason, reasonHash } = auditReason(app, event.actor, event.reason);
  const data = {
    ...(event.supersededBy ? { supersededBy: event.supersededBy } : {}),
    ...(reasonHash ? { reasonHash } : {}),
  };
  await new AuditLog(app).append(requestId, {
    actor: event.actor,
    action: state === "revoked" ? "revoke_nomination" : "nomination_superseded",
    ...(reason ? { reason } : {}),
    ...(Object.keys(data).length ? { data } : {}),
  });
  return after;
}

/**
 * A verified nomination: `verified → in_progress`, recorded as the one in force (the earlier one, if
 * any, superseded), then `completed` with a notice. Resumable: a re-run finds the pointer already set.
 */
export const nominationExecutor: Executor = async (app, request, step) => {
  let current = request;
  // Filed by an admin or member before the rule held at filing (src/app/rights/owner-only.ts): it never
  // replaces the owner's nomination. Refused while that is still possible; the nominee's contact goes.
  if (filedByTeamMember(current)) {
    if (current.status !== "verified") throw teamMemberFilingRefused(current);
    step("refuse");
    await app.stores.nominees.delete(nomineeDocId(current.id), current.pk);
    await advance(app, current, "reject", {
      reason: "Only the account owner can make, replace or revoke the account's nomination.",
      noticeReason: { code: "owner_only_nomination" },
    });
    return;
  }
  if (current.status === "verified") {
    step("start");
    current = await advance(app, current, "start", { notify: false });
  }
  if (current.status !== "in_progress") return;
  step("record");
  if (!(await readNominee(app, current))) throw new Error("the nominee's sealed contact is missing");
  const since = app.ports.clock.now().toISOString();
  const previous = await pointTo(app, current, since);
  if (previous) {
    step("supersede");
    await endNomination(app, previous, "superseded", { actor: { kind: "system" }, supersededBy: current.id });
  }
  step("complete");
  await advance(app, current, "complete", {
    reason: previous
      ? "The nomination is recorded; it replaces your earlier nomination."
      : "The nomination is recorded.",
    ...(previous ? { data: { supersedes: previous } } : {}),
    change: (doc) => {
      doc.details = { ...doc.details, nomination: { state: "active", since } satisfies NominationState };
    },
  });
};

/**
 * POST …/cancel on a recorded nomination: the principal (requester or account owner; the caller's
 * standing is checked by cancelRequest) revokes it. The request stays completed; its nomination is
 * `revoked`, the nominee's contact deleted, and no request can be filed on it any more.
 */
export async function revokeNomination(
  app: AppContext,
  caller: Caller,
  doc: RequestDoc,
  reason: string | undefined,
): Promise<RequestDoc> {
  const state = nominationState(doc);
  if (state?.state !== "active") {
    throw conflict(`The nomination is ${state?.state ?? "not recorded"}: there is nothing to revoke.`, {
      status: doc.status,
    });
  }
  const pointer = await readPointer(app, doc.pk);
  if (pointer?.doc.requestId === doc.id) {
    await app.stores.nominationPointers.delete(POINTER, doc.pk, pointer.etag).catch((e: unknown) => {
      // Replaced meanwhile by a newer nomination: that one is in force, and this one ends anyway.
      if (!(e instanceof PreconditionFailedError)) throw e;
    });
  }
  const after = await endNomination(app, doc.id, "revoked", {
    actor: actorOf(app, caller),
    reason: reason ?? "Revoked by the principal",
  });
  await notifyRequester(app, after, { template: "nomination_revoked", requestId: after.id });
  return after;
}

/** Where a nominee's request goes: the principal's subject, the code to the nominee's recorded contact. */
export interface OnBehalfResolution {
  scope: StoredScope;
  pk: string;
  tenantId?: string;
  contact: { channel: "email" | "whatsapp"; address: string };
  verifiedByToken: false;
}

/**
 * A request a nominee files for the principal (`onBehalfOf`): the nomination must be the one in force;
 * the request is about the principal's subject, and the one-time code goes to the nominee's address as
 * the principal recorded it (the address in the body plays no part). Staff then review the evidence.
 */
export async function resolveOnBehalf(
  app: AppContext,
  caller: Caller,
  input: {
    kind: RequestKind;
    onBehalfOf: OnBehalfOf;
    scope?: { type: "account"; tenantId: string } | { type: "whatsapp_number"; phone: string };
    channel?: "email";
    messageRef?: string;
  },
): Promise<OnBehalfResolution> {
  if (caller.kind === "dashboard")
    throw forbidden("A nominee files through the public form; staff may enter one that arrived by email.");
  if (caller.kind === "staff" && (input.channel !== "email" || !input.messageRef)) {
    throw invalid("The request is invalid.", [
      {
        field: "channel",
        message: 'staff enter requests that arrived by email: give channel "email" and messageRef',
      },
    ]);
  }
  if (!(ON_BEHALF_KINDS as readonly string[]).includes(input.kind)) {
    throw invalid("The request is invalid.", [
      { field: "onBehalfOf", message: `a nominee may ask for: ${ON_BEHALF_KINDS.join(", ")}` },
    ]);
  }
  const refused = () =>
    invalid("The request is invalid.", [
      { field: "onBehalfOf.nominationId", message: "no nomination in force has this id" },
    ]);
  const nomination = (await app.stores.requests.find(input.onBehalfOf.nominationId))?.doc;
  if (
    !nomination ||
    nomination.kind !== "nomination" ||
    nomination.status !== "completed" ||
    nominationState(nomination)?.state !== "active" ||
    nomination.scope.type === "contact"
  )
    throw refused();
  const pointer = await readPointer(app, nomination.pk);
  const nominee = await readNominee(app, nomination);
  if (pointer?.doc.requestId !== nomination.id || !nominee) throw refused();
  const scope = input.scope;
  if (scope) {
    const same =
      scope.type === "account"
        ? nomination.scope.type === "account" && nomination.scope.tenantId === scope.tenantId
        : nomination.scope.type === "whatsapp_number" &&
          nomination.scope.numberHash ===
            hashWhatsAppNumber(app.keys.hash, normaliseWhatsAppNumber(scope.phone) ?? "");
    if (!same)
      throw invalid("The request is invalid.", [
        {
          field: "scope",
          message: "not the subject of the nomination (leave it out to use the nomination's)",
        },
      ]);
  }
  if (
    nomination.scope.type === "account" &&
    (input.kind === "erasure" || input.kind === "access") &&
    (nomination.requester.kind === "admin" || nomination.requester.kind === "member")
  ) {
    throw forbidden("Only a nomination made by the account owner lets a nominee ask for the account's data.");
  }
  const contact = NomineeContact.parse(JSON.parse(open(app.keys.seal, nominee.sealed)));
  return {
    scope: nomination.scope,
    pk: nomination.pk,
    ...(nomination.scope.type === "account" ? { tenantId: nomination.scope.tenantId } : {}),
    contact: contact.email
      ? { channel: "email", address: contact.email }
      : { channel: "whatsapp", address: contact.phone! },
    verifiedByToken: false,
  };
}

/** A nominee's request is approved only while the nomination it relies on is still in force. */
export async function nominationInForce(app: AppContext, nominationId: string): Promise<boolean> {
  const nomination = (await app.stores.requests.find(nominationId))?.doc;
  if (!nomination || nominationState(nomination)?.state !== "active") return false;
  return (await readPointer(app, nomination.pk))?.doc.requestId === nomination.id;
}
