// Development: synthetic data only. One region, serverless Cosmos DB, the platform's stores created
// here so the service has something to act on. AUTH_* come from the GitHub environment "dev"
// (or your shell): `az deployment group create` reads them when it builds this file.
using './main.bicep'

param environmentName = 'dev'
param location = 'centralindia'

param corsAllowedOrigins = ['http://localhost:3000']
param authIssuer = readEnvironmentVariable('AUTH_ISSUER')
param authAudience = readEnvironmentVariable('AUTH_AUDIENCE')
param authJwksUrl = readEnvironmentVariable('AUTH_JWKS_URL')
// The very first deployment, before ops create the SUBJECT_HASH_KEY secret: SUBJECT_HASH_KEY_CREATED=false (infra/README.md).
param subjectHashKeyCreated = bool(readEnvironmentVariable('SUBJECT_HASH_KEY_CREATED', 'true'))
// Once ops have created the partners' signing-secrets secret: PROCESSOR_SECRETS_CREATED=true (docs/processors.md).
param processorSecretsCreated = bool(readEnvironmentVariable('PROCESSOR_SECRETS_CREATED', 'false'))

param cosmosServerless = true
param cosmosSecondaryLocation = ''
param cosmosZoneRedundant = false
param cosmosBackupTier = 'Continuous7Days'
param deployPlatformStores = true
param storageSku = 'Standard_LRS'
// Standard: no Private Link (Premium only), so Service Bus stays public with identity only; synthetic data (infra/README.md).
param serviceBusSku = 'Standard'
// The same network as prod, so the pipeline's dev deployment and smoke test prove it before prod.
param privateNetworking = true
param natGateway = false
// A year in every environment (main.bicep enforces it): dev's logs are small, and dev shows the alerts work.
param logRetentionDays = 366
// Dev is torn down and rebuilt freely: no delete locks (prod has them).
param deployLocks = false
param maximumInstanceCount = 40
// After locking the audit-anchors immutability policy (infra/README.md), set true: ARM refuses a PUT of a locked policy.
param anchorPolicyLocked = false
