import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ANCHOR_CONTAINER } from "../../src/adapters/blob/anchor-store";
import { AzureConfig, restoreWindowDays } from "../../src/config/schema";

/**
 * Issue 14 §2 and §4 in Bicep, read as text: the certificate's restore window comes from the same value as the
 * Cosmos backup policy, and audit anchors live in an immutable container the identity cannot delete from.
 */
const infra = (file: string) => readFileSync(join(__dirname, "../../infra", file), "utf8");
const main = infra("main.bicep");
const cosmos = infra("modules/cosmos.bicep");
const functionApp = infra("modules/functionapp.bicep");
const storage = infra("modules/data-storage.bicep");

/** The body of `module <name> '…' = { … }` in main.bicep, up to the next top-level closing brace. */
function moduleBody(name: string): string {
  const start = main.indexOf(`module ${name} `);
  expect(start, name).toBeGreaterThanOrEqual(0);
  return main.slice(start, main.indexOf("\n}\n", start));
}

const allowed = (text: string, param: string) => {
  const m = new RegExp(
    `@allowed\\(\\[([^\\]]*)\\]\\)\\s*(?:@description\\([^\\n]*\\)\\s*)?param ${param} string`,
  ).exec(text);
  expect(m, param).not.toBeNull();
  return [...m![1]!.matchAll(/'([^']+)'/g)].map((x) => x[1]);
};

describe("the certificate's restore window and the Cosmos backup policy cannot drift", () => {
  it("main.bicep passes one parameter to both the backup policy and the app setting", () => {
    expect(moduleBody("cosmos")).toMatch(/\bbackupTier: cosmosBackupTier\b/);
    expect(moduleBody("functionApp")).toMatch(/\bcosmosBackupTier: cosmosBackupTier\b/);
    expect(cosmos).toMatch(/continuousModeProperties: \{\s*tier: backupTier\s*\}/);
    expect(functionApp).toMatch(/\bCOSMOS_BACKUP_TIER: cosmosBackupTier\b/);
  });

  it("the tiers Bicep allows are exactly those the app reads, with the days the tier names", () => {
    const tiers = AzureConfig.shape.COSMOS_BACKUP_TIER.unwrap().options;
    expect(allowed(cosmos, "backupTier")).toEqual([...tiers]);
    expect(allowed(functionApp, "cosmosBackupTier")).toEqual([...tiers]);
    for (const tier of tiers) expect(restoreWindowDays(tier)).toBe(Number(/(\d+)Days$/.exec(tier)![1]));
  });
});

describe("audit anchors are append-only in Azure", () => {
  it("their own container, under a time-based retention policy of at least a year", () => {
    expect(storage).toContain(`var anchorContainerName = '${ANCHOR_CONTAINER}'`);
    expect(storage).toMatch(
      /resource anchorImmutability 'Microsoft\.Storage\/storageAccounts\/blobServices\/containers\/immutabilityPolicies@[\d-]+' = if \(!anchorPolicyLocked\) \{\s*parent: anchorContainer\s*name: 'default'/,
    );
    expect(storage).toMatch(/immutabilityPeriodSinceCreationInDays: auditAnchorRetentionDays/);
    expect(storage).toMatch(/@minValue\(365\)\s*param auditAnchorRetentionDays int = (\d+)/);
    expect(storage).toMatch(/allowProtectedAppendWrites: false/);
    // Not one of the containers the identity may delete in (Storage Blob Data Contributor).
    expect(storage).not.toMatch(/var serviceBlobContainers = \[[^\]]*audit-anchors/);
  });

  it("once locked, the policy is left out of the template: ARM only creates or updates an unlocked one", () => {
    expect(storage).toMatch(/param anchorPolicyLocked bool = false/);
    expect(main).toMatch(/param anchorPolicyLocked bool = false/);
    expect(moduleBody("dataStorage")).toMatch(/\banchorPolicyLocked: anchorPolicyLocked\b/);
    // The only resource of that type, and it is conditional.
    expect(storage.match(/immutabilityPolicies@/g)).toHaveLength(1);
    for (const env of ["dev", "prod"])
      expect(infra(`main.${env}.bicepparam`), env).toMatch(/^param anchorPolicyLocked = (true|false)$/m);
    expect(infra("README.md")).toMatch(/anchorPolicyLocked = true/);
  });

  it("the identity's role is scoped to the anchor container alone; no custom role the deploy identity could not write", () => {
    // The retention policy refuses deletes and overwrites to every identity; the role is the built-in one, on this
    // container only (a custom role would need roleDefinitions/write, which infra/bootstrap withholds).
    expect(storage).toMatch(/resource anchorWriter [^=]+= \{[^}]*scope: anchorContainer/);
    expect(storage).not.toMatch(/Microsoft\.Authorization\/roleDefinitions@/);
  });
});
