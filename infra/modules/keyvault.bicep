// Key Vault (RBAC, purge protection): the backup key-encryption key, and the SUBJECT_HASH_KEY secret
// that ops create once (infra/README.md) and the Function App reads through a Key Vault reference.
param name string
param location string
param tags { *: string }
param backupKeyName string

@description('Log Analytics workspace for the vault\'s audit log (who used which key or secret, when).')
param workspaceId string

@description('Principal id of the Function App identity.')
param principalId string

@description('Name of the SUBJECT_HASH_KEY secret (ops create it once: infra/README.md). The identity may read this secret only.')
param subjectHashKeySecretName string

@description('False only for the first deployment, before ops have created the secret: a role assignment cannot be scoped to a secret that does not exist yet.')
param subjectHashKeyCreated bool = true

@description('Name of the CONSENT_MANAGERS secret (ops create it: docs/consent.md); empty: none, and no role on it.')
param consentManagersSecretName string = ''

@description('Name of the PROCESSOR_WEBHOOK_SECRETS secret (the service partners\' signing secrets, docs/processors.md). The identity may read it too.')
param processorSecretsSecretName string

@description('True once ops have created that secret: as for the hash key, a role cannot be scoped to a secret that does not exist.')
param processorSecretsCreated bool = false

@description('Public network access. Disabled: only the private endpoint main.bicep adds reaches the vault (the AVM key-vault module\'s default when it has private endpoints).')
@allowed([
  'Enabled'
  'Disabled'
])
param publicNetworkAccess string = 'Disabled'

@description('When this deployment runs: the first version of the backup key expires two years after it (later versions get their expiry from the rotation policy).')
param deployedAt string = utcNow()

resource vault 'Microsoft.KeyVault/vaults@2025-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    enabledForDeployment: false
    enabledForDiskEncryption: false
    enabledForTemplateDeployment: false
    publicNetworkAccess: publicNetworkAccess
    // Deny by default once public access is off, and no trusted-service bypass: nothing here needs one (the app
    // resolves its Key Vault reference and uses the key through the virtual network; ARM still creates the key, which
    // the vault firewall does not gate: MicrosoftDocs/azure-docs#68668). PSRule Azure.KeyVault.Firewall.
    networkAcls: {
      defaultAction: publicNetworkAccess == 'Disabled' ? 'Deny' : 'Allow'
      bypass: 'None'
    }
  }
}

// Wraps the per-tenant backup data keys (src/app/backups/keys.ts). Rotated yearly: old versions stay to unwrap older backups, which
// are gone within 90 days anyway. ARM creates a key only if it does not exist ("Creates the first version of a new key if
// it does not exist ... does not create subsequent versions, and does not update existing keys": Keys - Create If Not
// Exist, Microsoft.KeyVault REST API), so a redeploy never changes it, and `exp` below is the first version's expiry only
// (two years, as the rotation policy gives every later version; PSRule Azure.KeyVault.KeyExpiry).
resource backupKey 'Microsoft.KeyVault/vaults/keys@2025-05-01' = {
  parent: vault
  name: backupKeyName
  properties: {
    kty: 'RSA'
    keySize: 3072
    keyOps: [
      'wrapKey'
      'unwrapKey'
    ]
    attributes: {
      enabled: true
      exp: dateTimeToEpoch(dateTimeAdd(deployedAt, 'P2Y'))
    }
    rotationPolicy: {
      attributes: {
        expiryTime: 'P2Y'
      }
      lifetimeActions: [
        {
          trigger: {
            timeAfterCreate: 'P1Y'
          }
          action: {
            type: 'rotate'
          }
        }
        {
          trigger: {
            timeBeforeExpiry: 'P30D'
          }
          action: {
            type: 'notify'
          }
        }
      ]
    }
  }
}

// Least privilege (review L1, issue 16 item 4):
// - Key Vault Crypto Service Encryption User on the backup key only: read the key's metadata, wrap and unwrap
//   (Microsoft.KeyVault/vaults/keys/read, keys/wrap/action, keys/unwrap/action): what CryptographyClient.wrapKey and
//   unwrapKey need (src/adapters/keyvault/key-vault-key-wrapper.ts). Not Key Vault Crypto User, which adds encrypt,
//   decrypt, sign, verify, update and backup.
// - Key Vault Secrets User on the SUBJECT_HASH_KEY secret only, not the vault: the Key Vault reference in the app
//   settings reads that one secret (functionapp.bicep, keyVaultReferenceIdentity). Ops create the secret after the
//   first deployment (infra/README.md), so that deployment runs with subjectHashKeyCreated = false and grants nothing.
// Built-in role ids: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/security
var cryptoServiceEncryptionUser = 'e147488a-f6f5-4113-8e2d-b22465e65bf6'
var secretsUser = '4633458b-17de-408a-b874-0445c86b69e6'

resource subjectHashKey 'Microsoft.KeyVault/vaults/secrets@2025-05-01' existing = {
  parent: vault
  name: subjectHashKeySecretName
}

resource keyUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(backupKey.id, principalId, cryptoServiceEncryptionUser)
  scope: backupKey
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', cryptoServiceEncryptionUser)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource secretReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (subjectHashKeyCreated) {
  name: guid(subjectHashKey.id, principalId, secretsUser)
  scope: subjectHashKey
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', secretsUser)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource consentManagers 'Microsoft.KeyVault/vaults/secrets@2025-05-01' existing = if (!empty(consentManagersSecretName)) {
  parent: vault
  name: consentManagersSecretName
}

// The identity reads the consent managers' secret only, as it reads SUBJECT_HASH_KEY's.
resource consentManagersReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(consentManagersSecretName)) {
  name: guid(vault.id, consentManagersSecretName, principalId, secretsUser)
  scope: consentManagers
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', secretsUser)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// - Key Vault Secrets User on the processor-secrets secret only, once it exists: the same reasoning, for
//   PROCESSOR_WEBHOOK_SECRETS (functionapp.bicep).
resource processorSecrets 'Microsoft.KeyVault/vaults/secrets@2025-05-01' existing = {
  parent: vault
  name: processorSecretsSecretName
}

resource processorSecretsReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (processorSecretsCreated) {
  name: guid(processorSecrets.id, principalId, secretsUser)
  scope: processorSecrets
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', secretsUser)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// categoryGroup ('audit') exists only in the preview API: built against the one GA version, 2016-09-01, the compiler
// refuses it (BCP037: "categoryGroup" is not allowed; only "category") and wants a location. Hence the preview.
#disable-next-line use-recent-api-versions
resource audit 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'audit-to-log-analytics'
  scope: vault
  properties: {
    workspaceId: workspaceId
    logs: [
      {
        categoryGroup: 'audit'
        enabled: true
      }
    ]
  }
}

output name string = vault.name
output uri string = vault.properties.vaultUri
output backupKeyName string = backupKey.name
// Versionless (BACKUP_KEK_ID): wrapping uses the current version, and each wrapped key records the version.
output backupKeyId string = '${vault.properties.vaultUri}keys/${backupKey.name}'

