import { DomainError } from "../../domain/errors";
import type { Actor, RequestDoc } from "../../domain/requests/model";
import type { Action } from "../../domain/requests/state-machine";
import type { AppContext } from "../context";
import { RequestStore } from "../requests/request-store";
import { applyAction, type TransitionOptions } from "../requests/transition";

export const SYSTEM: Actor = { kind: "system" };

/** The service's own documents beside the requests (nominees, consents, breaches): `requests`, by docType. */
export const serviceDocs = (app: AppContext) => app.ports.documents.collection("service", "requests");

/** "m•••@example.in": enough for the person to recognise the address, not enough to use it. */
export const maskEmail = (email: string) => {
  const [local = "", domain = ""] = email.split("@");
  return `${local.slice(0, 1)}•••@${domain}`;
};
export const maskPhone = (e164: string) => `${e164.slice(0, 3)}•••••${e164.slice(-4)}`;

/**
 * Moves a request on unless another run already did: a lost race (409) re-reads and carries on from
 * wherever the request now stands.
 */
export async function advance(
  app: AppContext,
  request: RequestDoc,
  action: Action,
  options: TransitionOptions,
): Promise<RequestDoc> {
  try {
    return await applyAction(app, request.id, action, SYSTEM, options);
  } catch (e) {
    if (!(e instanceof DomainError && e.kind === "conflict")) throw e;
    const fresh = await new RequestStore(app.ports).get(request.id);
    if (fresh.status === request.status) throw e;
    return fresh;
  }
}
