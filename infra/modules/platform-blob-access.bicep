// The platform's own storage account (prod): not deployed here, only read (`existing`) and granted to the service.
// The service reaches it by PLATFORM_BLOB_ENDPOINT and acts on the blob containers the data inventory names
// (src/domain/inventory/platform-inventory.ts): it lists and reads them (exports, backups), deletes from them (account
// purge, WhatsApp erasure) and writes them back on a restore. So: Storage Blob Data Contributor per container, not on
// the account. No Storage Blob Delegator here: the only links the service hands out are to its own exports.
targetScope = 'resourceGroup'

@description('The platform\'s storage account, in this resource group.')
@minLength(3)
param accountName string

@description('Principal id of the Function App identity.')
param principalId string

// Exactly `platformBlobContainers(platformInventory)` (src/adapters/blob/layout.ts): the infra test compares them.
var platformBlobContainers = [
  'knowledge-base'
  'audio'
  'transcripts'
]

resource account 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: accountName
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-01-01' existing = {
  parent: account
  name: 'default'
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' existing = [
  for containerName in platformBlobContainers: {
    parent: blobService
    name: containerName
  }
]

var storageBlobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'

resource containerContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (containerName, i) in platformBlobContainers: {
    name: guid(containers[i].id, principalId, storageBlobDataContributor)
    scope: containers[i]
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributor)
      principalId: principalId
      principalType: 'ServicePrincipal'
    }
  }
]

// PLATFORM_BLOB_ENDPOINT
output blobEndpoint string = account.properties.primaryEndpoints.blob
