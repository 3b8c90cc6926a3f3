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

param cosmosServerless = true
param cosmosSecondaryLocation = ''
param cosmosZoneRedundant = false
param cosmosBackupTier = 'Continuous7Days'
param deployPlatformStores = true
param storageSku = 'Standard_LRS'
param serviceBusSku = 'Standard'
param logRetentionDays = 30
param maximumInstanceCount = 40
// After locking the audit-anchors immutability policy (infra/README.md), set true: ARM refuses a PUT of a locked policy.
param anchorPolicyLocked = false
