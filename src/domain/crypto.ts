import {
  createCipheriv,
  createDecipheriv,
  createHash,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from "node:crypto";
import { isWellFormedUnicode } from "./unicode";

export const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

/** A sub-key per purpose, so one configured secret never serves two uses directly. */
export function deriveKey(master: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync("sha256", master, Buffer.alloc(0), `dpdp-rights:${purpose}`, 32));
}

/**
 * The GCM tag length, stated on every cipher and decipher: without `authTagLength` Node accepts a shorter
 * tag on decryption (down to 4 bytes, NIST SP 800-38D §5.2.1.2), and a forger needs far fewer tries
 * against a short tag. The length read from the data is checked before it is used, too.
 */
export const GCM_TAG_BYTES = 16;

/** AES-256-GCM, for the few things that must be read back (where to send a notice): iv.tag.ciphertext. */
export function seal(key: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: GCM_TAG_BYTES });
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [iv, cipher.getAuthTag(), body].map((b) => b.toString("base64url")).join(".");
}

export function open(key: Buffer, sealed: string): string {
  const [iv, tag, body] = sealed.split(".").map((p) => Buffer.from(p, "base64url"));
  if (!iv || !tag || !body) throw new Error("sealed value is malformed");
  if (iv.length !== 12 || tag.length !== GCM_TAG_BYTES) throw new Error("sealed value is malformed");
  const decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: GCM_TAG_BYTES });
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(body), decipher.final()]).toString("utf8");
}

/** Equal-length comparison in constant time; unequal lengths are simply unequal. */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The JSON Canonicalization Scheme (RFC 8785, JCS), which the audit chain, its anchors and certificates
 * hash: no whitespace; object members sorted by their names' UTF-16 code units (§3.2.3: JavaScript's
 * `<` on strings); numbers as ECMAScript's Number-to-String (§3.2.2.3) and strings escaped as
 * `JSON.stringify` does (§3.2.2.2), which is what `JSON.stringify` writes for a primitive.
 *
 * A member whose value is `undefined` is left out, as `JSON.stringify` and the store leave it out: an
 * event hashed before it is written hashes the same as the event read back. Anything else JSON cannot
 * carry (a non-finite number, a function, a symbol, a bigint, `undefined` where it is not a member, an
 * object that is not a plain one, a lone surrogate: I-JSON, RFC 7493 §2.1, which JCS requires) is refused
 * rather than written as something else, so no two values share one canonical form.
 */
export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case "string":
      if (!isWellFormedUnicode(value)) throw new TypeError("canonical JSON: a string with a lone surrogate");
      return JSON.stringify(value);
    case "number":
      if (!Number.isFinite(value)) throw new TypeError("canonical JSON: a number that is not finite");
      return JSON.stringify(value);
    case "boolean":
      return JSON.stringify(value);
    case "object":
      break;
    default:
      throw new TypeError(`canonical JSON: a value of type ${typeof value}`);
  }
  if (value === null) return "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null)
    throw new TypeError("canonical JSON: an object that is not a plain object");
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${canonicalJson(k)}:${canonicalJson(v)}`).join(",")}}`;
}
