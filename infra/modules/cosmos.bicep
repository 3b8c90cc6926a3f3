// Cosmos DB for NoSQL: the service's database (and, in dev, the platform's). Entra identity only (local
// key auth off, key-based metadata writes off: databases and containers come from here, never from the
// app, which data-plane RBAC could not do anyway: DESIGN §8). Continuous backup: deleted items stay
// restorable for the backup tier's window, which counts into the 90-day backup promise.
param accountName string
param location string

@description('Optional second Indian region; empty for one region. Ignored when serverless (single-region only).')
param secondaryLocation string

param tags { *: string }
param serverless bool

@minValue(1000)
param maxThroughput int

param zoneRedundant bool

@allowed([
  'Continuous7Days'
  'Continuous30Days'
])
@description('Also the app setting COSMOS_BACKUP_TIER (main.bicep passes one value to both): certificates state the window.')
param backupTier string

@allowed([
  'Enabled'
  'Disabled'
])
param publicNetworkAccess string

@description('COSMOS_DATABASE')
param databaseName string

@description('COSMOS_PLATFORM_DATABASE')
param platformDatabaseName string

@description('Create the platform\'s database and containers here (dev only: in prod the platform owns them).')
param deployPlatformStores bool

@description('Principal id of the Function App identity.')
param principalId string

// Exactly `serviceContainers` of src/adapters/cosmos/layout.ts: names, partition key paths and TTL
// (-1: TTL on, per item; null: off). The infra test compares them.
var serviceContainers = [
  { name: 'requests', partitionKeyPath: '/pk', defaultTtl: null }
  { name: 'audit', partitionKeyPath: '/pk', defaultTtl: null }
  { name: 'jobs', partitionKeyPath: '/pk', defaultTtl: null }
  { name: 'backups', partitionKeyPath: '/pk', defaultTtl: -1 }
  { name: 'ratelimits', partitionKeyPath: '/pk', defaultTtl: -1 }
]

// Exactly `platformContainers(platformInventory)` of src/adapters/cosmos/layout.ts: created in dev only.
// `usage` has TTL 90 days (7776000 s, usageRecords: Privacy Policy §5) as a backstop of the service's
// daily retention sweep. In prod the platform owns its containers: set the same TTL there (infra/README.md).
var platformContainers = [
  { name: 'accounts', partitionKeyPath: '/tenantId', defaultTtl: null }
  { name: 'members', partitionKeyPath: '/tenantId', defaultTtl: null }
  { name: 'apiKeys', partitionKeyPath: '/tenantId', defaultTtl: null }
  { name: 'bots', partitionKeyPath: '/tenantId', defaultTtl: null }
  { name: 'conversations', partitionKeyPath: '/tenantId', defaultTtl: null }
  { name: 'messages', partitionKeyPath: '/tenantId', defaultTtl: null }
  { name: 'whatsappIdentifiers', partitionKeyPath: '/tenantId', defaultTtl: null }
  { name: 'integrations', partitionKeyPath: '/tenantId', defaultTtl: null }
  { name: 'usage', partitionKeyPath: '/tenantId', defaultTtl: 7776000 }
  { name: 'payments', partitionKeyPath: '/tenantId', defaultTtl: null }
  { name: 'credits', partitionKeyPath: '/tenantId', defaultTtl: null }
  { name: 'consents', partitionKeyPath: '/tenantId', defaultTtl: null }
  { name: 'securityLogs', partitionKeyPath: '/tenantId', defaultTtl: null }
]

// The code's queries filter on any field and order by one field at a time (createdAt, seq): the default
// consistent index on every path serves them; no composite indexes are needed.
var indexingPolicy = {
  indexingMode: 'consistent'
  automatic: true
  includedPaths: [
    {
      path: '/*'
    }
  ]
  excludedPaths: [
    {
      path: '/"_etag"/?'
    }
  ]
}

var secondary = serverless ? '' : secondaryLocation
var primaryRegion = [
  {
    locationName: location
    failoverPriority: 0
    isZoneRedundant: zoneRedundant
  }
]
var secondaryRegion = empty(secondary)
  ? []
  : [
      {
        locationName: secondary
        failoverPriority: 1
        isZoneRedundant: false
      }
    ]
var throughput = serverless ? {} : { autoscaleSettings: { maxThroughput: maxThroughput } }

resource account 'Microsoft.DocumentDB/databaseAccounts@2025-04-15' = {
  name: accountName
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    locations: concat(primaryRegion, secondaryRegion)
    consistencyPolicy: {
      defaultConsistencyLevel: 'Session'
    }
    enableAutomaticFailover: !empty(secondary)
    enableMultipleWriteLocations: false
    disableLocalAuth: true
    disableKeyBasedMetadataWriteAccess: true
    minimalTlsVersion: 'Tls12'
    publicNetworkAccess: publicNetworkAccess
    backupPolicy: {
      type: 'Continuous'
      continuousModeProperties: {
        tier: backupTier
      }
    }
    capabilities: serverless
      ? [
          {
            name: 'EnableServerless'
          }
        ]
      : []
  }
}

resource serviceDatabase 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2025-04-15' = {
  parent: account
  name: databaseName
  properties: {
    resource: {
      id: databaseName
    }
    options: throughput
  }
}

resource serviceContainer 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2025-04-15' = [
  for container in serviceContainers: {
    parent: serviceDatabase
    name: container.name
    properties: {
      resource: union(
        {
          id: container.name
          partitionKey: {
            paths: [
              container.partitionKeyPath
            ]
            kind: 'Hash'
            version: 2
          }
          indexingPolicy: indexingPolicy
        },
        container.defaultTtl == null ? {} : { defaultTtl: container.defaultTtl }
      )
    }
  }
]

resource platformDatabase 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2025-04-15' = if (deployPlatformStores) {
  parent: account
  name: platformDatabaseName
  properties: {
    resource: {
      id: platformDatabaseName
    }
    options: throughput
  }
}

resource platformContainer 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2025-04-15' = [
  for container in (deployPlatformStores ? platformContainers : []): {
    parent: platformDatabase
    name: container.name
    properties: {
      resource: union(
        {
          id: container.name
          partitionKey: {
            paths: [
              container.partitionKeyPath
            ]
            kind: 'Hash'
            version: 2
          }
          indexingPolicy: indexingPolicy
        },
        container.defaultTtl == null ? {} : { defaultTtl: container.defaultTtl }
      )
    }
  }
]

// Cosmos DB Built-in Data Contributor (data plane) on the account: read and write items in both
// databases. It cannot create or delete databases or containers, nor read keys.
var dataContributor = '00000000-0000-0000-0000-000000000002'

resource dataContributorAssignment 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2025-04-15' = {
  parent: account
  name: guid(account.id, principalId, dataContributor)
  properties: {
    roleDefinitionId: '${account.id}/sqlRoleDefinitions/${dataContributor}'
    principalId: principalId
    scope: account.id
  }
}

output name string = account.name
output endpoint string = account.properties.documentEndpoint
