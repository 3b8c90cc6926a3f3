import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Standard Webhooks (standardwebhooks.com, spec "Signature scheme"): the signed content is
 * `<webhook-id>.<webhook-timestamp>.<body>`, signed with HMAC-SHA256 under the shared secret and sent as
 * `webhook-signature: v1,<base64>` (several space-separated signatures allowed, for secret rotation). The
 * same scheme both ways: our notices to a partner's webhook, and a partner's confirmation to us.
 */
export interface SignedHeaders {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
}

/** A confirmation older or newer than this (seconds) is refused: a captured one cannot be sent much later. */
export const TOLERANCE_SECONDS = 5 * 60;

const mac = (secret: Buffer, id: string, timestamp: string, body: string) =>
  createHmac("sha256", secret).update(`${id}.${timestamp}.${body}`, "utf8").digest();

export function signWebhook(secret: Buffer, id: string, at: Date, body: string): SignedHeaders {
  const timestamp = String(Math.floor(at.getTime() / 1000));
  return {
    "webhook-id": id,
    "webhook-timestamp": timestamp,
    "webhook-signature": `v1,${mac(secret, id, timestamp, body).toString("base64")}`,
  };
}

export type SignatureVerdict = "valid" | "missing" | "stale" | "mismatch";

/**
 * Checks a signed message: the three headers present and sane, the timestamp within
 * {@link TOLERANCE_SECONDS} of `now`, and one `v1` signature equal (in constant time) to ours.
 */
export function verifyWebhook(
  secret: Buffer,
  headers: Partial<Record<keyof SignedHeaders, string | null>>,
  body: string,
  now: Date,
): SignatureVerdict {
  const id = headers["webhook-id"];
  const timestamp = headers["webhook-timestamp"];
  const signatures = headers["webhook-signature"];
  if (!id || !timestamp || !signatures || id.length > 200 || !/^\d{1,12}$/.test(timestamp)) return "missing";
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > TOLERANCE_SECONDS) return "stale";
  const expected = mac(secret, id, timestamp, body);
  for (const entry of signatures.split(" ")) {
    const [version, value] = entry.split(",", 2);
    if (version !== "v1" || !value) continue;
    const given = Buffer.from(value, "base64");
    if (given.length === expected.length && timingSafeEqual(given, expected)) return "valid";
  }
  return "mismatch";
}
