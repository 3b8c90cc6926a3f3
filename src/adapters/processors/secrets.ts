import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { deriveKey } from "../../domain/crypto";

/**
 * The partners' signing secrets: PROCESSOR_WEBHOOK_SECRETS, a JSON object {partnerId: base64 secret}
 * (in Azure a Key Vault reference, like SUBJECT_HASH_KEY; validated by src/config/schema.ts).
 */
export function configuredSecrets(
  parsed: Record<string, string> | undefined,
): (processorId: string) => Buffer | undefined {
  const secrets = new Map(Object.entries(parsed ?? {}).map(([id, b64]) => [id, Buffer.from(b64, "base64")]));
  return (id) => secrets.get(id);
}

/**
 * Locally, a partner without a configured secret gets one derived from a dev key made once per data
 * folder (as the local hash key is), so the seeded partners can sign on a developer's machine; the dev
 * key never leaves `.local-data`.
 */
export function localSecrets(
  configured: (processorId: string) => Buffer | undefined,
  dataDir: string,
): (processorId: string) => Buffer {
  const file = join(dataDir, "processor-secrets.key");
  let master: Buffer;
  try {
    master = Buffer.from(readFileSync(file, "utf8").trim(), "base64");
  } catch {
    master = randomBytes(32);
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, master.toString("base64"), { mode: 0o600 });
  }
  return (id) => configured(id) ?? deriveKey(master, `processor-webhook:${id}`);
}
