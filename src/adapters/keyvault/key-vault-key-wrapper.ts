import type { TokenCredential } from "@azure/core-auth";
import { CryptographyClient } from "@azure/keyvault-keys";
import type { KeyWrapper, WrappedKey } from "../../ports/key-wrapper";

const ALGORITHM = "RSA-OAEP-256";

/**
 * The key-encryption key in Azure Key Vault (BACKUP_KEK_ID, RSA 3072, wrapKey/unwrapKey only), used
 * through the managed identity's Key Vault Crypto User role: the private key never leaves the vault.
 * Wrapping uses the key's current version and records it, so a data key wrapped before a yearly
 * rotation still unwraps with the version that wrapped it.
 */
export class KeyVaultKeyWrapper implements KeyWrapper {
  private readonly clients = new Map<string, CryptographyClient>();

  constructor(
    private readonly keyId: string,
    private readonly credential: TokenCredential,
  ) {}

  private client(keyId: string): CryptographyClient {
    let c = this.clients.get(keyId);
    if (!c) {
      c = new CryptographyClient(keyId, this.credential);
      this.clients.set(keyId, c);
    }
    return c;
  }

  async wrap(dataKey: Buffer): Promise<WrappedKey> {
    const result = await this.client(this.keyId).wrapKey(ALGORITHM, dataKey);
    return {
      kekId: result.keyID ?? this.keyId,
      algorithm: ALGORITHM,
      value: Buffer.from(result.result).toString("base64url"),
    };
  }

  async unwrap(wrapped: WrappedKey): Promise<Buffer> {
    if (wrapped.algorithm !== ALGORITHM) throw new Error(`cannot unwrap ${wrapped.algorithm} with Key Vault`);
    const result = await this.client(wrapped.kekId).unwrapKey(
      ALGORITHM,
      Buffer.from(wrapped.value, "base64url"),
    );
    return Buffer.from(result.result);
  }
}
