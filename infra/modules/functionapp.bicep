// The Function App on the Flex Consumption plan (Linux, Node), running as the user-assigned identity.
// Flex Consumption takes the runtime, scale and deployment package from functionAppConfig: the old
// FUNCTIONS_WORKER_RUNTIME, FUNCTIONS_EXTENSION_VERSION and WEBSITE_RUN_FROM_PACKAGE settings must not be set.
param planName string
param appName string
param location string
param tags { *: string }
@description('Tags of the app only (azd-service-name: the plan must not carry it).')
param appTags { *: string } = {}

@description('Resource id of the user-assigned identity.')
param identityId string

@description('Client id of the user-assigned identity.')
param identityClientId string

param runtimeStorageName string
param deploymentContainerName string
param appInsightsName string

@allowed([
  '20'
  '22'
])
param nodeVersion string

@minValue(40)
@maxValue(1000)
param maximumInstanceCount int

@allowed([
  2048
  4096
])
param instanceMemoryMB int

@minLength(1)
param corsAllowedOrigins string[]

@description('Origin of the pages (privacy center, staff console: modules/web-hosting.bicep), as a browser sends it (https://host, no trailing slash). DASHBOARD_ORIGINS lists it with corsAllowedOrigins.')
param pagesOrigin string

param cosmosEndpoint string
param cosmosDatabaseName string
param cosmosPlatformDatabaseName string
param blobEndpoint string

@description('EXPORT_BLOB_ENDPOINT: the export account (access-export packages only; public for the download links).')
param exportBlobEndpoint string

@description('The VNet integration subnet (snet-func, delegated to Microsoft.App/environments): the app\'s outbound traffic goes through the VNet, where the stores\' private endpoints are.')
param virtualNetworkSubnetId string

@description('PLATFORM_COSMOS_ENDPOINT: the Cosmos DB account holding COSMOS_PLATFORM_DATABASE.')
param platformCosmosEndpoint string

@description('PLATFORM_BLOB_ENDPOINT: the blob endpoint of the account holding the platform\'s containers.')
param platformBlobEndpoint string

@description('PLATFORM_COSMOS_PARTITION_DELETE: PLATFORM_COSMOS_ENDPOINT\'s account has the DeleteAllItemsByPartitionKey capability.')
param platformCosmosPartitionDelete bool

@description('<namespace>.servicebus.windows.net')
param serviceBusNamespace string

param keyVaultName string
param subjectHashKeySecretName string

@description('The CONSENT_MANAGERS secret\'s name; empty: no consent manager is accepted.')
param consentManagersSecretName string
param consentManagerAudience string

@description('The Key Vault secret holding PROCESSOR_WEBHOOK_SECRETS; empty until ops have created it (the setting is then empty).')
param processorSecretsSecretName string

@description('Versionless id of the backup key-encryption key: https://<vault>.vault.azure.net/keys/<name>.')
param backupKeyId string
param authIssuer string
param authAudience string
param authJwksUrl string
param dpoContactEmail string
param dpbContact string
param privacyOfficerEmail string
param maxBodyBytes int
param retentionOverrides { *: string }

@description('COSMOS_BACKUP_TIER: the continuous-backup tier of the service\'s Cosmos DB account, the value its backupPolicy uses.')
@allowed([
  'Continuous7Days'
  'Continuous30Days'
])
param cosmosBackupTier string

resource runtimeStorage 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: runtimeStorageName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

// The service's own configuration: exactly `settingNames.azure` of src/config/schema.ts, by name
// (test/unit/infra.test.ts compares them). Endpoints and names only; no key, secret or connection string.
var codeSettings = {
  DPDP_PROFILE: 'azure'
  COSMOS_DATABASE: cosmosDatabaseName
  COSMOS_PLATFORM_DATABASE: cosmosPlatformDatabaseName
  MAX_BODY_BYTES: string(maxBodyBytes)
  // The Functions front end appends the caller's address to X-Forwarded-For: one trusted hop.
  TRUSTED_PROXY_HOPS: '1'
  // How long an Idempotency-Key holds its first answer (hours).
  IDEMPOTENCY_TTL_HOURS: '24'
  // Not CORS_ALLOWED_ORIGINS: the platform sets that one itself on Flex Consumption (from siteConfig.cors, as a JSON
  // array), and an app setting of that name breaks every invocation. The app's CORS (both hosts) reads this one.
  // The pages' origin joins the dashboard's: they call the API from the static website (docs/web-hosting.md).
  DASHBOARD_ORIGINS: join(union(corsAllowedOrigins, [pagesOrigin]), ',')
  DPO_CONTACT_EMAIL: dpoContactEmail
  DPB_CONTACT: dpbContact
  PRIVACY_CENTER_URL: '${pagesOrigin}/privacy/'
  PRIVACY_OFFICER_EMAIL: privacyOfficerEmail
  RETENTION_OVERRIDES: string(retentionOverrides)
  // How long point-in-time restore could bring back a destroyed backup key: deletion certificates state it.
  COSMOS_BACKUP_TIER: cosmosBackupTier
  COSMOS_ENDPOINT: cosmosEndpoint
  BLOB_ENDPOINT: blobEndpoint
  EXPORT_BLOB_ENDPOINT: exportBlobEndpoint
  PLATFORM_COSMOS_ENDPOINT: platformCosmosEndpoint
  PLATFORM_BLOB_ENDPOINT: platformBlobEndpoint
  // The purge deletes a tenant's partition in one call only where that account allows it.
  PLATFORM_COSMOS_PARTITION_DELETE: platformCosmosPartitionDelete ? 'true' : 'false'
  ServiceBusConnection__fullyQualifiedNamespace: serviceBusNamespace
  AZURE_CLIENT_ID: identityClientId
  AUTH_ISSUER: authIssuer
  AUTH_AUDIENCE: authAudience
  AUTH_JWKS_URL: authJwksUrl
  // Resolved by the platform with the identity's Key Vault Secrets User role: never a literal here.
  SUBJECT_HASH_KEY: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=${subjectHashKeySecretName})'
  // Who may speak for people (consent managers and their keys) changes only in Key Vault; none until ops add it.
  CONSENT_MANAGERS: empty(consentManagersSecretName)
    ? '[]'
    : '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=${consentManagersSecretName})'
  CONSENT_MANAGER_AUDIENCE: consentManagerAudience
  // The service partners' signing secrets (docs/processors.md), a Key Vault reference the same way; empty (read as
  // unset) until ops have created the secret, so a first deployment never starts on an unresolvable reference.
  PROCESSOR_WEBHOOK_SECRETS: empty(processorSecretsSecretName)
    ? ''
    : '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=${processorSecretsSecretName})'
  // A key id, not key material: the app asks Key Vault to wrap and unwrap with it (Key Vault Crypto User).
  BACKUP_KEK_ID: backupKeyId
  // The app's default host name: <app>.azurewebsites.net while the site does not opt into unique default host
  // names (autoGeneratedDomainNameLabelScope, not set here). Written from the name, not read from the site: a
  // variable holding a resource's runtime value is inlined by the compiler, and codeSettings stays a plain variable.
  PUBLIC_BASE_URL: 'https://${appName}.azurewebsites.net'
}

// The Functions host's own settings, identity-based. The App Insights connection string only names the
// component and its ingestion endpoint: local auth is off there, ingestion needs the identity's token.
var runtimeSettings = {
  AzureWebJobsStorage__accountName: runtimeStorage.name
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  ServiceBusConnection__credential: 'managedidentity'
  ServiceBusConnection__clientId: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD;ClientId=${identityClientId}'
}

var appSettings = union(codeSettings, runtimeSettings)

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource app 'Microsoft.Web/sites@2025-03-01' = {
  name: appName
  location: location
  tags: union(tags, appTags)
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // The product's API: public by design (infra/README.md, "Edge protection" for what could sit in front of it).
    publicNetworkAccess: 'Enabled'
    keyVaultReferenceIdentity: identityId
    // Outbound VNet integration (Flex Consumption: Azure-Samples/functions-quickstart-typescript-azd infra/app/api.bicep).
    virtualNetworkSubnetId: virtualNetworkSubnetId
    siteConfig: {
      minTlsVersion: '1.2'
      // All outbound traffic through the VNet, not only private (RFC 1918) addresses, so the NSG (and a NAT gateway,
      // when on) apply to the internet-bound calls too. Accepted on Flex Consumption: the azurerm provider's Flex
      // expander sends it (internal/services/appservice/helpers, ExpandSiteConfigFunctionFlexConsumptionAppV20250501).
      vnetRouteAllEnabled: true
      http20Enabled: true
      // No ftpsState: Flex Consumption has no FTP endpoint and ARM refuses the property on these sites (error 51021,
      // "Site.SiteConfig.FtpsState ... for Flex Consumption sites is invalid": microsoft/azure-pipelines-tasks#21032,
      // Azure/terraform-azurerm-avm-res-web-site#345). FTP basic auth is off below (ftpBasicAuth).
      // No `cors` here: the app answers CORS itself (src/http/cors.ts, from DASHBOARD_ORIGINS), the same code as
      // the local host. With platform CORS on, the platform answers preflights and sets the allow headers itself
      // and the app's are not the ones the browser sees ("Don't try to use App Service CORS and your own CORS
      // code together. App Service CORS takes precedence and your own CORS code has no effect":
      // https://learn.microsoft.com/azure/app-service/app-service-web-tutorial-rest-api); and it cannot expose
      // response headers (Location, Retry-After, the correlation id) to the dashboard. On Flex Consumption the
      // host would build that policy from CORS_ALLOWED_ORIGINS (Azure/azure-functions-host CorsOptionsSetup.cs).
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${runtimeStorage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'node'
        version: nodeVersion
      }
    }
  }
}

// No publish-profile (basic auth) credentials on the SCM (Kudu, OneDeploy) or FTP endpoints: deployments come with an
// Entra token (azure/login OIDC + Azure/functions-action). aka.ms/app-service-disable-basic-auth; AVM
// avm/res/web/site tests/e2e/waf-aligned/main.test.bicep and basic-publishing-credentials-policy/main.bicep.
resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: app
  name: 'scm'
  properties: {
    allow: false
  }
}

resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: app
  name: 'ftp'
  properties: {
    allow: false
  }
}

// All app settings, in one place: this resource replaces the whole set on every deployment.
resource settings 'Microsoft.Web/sites/config@2025-03-01' = {
  parent: app
  name: 'appsettings'
  properties: appSettings
}

output name string = app.name
output url string = 'https://${app.properties.defaultHostName}'
