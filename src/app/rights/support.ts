import type { Actor } from "../../domain/requests/model";

export const SYSTEM: Actor = { kind: "system" };

/** "m•••@example.in": enough for the person to recognise the address, not enough to use it. */
export const maskEmail = (email: string) => {
  const [local = "", domain = ""] = email.split("@");
  return `${local.slice(0, 1)}•••@${domain}`;
};
export const maskPhone = (e164: string) => `${e164.slice(0, 3)}•••••${e164.slice(-4)}`;

/** One helper for every capability that moves a request on as the system. */
export { advanceRequest as advance } from "../requests";
