// Production. Central India, Cosmos DB replicated to South India (still India; blank it for one region),
// zone-redundant where Central India offers zones. The platform's database and blob containers are the
// platform's, in its own accounts (deployPlatformStores = false): the service gets data roles on what the inventory
// names there. AUTH_* and PLATFORM_* come from the GitHub environment "prod" (infra/README.md).
using './main.bicep'

param environmentName = 'prod'
param location = 'centralindia'

param corsAllowedOrigins = ['https://app.callmissed.com']
param authIssuer = readEnvironmentVariable('AUTH_ISSUER')
param authAudience = readEnvironmentVariable('AUTH_AUDIENCE')
param authJwksUrl = readEnvironmentVariable('AUTH_JWKS_URL')
// The very first deployment, before ops create the SUBJECT_HASH_KEY secret: SUBJECT_HASH_KEY_CREATED=false (infra/README.md).
param subjectHashKeyCreated = bool(readEnvironmentVariable('SUBJECT_HASH_KEY_CREATED', 'true'))
// Once ops have created the partners' signing-secrets secret: PROCESSOR_SECRETS_CREATED=true (docs/processors.md).
param processorSecretsCreated = bool(readEnvironmentVariable('PROCESSOR_SECRETS_CREATED', 'false'))

param cosmosServerless = false
param cosmosMaxThroughput = 4000
param cosmosSecondaryLocation = 'southindia'
param cosmosZoneRedundant = true
param cosmosBackupTier = 'Continuous30Days'
param deployPlatformStores = false
param platformCosmosAccountName = readEnvironmentVariable('PLATFORM_COSMOS_ACCOUNT')
param platformCosmosResourceGroup = readEnvironmentVariable('PLATFORM_COSMOS_RESOURCE_GROUP')
param platformStorageAccountName = readEnvironmentVariable('PLATFORM_STORAGE_ACCOUNT')
param platformStorageResourceGroup = readEnvironmentVariable('PLATFORM_STORAGE_RESOURCE_GROUP')
param storageSku = 'Standard_ZRS'
// Premium: the only tier with Private Link (its endpoint, public access off); about US$680 a month (infra/README.md).
param serviceBusSku = 'Premium'
param privateNetworking = true
param natGateway = false
param logRetentionDays = 366
param deployLocks = true
param maximumInstanceCount = 100
// After locking the audit-anchors immutability policy (infra/README.md), set true: ARM refuses a PUT of a locked policy.
param anchorPolicyLocked = false
