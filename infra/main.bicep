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

// Any name, not only dev and prod: azd passes its environment's name (AZURE_ENV_NAME, infra/main.parameters.json), and
// nothing here hardens on the name itself: prod's locks, zones and private Service Bus are parameters (deployLocks,
// cosmosZoneRedundant, serviceBusSku…) that main.prod.bicepparam sets. The name goes into storage account names, which
// allow 3-24 lowercase letters and digits: 'st' + baseName + 'data' + environmentName + 6 = 24 at most, so with the
// default baseName (4) a name of up to 8; a longer baseName leaves less (baseName + environmentName <= 12).
@description('Environment (dev, prod, or an azd environment such as test1): 2-8 lowercase letters and digits, part of every resource name.')
@minLength(2)
@maxLength(8)
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

@description('Origins the dashboard calls from, as a browser sends them (https://host[:port], no trailing slash): DASHBOARD_ORIGINS, which the app answers CORS for (src/http/cors.ts); never "*". Production: https://app.callmissed.com.')
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

@description('DPB_CONTACT: the Data Protection Board of India\'s published channel (https), in every notice that names the Board.')
param dpbContact string = 'https://www.dpb.gov.in'

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

@description('False only for the very first deployment of an environment, before ops create the SUBJECT_HASH_KEY secret: the identity\'s Secrets User role is scoped to that secret, which must exist (infra/README.md).')
param subjectHashKeyCreated bool = true

@description('Name of the Key Vault secret holding CONSENT_MANAGERS, the consent managers registered with the Board whose signed requests are accepted (a JSON array: docs/consent.md). Empty (the default): none is accepted. Ops create the secret before setting this: the identity\'s Secrets User role is scoped to it.')
param consentManagersSecretName string = ''

@description('CONSENT_MANAGER_AUDIENCE: the aud a consent manager\'s request must carry (docs/consent.md).')
param consentManagerAudience string = 'https://callmissed.com/dpdp-rights'

@description('Name of the Key Vault secret holding PROCESSOR_WEBHOOK_SECRETS, the service partners\' signing secrets as JSON {"partner-id":"<base64>"} (docs/processors.md).')
param processorSecretsSecretName string = 'processor-webhook-secrets'

@description('True once ops have created the processor-secrets secret (docs/processors.md). False: the app setting is empty, no partner webhook is signed and every partner confirmation is refused; nothing else changes.')
param processorSecretsCreated bool = false

// ── The pages (modules/web-hosting.bicep, docs/web-hosting.md) ─────────────────────────────────────

@description('Object id of the service principal that uploads the pages to `$web` (the workflow\'s deploy identity): Storage Blob Data Contributor on that container only. Empty: nobody here (a developer using azd grants their own account: docs/web-hosting.md).')
param webUploaderPrincipalId string = ''

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

@description('Cosmos DB public network access when privateNetworking is false (with privateNetworking it is Disabled: the private endpoint is the way in).')
@allowed([
  'Enabled'
  'Disabled'
])
param cosmosPublicNetworkAccess string = 'Enabled'

@description('Key Vault public network access (Disabled needs the private endpoint and VNet integration; then the firewall denies everything else, with no trusted-service bypass).')
@allowed([
  'Enabled'
  'Disabled'
])
param keyVaultPublicNetworkAccess string = 'Enabled'

@description('Private networking: the Function App joins a VNet (modules/network.bicep) and Cosmos DB, Key Vault, the runtime and data storage accounts and (Premium) Service Bus get private endpoints with public network access off; cosmosPublicNetworkAccess and keyVaultPublicNetworkAccess then no longer apply. The export account stays public (download links). Costs: infra/README.md.')
param privateNetworking bool = true

@description('Address space of the VNet (a /22 or larger): the Flex integration subnet and the private endpoint subnet take a /24 each.')
param vnetAddressPrefix string = '10.40.0.0/22'

@description('A NAT gateway with a static public IP for the app\'s internet egress (one known address for allow-lists). Off: the platform\'s outbound addresses. Costs: infra/README.md.')
param natGateway bool = false

@description('Create the platform\'s database, containers and blob containers here (dev only: in prod the platform owns them).')
param deployPlatformStores bool = false

// The platform's own stores (prod): the service reaches them by PLATFORM_COSMOS_ENDPOINT and PLATFORM_BLOB_ENDPOINT and
// gets data roles there on exactly what the inventory names (modules/platform-*-access.bicep). Same subscription.

@description('The platform\'s Cosmos DB account, holding COSMOS_PLATFORM_DATABASE (required when deployPlatformStores is false; empty in dev).')
param platformCosmosAccountName string = ''

@description('Resource group of the platform\'s Cosmos DB account.')
param platformCosmosResourceGroup string = resourceGroup().name

@description('The account holding the platform\'s containers has (dev: gets) the DeleteAllItemsByPartitionKey capability (preview): the account purge then deletes a tenant\'s records of a delete category with one call per container (PLATFORM_COSMOS_PARTITION_DELETE). Prod: true only once the platform\'s account has the capability.')
param platformCosmosPartitionDelete bool = false

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

@description('Log Analytics retention, every environment. Security and processing logs: at least one year (DPDP Rules 2025 Rules 6(1)(e), 8(3)); 366 days covers a leap year.')
@minValue(366)
@maxValue(730)
param logRetentionDays int = 366

// ── Detect, alert, lock (modules/alerts.bicep, modules/locks.bicep) ─────────────────────────────────

@description('On-call address that receives every alert with the privacy officer (PRIVACY_OFFICER_EMAIL); empty: the privacy officer only.')
param onCallEmail string = ''

@description('Cosmos DB 401/403 responses in 15 minutes that make an alert.')
@minValue(1)
param cosmosDeniedThreshold int = 10

@description('Function failure rate (%) over 15 minutes that makes an alert.')
@minValue(1)
@maxValue(100)
param failureRatePercent int = 5

@description('CanNotDelete locks on Cosmos DB, the data storage account, Key Vault and the workspace. The deploy identity needs Microsoft.Authorization/locks/write (infra/README.md). Off only where the environment is torn down freely (dev).')
param deployLocks bool = true

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
  // 'fn', no longer 'rt': infrastructure encryption can only be chosen when an account is created (infra/README.md).
  runtimeStorage: 'st${baseName}fn${environmentName}${token}'
  dataStorage: 'st${baseName}data${environmentName}${token}'
  exportStorage: 'st${baseName}ex${environmentName}${token}'
  // The pages (privacy center, staff console): static website hosting, in its own account (modules/web-hosting.bicep).
  webStorage: 'st${baseName}web${environmentName}${token}'
  webScriptIdentity: 'id-${baseName}-${environmentName}-web'
  webScript: 'ds-${baseName}-${environmentName}-web'
  vnet: 'vnet-${baseName}-${environmentName}'
  cosmos: 'cosmos-${baseName}-${environmentName}-${token}'
  serviceBus: 'sb-${baseName}-${environmentName}-${token}'
  keyVault: 'kv-${baseName}-${environmentName}-${token}'
  plan: 'plan-${baseName}-${environmentName}'
  functionApp: 'func-${baseName}-${environmentName}-${token}'
}
var deploymentContainerName = 'app-package'
// The Azure CLI image the web account's deployment script runs (a version the deployment script service offers).
var deploymentScriptCliVersion = '2.63.0'
var backupKeyName = 'backup-kek'

// ── Residency guard ─────────────────────────────────────────────────────────────────────────────────
// Not here: infra/subscription/main.bicep assigns Allowed locations, Allowed locations for resource groups and Azure
// Cosmos DB allowed locations at subscription scope, deployed by the platform team with its own identity, so this
// template's deploy identity holds no policy rights and cannot lift the guard it is constrained by (review M4, H1).

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
    publicNetworkAccess: privateNetworking ? 'Disabled' : 'Enabled'
    containerSoftDeleteDays: containerSoftDeleteDays
    // what-if cannot know the principal id before the identity exists: see "Role assignment names" above.
    #disable-next-line what-if-short-circuiting
    principalId: identity.outputs.principalId
  }
}

module dataStorage 'modules/data-storage.bicep' = {
  name: 'data-storage'
  params: {
    name: names.dataStorage
    exportName: names.exportStorage
    publicNetworkAccess: privateNetworking ? 'Disabled' : 'Enabled'
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
    publicNetworkAccess: privateNetworking ? 'Disabled' : cosmosPublicNetworkAccess
    databaseName: cosmosDatabaseName
    platformDatabaseName: cosmosPlatformDatabaseName
    deployPlatformStores: deployPlatformStores
    partitionKeyDelete: deployPlatformStores && platformCosmosPartitionDelete
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
    // Private Link is Premium only: Standard stays public, identity only (infra/README.md, the cost of each).
    publicNetworkAccess: privateNetworking && serviceBusSku == 'Premium' ? 'Disabled' : 'Enabled'
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
    subjectHashKeySecretName: subjectHashKeySecretName
    subjectHashKeyCreated: subjectHashKeyCreated
    consentManagersSecretName: consentManagersSecretName
    processorSecretsSecretName: processorSecretsSecretName
    processorSecretsCreated: processorSecretsCreated
    publicNetworkAccess: privateNetworking ? 'Disabled' : keyVaultPublicNetworkAccess
    workspaceId: monitoring.outputs.workspaceId
    // what-if cannot know the principal id before the identity exists: see "Role assignment names" above.
    #disable-next-line what-if-short-circuiting
    principalId: identity.outputs.principalId
  }
}

// ── Network: the app joins a VNet; the stores are reached by private endpoints, public access off ──────

module network 'modules/network.bicep' = {
  name: 'network'
  params: {
    name: names.vnet
    location: location
    tags: allTags
    addressPrefix: vnetAddressPrefix
    natGateway: natGateway
  }
}

module privateEndpoints 'modules/private-endpoints.bicep' = if (privateNetworking) {
  name: 'private-endpoints'
  // Cosmos DB and Key Vault are named here, not read from their modules' outputs: wait for them.
  dependsOn: [
    cosmos
    keyVault
  ]
  params: {
    namePrefix: '${baseName}-${environmentName}'
    location: location
    tags: allTags
    vnetId: network.outputs.id
    subnetId: network.outputs.privateEndpointSubnetId
    cosmosAccountId: resourceId('Microsoft.DocumentDB/databaseAccounts', names.cosmos)
    keyVaultId: resourceId('Microsoft.KeyVault/vaults', names.keyVault)
    runtimeStorageId: runtimeStorage.outputs.id
    dataStorageId: dataStorage.outputs.id
    serviceBusNamespaceId: serviceBusSku == 'Premium' ? serviceBus.outputs.id : ''
  }
}

// ── The pages: privacy center and staff console, static files served from this region (docs/web-hosting.md) ──

module webHosting 'modules/web-hosting.bicep' = {
  name: 'web-hosting'
  params: {
    name: names.webStorage
    location: location
    tags: allTags
    sku: storageSku
    scriptIdentityName: names.webScriptIdentity
    scriptName: names.webScript
    azCliVersion: deploymentScriptCliVersion
    uploaderPrincipalId: webUploaderPrincipalId
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'function-app'
  // The storage account and Application Insights are read by name: these keep them first (the Key Vault module
  // already waits for monitoring, so monitoring needs no entry of its own: no-unnecessary-dependson). The private
  // endpoints exist before the app starts: with public access off, they are its only way to its stores.
  dependsOn: [
    runtimeStorage
    privateEndpoints
  ]
  params: {
    planName: names.plan
    appName: names.functionApp
    location: location
    tags: allTags
    // azd deploys the service `api` of azure.yaml to the one resource of the resource group with this tag: on the app
    // only, not the plan (azd refuses two resources with one service tag).
    appTags: { 'azd-service-name': 'api' }
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
    // The pages call the API from the static website's origin: DASHBOARD_ORIGINS lists it too.
    pagesOrigin: webHosting.outputs.origin
    cosmosEndpoint: cosmos.outputs.endpoint
    cosmosDatabaseName: cosmosDatabaseName
    cosmosPlatformDatabaseName: cosmosPlatformDatabaseName
    blobEndpoint: dataStorage.outputs.blobEndpoint
    exportBlobEndpoint: dataStorage.outputs.exportBlobEndpoint
    virtualNetworkSubnetId: network.outputs.appSubnetId
    // Dev: the platform's stores are created in this deployment's accounts. Prod: the platform's own accounts.
    platformCosmosEndpoint: deployPlatformStores ? cosmos.outputs.endpoint : platformCosmos!.outputs.endpoint
    platformBlobEndpoint: deployPlatformStores ? dataStorage.outputs.blobEndpoint : platformBlob!.outputs.blobEndpoint
    platformCosmosPartitionDelete: platformCosmosPartitionDelete
    serviceBusNamespace: serviceBus.outputs.fullyQualifiedNamespace
    keyVaultName: keyVault.outputs.name
    subjectHashKeySecretName: subjectHashKeySecretName
    consentManagersSecretName: consentManagersSecretName
    consentManagerAudience: consentManagerAudience
    processorSecretsSecretName: processorSecretsCreated ? processorSecretsSecretName : ''
    backupKeyId: keyVault.outputs.backupKeyId
    authIssuer: authIssuer
    authAudience: authAudience
    authJwksUrl: authJwksUrl
    dpoContactEmail: dpoContactEmail
    dpbContact: dpbContact
    privacyOfficerEmail: privacyOfficerEmail
    maxBodyBytes: maxBodyBytes
    retentionOverrides: retentionOverrides
    // The same value as the account's backup policy (cosmos module): certificates state its restore window.
    cosmosBackupTier: cosmosBackupTier
  }
}

// ── A year of logs, alerts, delete locks ────────────────────────────────────────────────────────────

// Every resource's logs to the workspace. Names, not module outputs (what-if-short-circuiting): dependsOn orders it.
module diagnostics 'modules/diagnostics.bicep' = {
  name: 'diagnostics'
  dependsOn: [
    cosmos
    dataStorage
    runtimeStorage
    webHosting
    serviceBus
    functionApp
    keyVault
  ]
  params: {
    workspaceId: monitoring.outputs.workspaceId
    cosmosAccountName: names.cosmos
    dataStorageName: names.dataStorage
    exportStorageName: names.exportStorage
    runtimeStorageName: names.runtimeStorage
    webStorageName: names.webStorage
    serviceBusName: names.serviceBus
    functionAppName: names.functionApp
    keyVaultName: names.keyVault
  }
}

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  params: {
    location: location
    tags: allTags
    environmentName: environmentName
    baseName: baseName
    privacyOfficerEmail: privacyOfficerEmail
    onCallEmail: onCallEmail
    workspaceId: monitoring.outputs.workspaceId
    appInsightsId: resourceId('Microsoft.Insights/components', names.appInsights)
    serviceBusId: resourceId('Microsoft.ServiceBus/namespaces', names.serviceBus)
    // The app's identity is the one principal expected at the vault: a property of the query, not a name.
    #disable-next-line what-if-short-circuiting
    appPrincipalId: identity.outputs.principalId
    cosmosDeniedThreshold: cosmosDeniedThreshold
    failureRatePercent: failureRatePercent
  }
  // The metric rules need the namespace, the log search rules the tables' workspace (ordered through workspaceId).
  dependsOn: [
    serviceBus
  ]
}

module locks 'modules/locks.bicep' = if (deployLocks) {
  name: 'locks'
  dependsOn: [
    cosmos
    dataStorage
    keyVault
    monitoring
  ]
  params: {
    cosmosAccountName: names.cosmos
    dataStorageName: names.dataStorage
    keyVaultName: names.keyVault
    workspaceName: names.workspace
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
output exportStorageAccountName string = dataStorage.outputs.exportName
// The pages (azure.yaml's postdeploy hook uploads dist/web/ to `$web` there): docs/web-hosting.md.
output webStorageAccountName string = webHosting.outputs.name
output webEndpoint string = webHosting.outputs.webEndpoint
output webOrigin string = webHosting.outputs.origin
output virtualNetworkName string = network.outputs.name
output serviceBusNamespaceName string = serviceBus.outputs.name
output keyVaultName string = keyVault.outputs.name
output backupKeyName string = keyVault.outputs.backupKeyName
output appInsightsName string = monitoring.outputs.appInsightsName
output logAnalyticsWorkspaceName string = monitoring.outputs.workspaceName
