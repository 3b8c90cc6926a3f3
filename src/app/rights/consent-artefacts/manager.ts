import type { ConsentArtefact } from "../../../domain/consent/artefact";
import type { Purpose } from "../../../domain/consent/purposes";
import { DomainError, forbidden } from "../../../domain/errors";
import type { RequestDoc, StoredScope } from "../../../domain/requests/model";
import { newRequestId } from "../../../domain/requests/request-id";
import { subjectPartition, type Subject } from "../../../domain/subject";
import { AlreadyExistsError } from "../../../ports/document-store";
import type { AppContext } from "../../context";
import { openVerifiedRequest, runExecution } from "../../requests";
import { grantConsent, type GrantInput } from "./grant";
import { artefactsOf } from "./store";
import { validateConsent, type ValidationAnswer } from "./validate";

/** A consent manager as configured, once its request's signature was verified. */
export interface ManagerIdentity {
  id: string;
  name: string;
  registrationNumber: string;
}

/** What a verified request asks, its claims already checked by the route. */
export type ManagerAction =
  | ({ action: "grant" } & Omit<GrantInput, "business"> & { business?: string })
  | { action: "withdraw"; subject: Subject; masked?: string; purposes: Purpose[] }
  | { action: "status"; subject: Subject; purpose: Purpose; business?: string };

export type ManagerAnswer =
  | { action: "grant"; artefact: ConsentArtefact }
  | { action: "withdraw"; requestId: string; status: string; artefacts: ConsentArtefact[] }
  | ({ action: "status" } & ValidationAnswer);

/** How long a request id is remembered past its expiry (clock skew between the manager and us). */
const REPLAY_MARGIN_SECONDS = 600;

/**
 * Remembers the request's `jti` create-only, in the manager's own partition: the second arrival of the
 * same request is refused whatever it asks. Kept (Cosmos `ttl`) until the request has expired anyway.
 */
async function claimOnce(app: AppContext, manager: ManagerIdentity, jti: string, expiresAt: Date) {
  const now = app.ports.clock.now();
  const ttl = Math.max(60, Math.ceil((expiresAt.getTime() - now.getTime()) / 1000)) + REPLAY_MARGIN_SECONDS;
  try {
    await app.stores.consentManagerRequests.create({
      id: `jti:${Buffer.from(jti).toString("base64url")}`,
      pk: `consent-manager:${manager.id}`,
      docType: "consent-manager-jti",
      at: now.toISOString(),
      ttl,
    });
  } catch (e) {
    if (e instanceof AlreadyExistsError)
      throw new DomainError(
        "unauthenticated",
        "This request was received already: send a new one (a new jti).",
      );
    throw e;
  }
}

/**
 * A withdrawal from a consent manager: a consent withdrawal request, verified by the manager's signature
 * (the manager authenticated its principal, Rules Rule 4), run at once through the same executor as every
 * other withdrawal, so the artefact, the ledger, the platform's records and the erasure of a number's data
 * follow exactly as they do for a withdrawal made in person.
 */
async function withdrawThroughManager(
  app: AppContext,
  manager: ManagerIdentity,
  action: Extract<ManagerAction, { action: "withdraw" }>,
): Promise<Extract<ManagerAnswer, { action: "withdraw" }>> {
  const now = app.ports.clock.now();
  const pk = subjectPartition(action.subject);
  const scope: StoredScope =
    action.subject.type === "tenant"
      ? { type: "account", tenantId: action.subject.tenantId }
      : { type: "whatsapp_number", numberHash: action.subject.numberHash, masked: action.masked ?? "•••" };
  const id = newRequestId(pk);
  const doc: RequestDoc = {
    id,
    pk,
    docType: "request",
    kind: "consent_withdrawal",
    scope,
    status: "verified",
    channel: "consent_manager",
    language: "en",
    requester: { kind: "consent_manager", ref: manager.id },
    visibleTo: "tenant",
    ...(action.subject.type === "tenant" ? { tenantId: action.subject.tenantId } : {}),
    tokenHashes: [],
    details: {
      purposes: action.purposes,
      consentManager: { id: manager.id, registrationNumber: manager.registrationNumber },
    },
    createdAt: now.toISOString(),
    deadlineExtensions: [],
    version: 1,
  };
  const created = await openVerifiedRequest(app, doc, { consentManager: manager.id });
  const ran = await runExecution(app, id, created);
  const artefacts = (await artefactsOf(app, action.subject)).filter((a) => a.requestId === id);
  return { action: "withdraw", requestId: id, status: ran.status, artefacts };
}

/** A consent manager's verified request: remembered once, then done (docs/consent.md). */
export async function acceptManagerRequest(
  app: AppContext,
  manager: ManagerIdentity,
  envelope: { jti: string; expiresAt: Date },
  action: ManagerAction,
): Promise<ManagerAnswer> {
  // A consent manager speaks for a person (a data principal with a number); an account's consent is its
  // owner's, given on the dashboard. Refused before the request id is kept: nothing is stored.
  if (action.subject.type === "tenant")
    throw forbidden(
      "A consent manager acts for a person about their WhatsApp number; an account's consent is given by its owner on the dashboard.",
    );
  await claimOnce(app, manager, envelope.jti, envelope.expiresAt);
  const actor = {
    kind: "consent_manager" as const,
    manager: { id: manager.id, registrationNumber: manager.registrationNumber },
  };
  switch (action.action) {
    case "grant": {
      const { action: _a, ...input } = action;
      return { action: "grant", artefact: await grantConsent(app, actor, input) };
    }
    case "withdraw":
      return withdrawThroughManager(app, manager, action);
    case "status": {
      const answer = await validateConsent(
        app,
        { kind: "consent_manager", id: manager.id },
        action.subject,
        action.purpose,
        {
          ...(action.business ? { tenantId: action.business } : {}),
        },
      );
      return { action: "status", ...answer };
    }
  }
}
