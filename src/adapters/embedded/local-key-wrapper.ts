import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { GCM_TAG_BYTES } from "../../domain/crypto";
import type { KeyWrapper, WrappedKey } from "../../ports/key-wrapper";

const ALGORITHM = "A256GCM";
const AAD = Buffer.from("dpdp-rights:backup-data-key");

/**
 * The local profile's key-encryption key: 32 random bytes in a file of the data folder (mode 0600),
 * made on first use and kept across restarts, standing in for the Key Vault key. Wrapping is AES-256-GCM.
 */
export class LocalKeyWrapper implements KeyWrapper {
  private kek?: Buffer;

  constructor(private readonly file: string) {}

  private key(): Buffer {
    if (this.kek) return this.kek;
    try {
      this.kek = Buffer.from(readFileSync(this.file, "utf8").trim(), "base64");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
      const key = randomBytes(32);
      mkdirSync(dirname(this.file), { recursive: true });
      writeFileSync(this.file, key.toString("base64"), { mode: 0o600 });
      this.kek = key;
    }
    if (this.kek.length !== 32) throw new Error(`${this.file} must hold 32 bytes, base64`);
    return this.kek;
  }

  private id(): string {
    return `local:${createHash("sha256").update(this.key()).digest("hex").slice(0, 16)}`;
  }

  async wrap(dataKey: Buffer): Promise<WrappedKey> {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key(), iv, { authTagLength: GCM_TAG_BYTES });
    cipher.setAAD(AAD);
    const body = Buffer.concat([cipher.update(dataKey), cipher.final()]);
    return {
      kekId: this.id(),
      algorithm: ALGORITHM,
      value: Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url"),
    };
  }

  async unwrap(wrapped: WrappedKey): Promise<Buffer> {
    if (wrapped.algorithm !== ALGORITHM || wrapped.kekId !== this.id()) {
      throw new Error("the data key was wrapped by another key-encryption key");
    }
    const raw = Buffer.from(wrapped.value, "base64url");
    // A stated tag length: setAuthTag refuses a shorter tag than 16 bytes (a truncated value).
    const decipher = createDecipheriv("aes-256-gcm", this.key(), raw.subarray(0, 12), {
      authTagLength: GCM_TAG_BYTES,
    });
    decipher.setAAD(AAD);
    decipher.setAuthTag(raw.subarray(12, 12 + GCM_TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(12 + GCM_TAG_BYTES)), decipher.final()]);
  }
}
