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
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

// Wraps the per-tenant backup data keys (src/app/backups/keys.ts). Rotated yearly: old versions stay to unwrap older backups, which
// are gone within 90 days anyway. Properties are constants so a redeploy never tries to change the key.
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

// Key Vault Crypto User on the backup key only (wrap/unwrap); Key Vault Secrets User on the vault for
// the SUBJECT_HASH_KEY reference (the secret is created after this deployment, so it cannot be the scope;
// it is the vault's only secret).
var cryptoUser = '12338af0-0e69-4776-bea7-57ae8d297424'
var secretsUser = '4633458b-17de-408a-b874-0445c86b69e6'

resource keyUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(backupKey.id, principalId, cryptoUser)
  scope: backupKey
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', cryptoUser)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource secretReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, principalId, secretsUser)
  scope: vault
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

