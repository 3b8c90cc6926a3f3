// Delete locks (issue 16 item 6; review L3): CanNotDelete on what cannot be rebuilt from this template. Blob soft
// delete and versioning stay off on purpose (deleted means deleted), so the lock is what stands between a stray
// `az storage account delete` and every backup; the workspace holds the year of logs; Key Vault the backup key and
// the hash key; Cosmos DB every request, decision and the audit chain.
//
// A CanNotDelete lock blocks DELETE on the resource and its children through Azure Resource Manager only: reads,
// writes, data-plane deletes (the service's purges, the lifecycle rules), key rotation and log purges go on as
// before. Who may lay or lift them: Microsoft.Authorization/locks/write and /delete, which Contributor does not have
// (its NotActions exclude Microsoft.Authorization/*/Write and */Delete). The app's deploy identity needs a custom role
// with locks/read and locks/write only (infra/README.md): it can lay locks, and only an Owner or User Access
// Administrator can lift them.
// AVM lays locks with Microsoft.Authorization/locks@2020-05-01 (avm/res/*/main.bicep, `lock` parameter).
param cosmosAccountName string
param dataStorageName string
param keyVaultName string
param workspaceName string

var notes = 'dpdp-rights: personal data, its backups, keys or the year of logs (DPDP Rules 2025 Rule 6). Remove only with the privacy officer\'s sign-off (infra/README.md).'

resource cosmos 'Microsoft.DocumentDB/databaseAccounts@2025-04-15' existing = {
  name: cosmosAccountName
}

resource dataStorage 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: dataStorageName
}

resource keyVault 'Microsoft.KeyVault/vaults@2025-05-01' existing = {
  name: keyVaultName
}

resource workspace 'Microsoft.OperationalInsights/workspaces@2025-02-01' existing = {
  name: workspaceName
}

resource cosmosLock 'Microsoft.Authorization/locks@2020-05-01' = {
  name: 'do-not-delete'
  scope: cosmos
  properties: {
    level: 'CanNotDelete'
    notes: notes
  }
}

resource dataStorageLock 'Microsoft.Authorization/locks@2020-05-01' = {
  name: 'do-not-delete'
  scope: dataStorage
  properties: {
    level: 'CanNotDelete'
    notes: notes
  }
}

resource keyVaultLock 'Microsoft.Authorization/locks@2020-05-01' = {
  name: 'do-not-delete'
  scope: keyVault
  properties: {
    level: 'CanNotDelete'
    notes: notes
  }
}

resource workspaceLock 'Microsoft.Authorization/locks@2020-05-01' = {
  name: 'do-not-delete'
  scope: workspace
  properties: {
    level: 'CanNotDelete'
    notes: notes
  }
}
