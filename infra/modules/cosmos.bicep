// Cosmos DB for NoSQL: the service's database (and, in dev, the platform's). Entra identity only (local
// key auth off, key-based metadata writes off: databases and containers come from here, never from the
// app, which data-plane RBAC could not do anyway: DESIGN §8). Continuous backup: deleted items stay
// restorable for the backup tier's window, which counts into the 90-day backup promise. Data roles per container
// (never on the account); `audit` append-only (below).
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

@description('Public network access. Disabled: only the private endpoint main.bicep adds reaches the account (AVM default).')
@allowed([
  'Enabled'
  'Disabled'
])
param publicNetworkAccess string = 'Disabled'

@description('COSMOS_DATABASE')
param databaseName string

@description('COSMOS_PLATFORM_DATABASE')
param platformDatabaseName string

@description('Create the platform\'s database and containers here (dev only: in prod the platform owns them).')
param deployPlatformStores bool

@description('The DeleteAllItemsByPartitionKey capability (delete-by-partition-key, preview): the account purge deletes a tenant\'s partition of a delete category in one call. Only where this account holds the platform\'s containers (dev).')
param partitionKeyDelete bool

@description('Principal id of the Function App identity.')
param principalId string

// Exactly `serviceContainers` of src/adapters/cosmos/layout.ts: names, partition key paths and TTL
// (-1: TTL on, per item; null: off). The infra test compares them.
var serviceContainers = [
  { name: 'requests', partitionKeyPath: '/pk', defaultTtl: -1 }
  { name: 'audit', partitionKeyPath: '/pk', defaultTtl: null }
  { name: 'jobs', partitionKeyPath: '/pk', defaultTtl: -1 }
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
    // No trusted-service bypass of the network rules: with public access off, only private endpoints reach the
    // account (PSRule Azure.Cosmos.PublicAccess; AVM document-db/database-account defaults to no bypass either).
    networkAclBypass: 'None'
    backupPolicy: {
      type: 'Continuous'
      continuousModeProperties: {
        tier: backupTier
      }
    }
    capabilities: concat(
      serverless
        ? [
            {
              name: 'EnableServerless'
            }
          ]
        : [],
      partitionKeyDelete
        ? [
            {
              name: 'DeleteAllItemsByPartitionKey'
            }
          ]
        : []
    )
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

// ── Data-plane roles: per container, never on the account (review M8, issue 16 item 4) ─────────────
// A Cosmos DB role assignment is scoped to the account, a database (/dbs/<db>) or a container
// (/dbs/<db>/colls/<container>), and readMetadata means what that scope allows: at a database, reading the
// database and listing its containers; at a container, reading that container's metadata and partitions
// (https://learn.microsoft.com/azure/cosmos-db/how-to-setup-rbac, "Metadata requests"). So:
// - every service container except `audit`: Cosmos DB Built-in Data Contributor (items read/write/delete,
//   queries, change feed), scoped to that container;
// - `audit`: the custom role below, which can create, read and query items and nothing else: no replace, upsert,
//   patch or delete. The code appends to it only (src/app/requests/audit-log.ts: items.create and queries;
//   nothing in src/ deletes, replaces or upserts there), and the hash chain must not be truncated or rewritten;
// - the service database: a metadata-only custom role (readMetadata), for the health check's database read
//   (src/adapters/cosmos/cosmos-document-store.ts ping: database.read()) and the SDK's container lookups. It grants
//   no item access. If the SDK is ever refused readMetadata on the account itself ("on resource [/]"), move this
//   assignment, never a data role, to the account scope (infra/README.md, first-deployment checks);
// - dev only: Data Contributor on each of the platform's containers created here.
// Built-in role definition ids: 00000000-0000-0000-0000-000000000002 Data Contributor (data actions:
// readMetadata, sqlDatabases/containers/*).
// One at a time (@batchSize(1), and each after the previous): Cosmos DB takes an exclusive lock on the account for every
// role definition and assignment write, and refuses a concurrent one with 412 "There is another user operation in
// progress which requires an exclusive lock" (hashicorp/terraform-provider-azurerm#15842).
var dataContributor = '00000000-0000-0000-0000-000000000002'

// The only container the code treats as append-only (docs/design.md §5: `audit`, append-only, hash-chained).
var auditContainerName = 'audit'

// Exactly what AuditLog needs: create (append), read and query (the chain head, the trail, the idempotency key).
// readChangeFeed: a single-partition read feed can be authorised as a change-feed read
// (Azure/azure-cosmos-dotnet-v3#2927); it returns only what a query would.
var auditAppendOnlyActions = [
  'Microsoft.DocumentDB/databaseAccounts/readMetadata'
  'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers/items/create'
  'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers/items/read'
  'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers/executeQuery'
  'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers/readChangeFeed'
]

var serviceDatabaseScope = '${account.id}/dbs/${databaseName}'
var auditScope = '${serviceDatabaseScope}/colls/${auditContainerName}'

resource auditAppendOnly 'Microsoft.DocumentDB/databaseAccounts/sqlRoleDefinitions@2025-04-15' = {
  parent: account
  name: guid(account.id, 'dpdp-audit-append-only')
  properties: {
    roleName: 'dpdp audit append-only'
    type: 'CustomRole'
    assignableScopes: [
      auditScope
    ]
    permissions: [
      {
        dataActions: auditAppendOnlyActions
      }
    ]
  }
}

resource metadataReader 'Microsoft.DocumentDB/databaseAccounts/sqlRoleDefinitions@2025-04-15' = {
  parent: account
  name: guid(account.id, 'dpdp-metadata-reader')
  dependsOn: [
    auditAppendOnly
  ]
  properties: {
    roleName: 'dpdp metadata reader'
    type: 'CustomRole'
    assignableScopes: [
      serviceDatabaseScope
    ]
    permissions: [
      {
        dataActions: [
          'Microsoft.DocumentDB/databaseAccounts/readMetadata'
        ]
      }
    ]
  }
}

@batchSize(1)
resource serviceContainerContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2025-04-15' = [
  for container in filter(serviceContainers, c => c.name != auditContainerName): {
    parent: account
    name: guid(account.id, principalId, dataContributor, databaseName, container.name)
    dependsOn: [
      serviceContainer
      metadataReader
    ]
    properties: {
      roleDefinitionId: '${account.id}/sqlRoleDefinitions/${dataContributor}'
      principalId: principalId
      scope: '${serviceDatabaseScope}/colls/${container.name}'
    }
  }
]

resource auditAppender 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2025-04-15' = {
  parent: account
  name: guid(account.id, principalId, auditAppendOnly.id, databaseName, auditContainerName)
  dependsOn: [
    serviceContainerContributor
  ]
  properties: {
    roleDefinitionId: auditAppendOnly.id
    principalId: principalId
    scope: auditScope
  }
}

resource serviceMetadataReader 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2025-04-15' = {
  parent: account
  name: guid(account.id, principalId, metadataReader.id, databaseName)
  dependsOn: [
    auditAppender
  ]
  properties: {
    roleDefinitionId: metadataReader.id
    principalId: principalId
    scope: serviceDatabaseScope
  }
}

// Dev only: the platform's containers created here, as platform-cosmos-access.bicep grants them in prod.
@batchSize(1)
resource platformContainerContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2025-04-15' = [
  for container in (deployPlatformStores ? platformContainers : []): {
    parent: account
    name: guid(account.id, principalId, dataContributor, platformDatabaseName, container.name)
    dependsOn: [
      platformContainer
      serviceMetadataReader
    ]
    properties: {
      roleDefinitionId: '${account.id}/sqlRoleDefinitions/${dataContributor}'
      principalId: principalId
      scope: '${account.id}/dbs/${platformDatabaseName}/colls/${container.name}'
    }
  }
]

output name string = account.name
output endpoint string = account.properties.documentEndpoint
