// dpdp-rights: the whole service in one resource group, in India only.
// Deployed by ops (infra/README.md) and by .github/workflows/deploy.yml; read by test/unit/infra.test.ts,
// which keeps the app settings, containers and queues here in step with the code.
targetScope = 'resourceGroup'

// ── Where ───────────────────────────────────────────────────────────────────────────────────────────

@description('Region of every resource. India only: the residency promise of the Privacy Policy (§3).')
@allowed([
  'centralindia'
  'southindia'
  'westindia'
  'jioindiawest'
  'jioindiacentral'
])
param location string = 'centralindia'

@description('Optional second Indian region for Cosmos DB (replica and failover). Empty: one region. Ignored when serverless.')
@allowed([
  ''
  'centralindia'
  'southindia'
  'westindia'
  'jioindiawest'
  'jioindiacentral'
])
param cosmosSecondaryLocation string = ''

// ── Naming ──────────────────────────────────────────────────────────────────────────────────────────

@description('Environment, part of every resource name.')
@allowed([
  'dev'
  'prod'
])
param environmentName string

@description('Lowercase letters and digits; part of every resource name (storage account names allow nothing else).')
@minLength(2)
@maxLength(8)
param baseName string = 'dpdp'

@description('Extra tags for every resource.')
param tags { *: string } = {}

// ── Function App ────────────────────────────────────────────────────────────────────────────────────

@description('Node.js major version of the Flex Consumption runtime. 22: the built entry point loads jose 6 (ESM only) through require(esm), on by default from Node 22.12 (and 20.19, which Azure does not promise for 20).')
@allowed([
  '22'
])
param nodeVersion string = '22'

@description('Flex Consumption scale-out ceiling.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Flex Consumption instance size.')
@allowed([
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Origins the dashboard calls from: the platform\'s CORS (siteConfig.cors) and DASHBOARD_ORIGINS; never "*". Production: https://app.callmissed.com.')
@minLength(1)
param corsAllowedOrigins string[]

// ── The service's own configuration (src/config/schema.ts) ─────────────────────────────────────────

@description('COSMOS_DATABASE: the service\'s own database.')
param cosmosDatabaseName string = 'dpdp'

@description('COSMOS_PLATFORM_DATABASE: the platform\'s database the inventory describes.')
param cosmosPlatformDatabaseName string = 'platform'

@description('AUTH_ISSUER: issuer of the dashboard and staff JWTs.')
param authIssuer string

@description('AUTH_AUDIENCE: audience of the dashboard and staff JWTs.')
param authAudience string

@description('AUTH_JWKS_URL: https URL of the issuer\'s JSON Web Key Set.')
param authJwksUrl string

@description('DPO_CONTACT_EMAIL: Grievance Officer / DPO contact on every notice (DPDP Rules 2025 Rule 9).')
param dpoContactEmail string = 'karan@callmissed.com'

@description('PRIVACY_OFFICER_EMAIL: where execution-failure and breach-deadline alerts go.')
param privacyOfficerEmail string = 'karan@callmissed.com'

@description('MAX_BODY_BYTES: larger request bodies get 413.')
@minValue(1024)
@maxValue(10485760)
param maxBodyBytes int = 65536

@description('RETENTION_OVERRIDES: retention periods and deadlines overridden within their legal limits, e.g. {"usageRecords":"P60D"}. Empty: the policy defaults.')
param retentionOverrides { *: string } = {}

@description('Name of the Key Vault secret holding SUBJECT_HASH_KEY (created once by ops, never rotated: see infra/README.md).')
param subjectHashKeySecretName string = 'subject-hash-key'

// ── Data stores ─────────────────────────────────────────────────────────────────────────────────────

@description('Cosmos DB serverless (dev). Serverless is single-region: cosmosSecondaryLocation is then ignored.')
param cosmosServerless bool = false

@description('Autoscale ceiling (RU/s) of each database when not serverless.')
@minValue(1000)
param cosmosMaxThroughput int = 1000

@description('Availability zones for the Cosmos DB primary region.')
param cosmosZoneRedundant bool = false

@description('Continuous backup window. Deleted items stay restorable this long: it counts into the 90-day backup promise.')
@allowed([
  'Continuous7Days'
  'Continuous30Days'
])
param cosmosBackupTier string = 'Continuous30Days'

@description('Cosmos DB public network access (Disabled needs private endpoints and VNet integration, not part of this template).')
@allowed([
  'Enabled'
  'Disabled'
])
param cosmosPublicNetworkAccess string = 'Enabled'

@description('Create the platform\'s database, containers and blob containers here (dev only: in prod the platform owns them).')
param deployPlatformStores bool = false

// The platform's own stores (prod): the service reaches them by PLATFORM_COSMOS_ENDPOINT and PLATFORM_BLOB_ENDPOINT and
// gets data roles there on exactly what the inventory names (modules/platform-*-access.bicep). Same subscription.

@description('The platform\'s Cosmos DB account, holding COSMOS_PLATFORM_DATABASE (required when deployPlatformStores is false; empty in dev).')
param platformCosmosAccountName string = ''

@description('Resource group of the platform\'s Cosmos DB account.')
param platformCosmosResourceGroup string = resourceGroup().name

@description('The platform\'s storage account, holding its blob containers (required when deployPlatformStores is false; empty in dev).')
param platformStorageAccountName string = ''

@description('Resource group of the platform\'s storage account.')
param platformStorageResourceGroup string = resourceGroup().name

@description('Redundancy of both storage accounts. ZRS needs a region with availability zones (Central India has them).')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
])
param storageSku string = 'Standard_ZRS'

@description('Safety net: lifecycle deletes access exports older than this (the service deletes them after exportExpiry, P7D).')
@minValue(1)
@maxValue(7)
param exportRetentionDays int = 7

@description('Safety net: lifecycle deletes backups older than this, so none outlives the 90-day promise (rotation is the service\'s job).')
@minValue(1)
@maxValue(88)
param backupMaxAgeDays int = 88

@description('Days a deleted blob container stays restorable. Blob soft delete and versioning stay off: deleted means deleted.')
@minValue(1)
@maxValue(7)
param containerSoftDeleteDays int = 7

@description('Set true once an operator has locked the audit-anchors immutability policy (infra/README.md): ARM can only extend a locked policy, so the template must stop sending it.')
param anchorPolicyLocked bool = false

@description('Service Bus tier. Basic lacks duplicate detection and caps message time-to-live at 14 days (timers run 30+ days).')
@allowed([
  'Standard'
  'Premium'
])
param serviceBusSku string = 'Standard'

@description('Log Analytics retention. Security and processing logs: at least one year (DPDP Rules 2025 Rules 6(1)(e), 8(3)).')
@minValue(30)
@maxValue(730)
param logRetentionDays int = 365

// ── Names ───────────────────────────────────────────────────────────────────────────────────────────

var token = take(uniqueString(subscription().id, resourceGroup().id, baseName, environmentName), 6)
var allTags = union(tags, {
  app: 'dpdp-rights'
  environment: environmentName
  'data-residency': 'india'
})
var names = {
  identity: 'id-${baseName}-${environmentName}'
  workspace: 'log-${baseName}-${environmentName}'
  appInsights: 'appi-${baseName}-${environmentName}'
  runtimeStorage: 'st${baseName}rt${environmentName}${token}'
  dataStorage: 'st${baseName}data${environmentName}${token}'
  cosmos: 'cosmos-${baseName}-${environmentName}-${token}'
  serviceBus: 'sb-${baseName}-${environmentName}-${token}'
  keyVault: 'kv-${baseName}-${environmentName}-${token}'
  plan: 'plan-${baseName}-${environmentName}'
  functionApp: 'func-${baseName}-${environmentName}-${token}'
}
// The regions resources here may use: the Allowed locations policy denies anything else in this resource group.
var usedLocations = empty(cosmosSecondaryLocation) || cosmosServerless ? [location] : [location, cosmosSecondaryLocation]
var deploymentContainerName = 'app-package'
var backupKeyName = 'backup-kek'

// ── Residency guard ─────────────────────────────────────────────────────────────────────────────────

module residency 'modules/policy.bicep' = {
  name: 'residency-policy'
  params: {
    allowedLocations: usedLocations
  }
}

// ── Identity the Function App runs as (user-assigned: its roles exist before the app first starts) ─

// Role assignment names: every module names its role assignments guid(scope, principalId, role), as the Azure RBAC
// docs recommend. The principal id exists only once the identity does, so what-if cannot predict those names (linter
// rule what-if-short-circuiting, suppressed line by line below). Keying them on anything else would re-create every
// existing assignment under a new name, which fails with RoleAssignmentExists. Accepted: what-if shows them as changes.

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: names.identity
    location: location
    tags: allTags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    workspaceName: names.workspace
    appInsightsName: names.appInsights
    location: location
    tags: allTags
    retentionDays: logRetentionDays
    // what-if cannot know the principal id before the identity exists: see "Role assignment names" above.
    #disable-next-line what-if-short-circuiting
    principalId: identity.outputs.principalId
  }
}

module runtimeStorage 'modules/runtime-storage.bicep' = {
  name: 'runtime-storage'
  params: {
    name: names.runtimeStorage
    location: location
    tags: allTags
    sku: storageSku
    deploymentContainerName: deploymentContainerName
    // what-if cannot know the principal id before the identity exists: see "Role assignment names" above.
    #disable-next-line what-if-short-circuiting
    principalId: identity.outputs.principalId
  }
}

module dataStorage 'modules/data-storage.bicep' = {
  name: 'data-storage'
  params: {
    name: names.dataStorage
    location: location
    tags: allTags
    sku: storageSku
    deployPlatformStores: deployPlatformStores
    exportRetentionDays: exportRetentionDays
    backupMaxAgeDays: backupMaxAgeDays
    containerSoftDeleteDays: containerSoftDeleteDays
    anchorPolicyLocked: anchorPolicyLocked
    // what-if cannot know the principal id before the identity exists: see "Role assignment names" above.
    #disable-next-line what-if-short-circuiting
    principalId: identity.outputs.principalId
  }
}

module cosmos 'modules/cosmos.bicep' = {
  name: 'cosmos'
  params: {
    accountName: names.cosmos
    location: location
    secondaryLocation: cosmosSecondaryLocation
    tags: allTags
    serverless: cosmosServerless
    maxThroughput: cosmosMaxThroughput
    zoneRedundant: cosmosZoneRedundant
    backupTier: cosmosBackupTier
    publicNetworkAccess: cosmosPublicNetworkAccess
    databaseName: cosmosDatabaseName
    platformDatabaseName: cosmosPlatformDatabaseName
    deployPlatformStores: deployPlatformStores
    // what-if cannot know the principal id before the identity exists: see "Role assignment names" above.
    #disable-next-line what-if-short-circuiting
    principalId: identity.outputs.principalId
  }
}

// ── The platform's own stores (prod): data roles on what the inventory names, nothing else ───────────

module platformCosmos 'modules/platform-cosmos-access.bicep' = if (!deployPlatformStores) {
  name: 'platform-cosmos-access'
  scope: resourceGroup(platformCosmosResourceGroup)
  params: {
    accountName: platformCosmosAccountName
    databaseName: cosmosPlatformDatabaseName
    // what-if cannot know the principal id before the identity exists: see "Role assignment names" above.
    #disable-next-line what-if-short-circuiting
    principalId: identity.outputs.principalId
  }
}

module platformBlob 'modules/platform-blob-access.bicep' = if (!deployPlatformStores) {
  name: 'platform-blob-access'
  scope: resourceGroup(platformStorageResourceGroup)
  params: {
    accountName: platformStorageAccountName
    // what-if cannot know the principal id before the identity exists: see "Role assignment names" above.
    #disable-next-line what-if-short-circuiting
    principalId: identity.outputs.principalId
  }
}

module serviceBus 'modules/servicebus.bicep' = {
  name: 'service-bus'
  params: {
    name: names.serviceBus
    location: location
    tags: allTags
    sku: serviceBusSku
    // what-if cannot know the principal id before the identity exists: see "Role assignment names" above.
    #disable-next-line what-if-short-circuiting
    principalId: identity.outputs.principalId
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'key-vault'
  params: {
    name: names.keyVault
    location: location
    tags: allTags
    backupKeyName: backupKeyName
    workspaceId: monitoring.outputs.workspaceId
    // what-if cannot know the principal id before the identity exists: see "Role assignment names" above.
    #disable-next-line what-if-short-circuiting
    principalId: identity.outputs.principalId
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'function-app'
  // The storage account and Application Insights are read by name: these keep them first (the Key Vault module
  // already waits for monitoring, so monitoring needs no entry of its own: no-unnecessary-dependson).
  dependsOn: [
    runtimeStorage
  ]
  params: {
    planName: names.plan
    appName: names.functionApp
    location: location
    tags: allTags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    // Names known before deployment, not module outputs, so what-if can show the app settings (what-if-short-circuiting).
    runtimeStorageName: names.runtimeStorage
    deploymentContainerName: deploymentContainerName
    appInsightsName: names.appInsights
    nodeVersion: nodeVersion
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    corsAllowedOrigins: corsAllowedOrigins
    cosmosEndpoint: cosmos.outputs.endpoint
    cosmosDatabaseName: cosmosDatabaseName
    cosmosPlatformDatabaseName: cosmosPlatformDatabaseName
    blobEndpoint: dataStorage.outputs.blobEndpoint
    // Dev: the platform's stores are created in this deployment's accounts. Prod: the platform's own accounts.
    platformCosmosEndpoint: deployPlatformStores ? cosmos.outputs.endpoint : platformCosmos!.outputs.endpoint
    platformBlobEndpoint: deployPlatformStores ? dataStorage.outputs.blobEndpoint : platformBlob!.outputs.blobEndpoint
    serviceBusNamespace: serviceBus.outputs.fullyQualifiedNamespace
    keyVaultName: keyVault.outputs.name
    subjectHashKeySecretName: subjectHashKeySecretName
    backupKeyId: keyVault.outputs.backupKeyId
    authIssuer: authIssuer
    authAudience: authAudience
    authJwksUrl: authJwksUrl
    dpoContactEmail: dpoContactEmail
    privacyOfficerEmail: privacyOfficerEmail
    maxBodyBytes: maxBodyBytes
    retentionOverrides: retentionOverrides
    // The same value as the account's backup policy (cosmos module): certificates state its restore window.
    cosmosBackupTier: cosmosBackupTier
  }
}

// ── Outputs: names and the URL only (no keys, secrets or connection strings: the test checks) ───────

output functionAppUrl string = functionApp.outputs.url
output functionAppName string = functionApp.outputs.name
output identityName string = identity.outputs.name
output identityPrincipalId string = identity.outputs.principalId
output cosmosAccountName string = cosmos.outputs.name
output dataStorageAccountName string = dataStorage.outputs.name
output runtimeStorageAccountName string = runtimeStorage.outputs.name
output serviceBusNamespaceName string = serviceBus.outputs.name
output keyVaultName string = keyVault.outputs.name
output backupKeyName string = keyVault.outputs.backupKeyName
output appInsightsName string = monitoring.outputs.appInsightsName
output logAnalyticsWorkspaceName string = monitoring.outputs.workspaceName
