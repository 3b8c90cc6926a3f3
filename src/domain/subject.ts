import { createHmac } from "node:crypto";
import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import { numberPartition, tenantPartition } from "./storage/partition-keys";

/**
 * A data principal as this service finds them: a tenant (an account and everything under it) or a
 * WhatsApp number (a person, possibly messaged by many tenants). Numbers are kept as a keyed hash
 * wherever a lookup suffices, so the clear number never has to be stored by this service.
 */
export type Subject = { type: "tenant"; tenantId: string } | { type: "whatsapp"; numberHash: string };

/** India is the default country: a number written nationally (98123 45678, 098123 45678) is Indian. */
export function normaliseWhatsAppNumber(raw: string): string | undefined {
  const parsed = parsePhoneNumberFromString(raw.trim(), "IN");
  if (!parsed || !parsed.isValid()) return undefined;
  return parsed.number;
}

/** Keyed HMAC-SHA256 of a normalised identifier; the key lives in configuration (Key Vault in Azure). */
export function keyedHash(key: Buffer, value: string): string {
  return createHmac("sha256", key).update(value, "utf8").digest("base64url");
}

export function hashWhatsAppNumber(key: Buffer, e164: string): string {
  return keyedHash(key, `wa:${e164}`);
}

export function subjectPartition(subject: Subject): string {
  return subject.type === "tenant" ? tenantPartition(subject.tenantId) : numberPartition(subject.numberHash);
}
