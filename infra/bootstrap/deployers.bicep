// The GitHub Actions deploy identities of one environment (issue 16 item 2, review H1). An administrator (Owner or
// User Access Administrator on the subscription) deploys this ONCE per environment, by hand, never from the workflow:
//
//   az deployment sub create -l centralindia -n dpdp-deployers-dev  -f infra/bootstrap/deployers.bicep \
//     -p environmentName=dev  oidcSubjectPrefix=repo:<owner>/<repo> appResourceGroupName=rg-dpdp-dev
//   az deployment sub create -l centralindia -n dpdp-deployers-prod -f infra/bootstrap/deployers.bicep \
//     -p environmentName=prod oidcSubjectPrefix=repo:<owner>/<repo> appResourceGroupName=rg-dpdp-prod \
//        platformCosmosAccountName=... platformCosmosResourceGroup=... platformStorageAccountName=... platformStorageResourceGroup=...
//
// What it creates (infra/README.md, "Deploy identities"):
// - dev:  id-dpdp-deploy-dev, federated ONLY to the GitHub environment `dev`: Contributor on the dev resource group,
//         Role Based Access Control Administrator there constrained by an ABAC condition to exactly the roles the app
//         templates assign (appTemplateRoleDefinitionIds), to service principals only, and a lock writer role (lay
//         delete locks, never lift them). Nothing anywhere else.
// - prod: id-dpdp-deploy-prod-plan, federated ONLY to `prod-plan`: Reader plus a what-if-only custom role (what-if with
//         --validation-level ProviderNoRbac checks read permission only: Azure/arm-template-whatif#135,
//         Azure/bicep#17247); it can change nothing.
//         id-dpdp-deploy-prod, federated ONLY to `prod` (required reviewers, main only): Contributor, the constrained
//         RBAC Administrator and the lock writer role on the prod resource group, and on the platform's stores only what platform-*-access.bicep
//         needs (Cosmos DB SQL role assignments on the platform account; Storage Blob Data Contributor assignments on
//         the platform storage account; deployments in those two resource groups).
// No identity holds Resource Policy Contributor: the residency policy is assigned at subscription scope by the platform
// template, out of the app deployers' reach. The identities live in their own resource group, where no deploy identity
// has any role, so none can add a federated credential to itself (Contributor includes
// userAssignedIdentities/federatedIdentityCredentials/write).
targetScope = 'subscription'

@description('The environment whose deploy identities these are.')
@allowed([
  'dev'
  'prod'
])
param environmentName string

@description('The GitHub OIDC subject prefix of the repository: repo:<owner>/<repo> (or the immutable form repo:<owner>@<id>/<repo>@<id> if the repository issues that; read `sub` from a failed login if unsure). Each credential appends :environment:<name>.')
@minLength(8)
param oidcSubjectPrefix string

@description('Region of the identities\' resource group and of the identities. India only.')
@allowed([
  'centralindia'
  'southindia'
  'westindia'
  'jioindiawest'
  'jioindiacentral'
])
param location string = 'centralindia'

@description('Resource group of the deploy identities (no deploy identity has a role in it).')
param identityResourceGroupName string = 'rg-dpdp-deployers'

@description('The environment\'s resource group (infra/main.bicep is deployed into it); it must exist.')
param appResourceGroupName string

@description('prod: the platform\'s Cosmos DB account (main.prod.bicepparam PLATFORM_COSMOS_ACCOUNT). Empty in dev.')
param platformCosmosAccountName string = ''

@description('prod: its resource group (PLATFORM_COSMOS_RESOURCE_GROUP).')
param platformCosmosResourceGroup string = ''

@description('prod: the platform\'s storage account (PLATFORM_STORAGE_ACCOUNT). Empty in dev.')
param platformStorageAccountName string = ''

@description('prod: its resource group (PLATFORM_STORAGE_RESOURCE_GROUP).')
param platformStorageResourceGroup string = ''

param tags { *: string } = {}

// ── The roles the app templates assign (infra/modules/*.bicep, Microsoft.Authorization/roleAssignments) ─────────────
// Exactly these: test/unit/infra-privilege.test.ts reads every roleDefinitionId the templates assign and compares. A
// template that assigns a new role fails there until it is added here and this template is redeployed.
var appTemplateRoleDefinitionIds = [
  'b7e6dc6d-f1e8-4753-8033-0f276bb0955b' // Storage Blob Data Owner (runtime storage)
  'ba92f5b4-2d11-453d-a403-e96b0029c9fe' // Storage Blob Data Contributor (data and platform containers)
  'db58b8e5-c6ad-4a2a-8342-4190687cbf4a' // Storage Blob Delegator (data account)
  '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39' // Azure Service Bus Data Sender (per queue)
  '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0' // Azure Service Bus Data Receiver (per queue)
  'e147488a-f6f5-4113-8e2d-b22465e65bf6' // Key Vault Crypto Service Encryption User (backup-kek)
  '4633458b-17de-408a-b874-0445c86b69e6' // Key Vault Secrets User (subject-hash-key)
  '3913510d-42f4-4e42-8a64-420c390055eb' // Monitoring Metrics Publisher (Application Insights)
  '17d1049b-9a84-46fb-8f53-869881c3d3ab' // Storage Account Contributor (the pages' account only: its deployment script turns static website on)
]

// What the platform-blob-access.bicep module assigns on the platform's storage account.
var platformStorageRoleDefinitionIds = [
  'ba92f5b4-2d11-453d-a403-e96b0029c9fe' // Storage Blob Data Contributor
]

// Built-in roles given to the deploy identities (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles).
var contributor = 'b24988ac-6180-42a0-ab88-20f7382dd24c'
var reader = 'acdd72a7-3385-48ef-bd42-f606fba81ae7'
var rbacAdministrator = 'f58310d9-a9f6-439a-9e8d-f62e7b41a168'

var isProd = environmentName == 'prod'
var githubIssuer = 'https://token.actions.githubusercontent.com'

// One identity per GitHub environment, each federated to that environment alone.
var deployers = isProd
  ? [
      { githubEnvironment: 'prod-plan' }
      { githubEnvironment: 'prod' }
    ]
  : [
      { githubEnvironment: 'dev' }
    ]

var platformResourceGroups = isProd ? union([platformCosmosResourceGroup], [platformStorageResourceGroup]) : []

resource identityGroup 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: identityResourceGroupName
  location: location
  tags: union(tags, { app: 'dpdp-rights', purpose: 'deploy-identities', 'data-residency': 'india' })
}

module identities 'modules/identities.bicep' = {
  name: 'dpdp-deploy-identities-${environmentName}'
  scope: identityGroup
  params: {
    location: location
    tags: union(tags, { app: 'dpdp-rights', environment: environmentName, 'data-residency': 'india' })
    issuer: githubIssuer
    identities: [
      for d in deployers: {
        name: 'id-dpdp-deploy-${d.githubEnvironment}'
        subject: '${oidcSubjectPrefix}:environment:${d.githubEnvironment}'
      }
    ]
  }
}

// What-if and nothing else: read deployments, run what-if and validation. With Reader, enough for
// `az deployment group what-if --validation-level ProviderNoRbac` (read permission on each resource, not write).
resource whatIfRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = if (isProd) {
  name: guid(subscription().id, 'dpdp-rights', environmentName, 'what-if')
  properties: {
    roleName: 'dpdp-rights ${environmentName} what-if (${subscription().subscriptionId})'
    description: 'Runs ARM what-if and validation of deployments; cannot deploy or change any resource.'
    type: 'CustomRole'
    assignableScopes: [
      for rg in union([appResourceGroupName], platformResourceGroups): subscriptionResourceId(
        'Microsoft.Resources/resourceGroups',
        rg
      )
    ]
    permissions: [
      {
        actions: [
          'Microsoft.Resources/deployments/read'
          'Microsoft.Resources/deployments/whatIf/action'
          'Microsoft.Resources/deployments/validate/action'
          'Microsoft.Resources/deployments/operations/read'
          'Microsoft.Resources/deployments/operationstatuses/read'
        ]
      }
    ]
  }
}

// Delete locks (infra/modules/locks.bicep): Contributor cannot lay them (its NotActions exclude
// Microsoft.Authorization/*/Write). Read and write only, no delete: the deploy identity can lay a CanNotDelete lock but
// never lift one (only an Owner or User Access Administrator can).
resource lockWriterRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(subscription().id, 'dpdp-rights', environmentName, 'lock-writer')
  properties: {
    roleName: 'dpdp-rights ${environmentName} lock writer (${subscription().subscriptionId})'
    description: 'Lays management locks; cannot delete them.'
    type: 'CustomRole'
    assignableScopes: [
      subscriptionResourceId('Microsoft.Resources/resourceGroups', appResourceGroupName)
    ]
    permissions: [
      {
        actions: [
          'Microsoft.Authorization/locks/read'
          'Microsoft.Authorization/locks/write'
        ]
      }
    ]
  }
}

// prod: the nested deployments main.bicep runs in the platform's resource groups (platform-*-access.bicep), no more.
resource platformDeploymentsRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = if (isProd) {
  name: guid(subscription().id, 'dpdp-rights', environmentName, 'platform-deployments')
  properties: {
    roleName: 'dpdp-rights ${environmentName} platform deployments (${subscription().subscriptionId})'
    description: 'Runs deployments (not resources) in the platform\'s resource groups: the role assignments there need their own rights.'
    type: 'CustomRole'
    assignableScopes: [for rg in platformResourceGroups: subscriptionResourceId('Microsoft.Resources/resourceGroups', rg)]
    permissions: [
      {
        actions: [
          'Microsoft.Resources/deployments/*'
        ]
      }
    ]
  }
}

// prod: Cosmos DB SQL role assignments on the platform's account (platform-cosmos-access.bicep). Cosmos DB data-plane
// assignments are not Azure RBAC, so no ABAC condition can narrow them: this role is on the platform account only, and
// only the reviewed `prod` identity holds it.
resource platformCosmosRoleAssigner 'Microsoft.Authorization/roleDefinitions@2022-04-01' = if (isProd) {
  name: guid(subscription().id, 'dpdp-rights', environmentName, 'platform-cosmos-role-assigner')
  properties: {
    roleName: 'dpdp-rights ${environmentName} platform Cosmos DB role assigner (${subscription().subscriptionId})'
    description: 'Reads the platform Cosmos DB account and writes its SQL (data-plane) role assignments; no keys, no data, no other change.'
    type: 'CustomRole'
    assignableScopes: isProd ? [subscriptionResourceId('Microsoft.Resources/resourceGroups', platformCosmosResourceGroup)] : []
    permissions: [
      {
        actions: [
          'Microsoft.DocumentDB/databaseAccounts/read'
          'Microsoft.DocumentDB/databaseAccounts/sqlRoleDefinitions/read'
          'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments/read'
          'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments/write'
        ]
      }
    ]
  }
}

module appAccess 'modules/app-access.bicep' = {
  name: 'dpdp-deployers-${environmentName}-app'
  scope: resourceGroup(appResourceGroupName)
  params: {
    // dev: [dev]; prod: [prod-plan, prod] (the order of `deployers`).
    hasPlanner: isProd
    // The principal ids exist only once the identities do, so what-if cannot predict the role assignment names keyed on
    // them (as in infra/main.bicep): accepted for a template an administrator deploys once.
    #disable-next-line what-if-short-circuiting
    writerPrincipalId: isProd ? identities.outputs.principalIds[1] : identities.outputs.principalIds[0]
    #disable-next-line what-if-short-circuiting
    plannerPrincipalId: isProd ? identities.outputs.principalIds[0] : ''
    contributorRoleId: contributor
    readerRoleId: reader
    rbacAdministratorRoleId: rbacAdministrator
    assignableRoleDefinitionIds: appTemplateRoleDefinitionIds
    lockWriterRoleId: lockWriterRole.id
    whatIfRoleId: isProd ? whatIfRole.id : ''
  }
}

module platformCosmosAccess 'modules/platform-cosmos-deployer.bicep' = if (isProd) {
  name: 'dpdp-deployers-${environmentName}-platform-cosmos'
  // Empty in dev, where the module is skipped: a non-empty name keeps the skipped scope valid.
  scope: resourceGroup(empty(platformCosmosResourceGroup) ? appResourceGroupName : platformCosmosResourceGroup)
  params: {
    accountName: platformCosmosAccountName
    // what-if cannot know the principal ids before the identities exist (above).
    #disable-next-line what-if-short-circuiting
    writerPrincipalId: identities.outputs.principalIds[1]
    #disable-next-line what-if-short-circuiting
    plannerPrincipalId: identities.outputs.principalIds[0]
    readerRoleId: reader
    whatIfRoleId: whatIfRole.id
    deploymentsRoleId: platformDeploymentsRole.id
    cosmosRoleAssignerRoleId: platformCosmosRoleAssigner.id
  }
}

module platformStorageAccess 'modules/platform-storage-deployer.bicep' = if (isProd) {
  name: 'dpdp-deployers-${environmentName}-platform-storage'
  scope: resourceGroup(empty(platformStorageResourceGroup) ? appResourceGroupName : platformStorageResourceGroup)
  params: {
    accountName: platformStorageAccountName
    // what-if cannot know the principal ids before the identities exist (above).
    #disable-next-line what-if-short-circuiting
    writerPrincipalId: identities.outputs.principalIds[1]
    #disable-next-line what-if-short-circuiting
    plannerPrincipalId: identities.outputs.principalIds[0]
    readerRoleId: reader
    whatIfRoleId: whatIfRole.id
    deploymentsRoleId: platformDeploymentsRole.id
    rbacAdministratorRoleId: rbacAdministrator
    assignableRoleDefinitionIds: platformStorageRoleDefinitionIds
    // Both storage modules may share one resource group: the role assignment at that group is made once.
    assignDeploymentRoles: platformStorageResourceGroup != platformCosmosResourceGroup
  }
}

// AZURE_CLIENT_ID of each GitHub environment (infra/README.md): `az deployment sub show -n dpdp-deployers-<env>`.
output clientIds { *: string } = toObject(
  range(0, length(deployers)),
  i => deployers[i].githubEnvironment,
  i => identities.outputs.clientIds[i]
)
