// The Functions host's own storage (AzureWebJobsStorage: timer locks, host state) and the Flex Consumption
// deployment container. No personal data lives here. Identity only: shared-key access is off. Reached over its blob
// private endpoint (modules/private-endpoints.bicep) with public network access off: the host uses blobs only
// (timers and the deployment package; queues and tables only serve Durable Functions and bindings this app has none
// of: Azure-Samples/functions-quickstart-typescript-azd infra/main.bicep, storageEndpointConfig).
param name string
param location string
param tags { *: string }

@allowed([
  'Standard_LRS'
  'Standard_ZRS'
])
param sku string

param deploymentContainerName string

@description('Disabled: reached only through its private endpoint (no firewall exception, not even for Azure services).')
@allowed([
  'Enabled'
  'Disabled'
])
param publicNetworkAccess string

@minValue(1)
@maxValue(7)
@description('Days a deleted container (the deployment container) stays restorable: against an operator\'s mistake.')
param containerSoftDeleteDays int

@description('Principal id of the Function App identity.')
param principalId string

resource account 'Microsoft.Storage/storageAccounts@2025-01-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: sku
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: publicNetworkAccess
    // Deny whatever the private endpoint does not bring; no trusted-service bypass (nothing here needs one).
    networkAcls: {
      defaultAction: publicNetworkAccess == 'Disabled' ? 'Deny' : 'Allow'
      bypass: 'None'
    }
    // Double encryption at rest, as on the data account. Only settable when an account is created: hence the new
    // account name in main.bicep (names.runtimeStorage).
    encryption: {
      keySource: 'Microsoft.Storage'
      requireInfrastructureEncryption: true
      services: {
        blob: {
          enabled: true
          keyType: 'Account'
        }
      }
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-01-01' = {
  parent: account
  name: 'default'
  properties: {
    containerDeleteRetentionPolicy: {
      enabled: true
      days: containerSoftDeleteDays
    }
  }
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

// The host needs blob leases and the deployment package: Storage Blob Data Owner on its own account.
var storageBlobDataOwner = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'

resource hostStorageOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account.id, principalId, storageBlobDataOwner)
  scope: account
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataOwner)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

output name string = account.name
output id string = account.id
output blobEndpoint string = account.properties.primaryEndpoints.blob
output deploymentContainerName string = deploymentContainer.name
