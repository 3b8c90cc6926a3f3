// prod: what the prod deploy identity needs in the platform's storage resource group for
// infra/modules/platform-blob-access.bicep (Storage Blob Data Contributor on the inventory's containers, nothing else),
// and what the prod-plan identity needs to what-if it.
import { constrainRolesAndServicePrincipals } from 'abac.bicep'

param accountName string
param writerPrincipalId string
param plannerPrincipalId string
param readerRoleId string
param whatIfRoleId string
param deploymentsRoleId string
param rbacAdministratorRoleId string
param assignableRoleDefinitionIds string[]

@description('False when the platform\'s Cosmos DB account is in the same resource group: its module already grants deployments there.')
param assignDeploymentRoles bool

resource account 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: accountName
}

resource writerDeployments 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (assignDeploymentRoles) {
  name: guid(resourceGroup().id, writerPrincipalId, deploymentsRoleId)
  properties: {
    roleDefinitionId: deploymentsRoleId
    principalId: writerPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource writerRoleAssigner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account.id, writerPrincipalId, rbacAdministratorRoleId)
  scope: account
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', rbacAdministratorRoleId)
    principalId: writerPrincipalId
    principalType: 'ServicePrincipal'
    description: 'dpdp-rights prod deploy identity: Storage Blob Data Contributor on the inventory\'s containers only'
    condition: constrainRolesAndServicePrincipals(assignableRoleDefinitionIds)
    conditionVersion: '2.0'
  }
}

resource plannerWhatIf 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (assignDeploymentRoles) {
  name: guid(resourceGroup().id, plannerPrincipalId, whatIfRoleId)
  properties: {
    roleDefinitionId: whatIfRoleId
    principalId: plannerPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource plannerReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account.id, plannerPrincipalId, readerRoleId)
  scope: account
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', readerRoleId)
    principalId: plannerPrincipalId
    principalType: 'ServicePrincipal'
  }
}
