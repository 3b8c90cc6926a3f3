// The service's data in two accounts (BLOB_ENDPOINT and EXPORT_BLOB_ENDPOINT):
//   - the data account: encrypted backups and, in dev, the platform's blob containers. Private: reached only over its
//     blob private endpoint (modules/private-endpoints.bicep), public network access off.
//   - the export account: access-export packages only (`exports`). Public, because the people who asked for their
//     data download it in a browser from anywhere, with a user delegation SAS that reads one blob for 15 minutes
//     (src/app/export/link.ts). Restricted: nothing else is in it, no shared key, no public container, HTTPS only,
//     lifecycle deletion after at most 7 days; the SAS needs the identity's user delegation key (Blob Delegator here
//     only). Streaming downloads through the Function App instead would buffer whole packages in the host (no streamed
//     HTTP on Azure Functions, docs/design.md) and bill every download as execution time.
// Deleted means deleted on both: no blob soft delete, versioning, change feed or point-in-time restore, which would all
// keep copies the policies promise are gone (DESIGN §8). Identity only.
param name string

@description('Name of the export account (EXPORT_BLOB_ENDPOINT).')
param exportName string

param location string
param tags { *: string }

@allowed([
  'Standard_LRS'
  'Standard_ZRS'
])
param sku string

@description('Also create the platform\'s blob containers (dev only: in prod the platform owns them).')
param deployPlatformStores bool

@description('The data account\'s public network access. Disabled: reached only through its private endpoint.')
@allowed([
  'Enabled'
  'Disabled'
])
param publicNetworkAccess string

@minValue(1)
@maxValue(7)
param exportRetentionDays int

@minValue(1)
@maxValue(88)
param backupMaxAgeDays int

@minValue(1)
@maxValue(7)
param containerSoftDeleteDays int

@description('Principal id of the Function App identity.')
param principalId string

@description('Days each audit anchor is immutable (time-based retention): at least the 1-year processing-log retention, DPDP Rules 2025 Rule 8(3).')
@minValue(365)
param auditAnchorRetentionDays int = 400

@description('True once an operator has locked the anchors\' immutability policy: ARM only creates or updates an unlocked policy (a locked one can only be extended, by CLI), so a redeployment must leave it out.')
param anchorPolicyLocked bool = false

// Exactly `serviceBlobContainers` of src/adapters/blob/layout.ts (the infra test compares them).
var serviceBlobContainers = [
  'exports'
  'backups'
]

// Exactly `platformBlobContainers(platformInventory)` (src/adapters/blob/layout.ts): created in dev only.
var platformBlobContainers = [
  'knowledge-base'
  'audio'
  'transcripts'
]

// EXPORT_CONTAINER of src/app/export/job.ts: the only container of the export account.
var exportContainer = 'exports'

var containerNames = filter(
  deployPlatformStores ? concat(serviceBlobContainers, platformBlobContainers) : serviceBlobContainers,
  c => c != exportContainer
)

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
    deleteRetentionPolicy: {
      enabled: false
    }
    isVersioningEnabled: false
    changeFeed: {
      enabled: false
    }
    restorePolicy: {
      enabled: false
    }
    // Only a deleted container (never done by the service) is kept, briefly, against operator mistakes.
    containerDeleteRetentionPolicy: {
      enabled: true
      days: containerSoftDeleteDays
    }
  }
}

resource exportAccount 'Microsoft.Storage/storageAccounts@2025-01-01' = {
  name: exportName
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
    // Export download links (user delegation SAS, minutes long) are opened by browsers on the internet.
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'None'
    }
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

resource exportBlobService 'Microsoft.Storage/storageAccounts/blobServices@2025-01-01' = {
  parent: exportAccount
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: false
    }
    isVersioningEnabled: false
    changeFeed: {
      enabled: false
    }
    restorePolicy: {
      enabled: false
    }
    // Only a deleted container (never done by the service) is kept, briefly, against operator mistakes.
    containerDeleteRetentionPolicy: {
      enabled: true
      days: containerSoftDeleteDays
    }
  }
}

resource exportsContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' = {
  parent: exportBlobService
  name: exportContainer
  properties: {
    publicAccess: 'None'
  }
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' = [
  for containerName in containerNames: {
    parent: blobService
    name: containerName
    properties: {
      publicAccess: 'None'
    }
  }
]

// Safety nets behind the service's own deletions: exports after exportExpiry (P7D), and no backup older
// than the 90-day promise (periods.ts backupRotation). Lifecycle runs once a day, hence the margins.
resource exportLifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2025-01-01' = {
  parent: exportAccount
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'delete-exports'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
              ]
              prefixMatch: [
                'exports/'
              ]
            }
            actions: {
              baseBlob: {
                delete: {
                  daysAfterCreationGreaterThan: exportRetentionDays
                }
              }
              snapshot: {
                delete: {
                  daysAfterCreationGreaterThan: exportRetentionDays
                }
              }
            }
          }
        }
      ]
    }
  }
}

// The data account keeps the exports rule too: packages written here before exports had their own account are
// deleted on the same schedule (the service now looks for them in the export account only).
resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2025-01-01' = {
  parent: account
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'delete-exports'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
              ]
              prefixMatch: [
                'exports/'
              ]
            }
            actions: {
              baseBlob: {
                delete: {
                  daysAfterCreationGreaterThan: exportRetentionDays
                }
              }
              snapshot: {
                delete: {
                  daysAfterCreationGreaterThan: exportRetentionDays
                }
              }
            }
          }
        }
        {
          name: 'delete-old-backups'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
              ]
              prefixMatch: [
                'backups/'
              ]
            }
            actions: {
              baseBlob: {
                delete: {
                  daysAfterCreationGreaterThan: backupMaxAgeDays
                }
              }
              snapshot: {
                delete: {
                  daysAfterCreationGreaterThan: backupMaxAgeDays
                }
              }
            }
          }
        }
      ]
    }
  }
}

// Data access on each container the code uses, not the account; the user delegation key (for the
// short-lived export links) is an account-level action, granted alone by Storage Blob Delegator, on the export
// account only (no link is ever made to a backup or a platform blob).
var storageBlobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
var storageBlobDelegator = 'db58b8e5-c6ad-4a2a-8342-4190687cbf4a'

resource containerContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (containerName, i) in containerNames: {
    name: guid(containers[i].id, principalId, storageBlobDataContributor)
    scope: containers[i]
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributor)
      principalId: principalId
      principalType: 'ServicePrincipal'
    }
  }
]

resource exportsContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(exportsContainer.id, principalId, storageBlobDataContributor)
  scope: exportsContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource delegator 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(exportAccount.id, principalId, storageBlobDelegator)
  scope: exportAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDelegator)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// ── Audit anchors (docs/audit-anchoring.md): the heads of every audit chain, sealed at least hourly. Their own
// container under a time-based retention policy, so no one (the service's identity included) can overwrite or
// delete an anchor before its period ends. Container-level WORM needs no versioning (off above). The policy is
// created unlocked: an operator locks it once (infra/README.md), after which it can only be extended, so from
// then on the template leaves it alone (`anchorPolicyLocked`): a PUT of a locked policy is refused.
var anchorContainerName = 'audit-anchors' // ANCHOR_CONTAINER, src/adapters/blob/anchor-store.ts

resource anchorContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' = {
  parent: blobService
  name: anchorContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource anchorImmutability 'Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies@2025-01-01' = if (!anchorPolicyLocked) {
  parent: anchorContainer
  name: 'default'
  properties: {
    immutabilityPeriodSinceCreationInDays: auditAnchorRetentionDays
    allowProtectedAppendWrites: false
    allowProtectedAppendWritesAll: false
  }
}

// The time-based retention policy is what refuses overwrite and delete, to every identity, the service's included
// (WORM: learn.microsoft.com/azure/storage/blobs/immutable-time-based-retention-policy-overview). The identity gets the
// built-in Storage Blob Data Contributor on this container only: a custom role without delete would need
// Microsoft.Authorization/roleDefinitions/write, which the deploy identities deliberately lack (infra/bootstrap), and
// the code has no delete for anchors (src/ports/anchor-store.ts offers create, read and list only).
resource anchorWriter 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(anchorContainer.id, principalId, storageBlobDataContributor)
  scope: anchorContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

output name string = account.name
output id string = account.id
output blobEndpoint string = account.properties.primaryEndpoints.blob
output exportName string = exportAccount.name
output exportBlobEndpoint string = exportAccount.properties.primaryEndpoints.blob
