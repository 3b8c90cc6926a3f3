import { z } from "zod";

/** A data key as stored: encrypted under a key-encryption key, with what is needed to unwrap it. */
export const WrappedKey = z
  .object({
    /** The key-encryption key, with its version (Key Vault key id), or the local key file's id. */
    kekId: z.string().min(1).max(500),
    /** "RSA-OAEP-256" (Key Vault) or "A256GCM" (local key file). */
    algorithm: z.string().min(1).max(40),
    /** The wrapped key, base64url. */
    value: z.string().min(1).max(2000),
  })
  .strict();
export type WrappedKey = z.infer<typeof WrappedKey>;

/**
 * Wraps and unwraps data keys with a key-encryption key that never leaves its keeper (Key Vault in
 * Azure, through the managed identity; a key file in the local profile). The wrapped keys themselves
 * are kept by the use cases (the backup catalogue), so destroying a data key is deleting that copy:
 * without it nothing encrypted under the data key can be read again (crypto-shredding).
 */
export interface KeyWrapper {
  wrap(dataKey: Buffer): Promise<WrappedKey>;
  /** Fails when the key-encryption key (or that version of it) is gone or the wrapped key was altered. */
  unwrap(wrapped: WrappedKey): Promise<Buffer>;
}
