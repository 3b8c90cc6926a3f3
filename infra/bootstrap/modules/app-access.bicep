// The deploy identities' roles on the environment's resource group (the one main.bicep is deployed into).
// Writer (dev, prod): Contributor, Role Based Access Control Administrator constrained to the roles the app templates
// assign, to service principals only, and the lock writer role (lay locks, never lift them). Planner (prod-plan): Reader and the what-if role; it can change nothing.
import { constrainRolesAndServicePrincipals } from 'abac.bicep'

param writerPrincipalId string

@description('prod: the prod-plan identity gets read and what-if rights here. dev: there is none.')
param hasPlanner bool

@description('Empty when hasPlanner is false.')
param plannerPrincipalId string

param contributorRoleId string
param readerRoleId string
param rbacAdministratorRoleId string
param assignableRoleDefinitionIds string[]

@description('Resource id of the lock writer custom role (locks/read and locks/write, no delete).')
param lockWriterRoleId string

@description('Resource id of the what-if custom role; empty when there is no planner.')
param whatIfRoleId string

resource writerContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, writerPrincipalId, contributorRoleId)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', contributorRoleId)
    principalId: writerPrincipalId
    principalType: 'ServicePrincipal'
    description: 'dpdp-rights deploy identity: resources of this resource group'
  }
}

resource writerRoleAssigner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, writerPrincipalId, rbacAdministratorRoleId)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', rbacAdministratorRoleId)
    principalId: writerPrincipalId
    principalType: 'ServicePrincipal'
    description: 'dpdp-rights deploy identity: only the roles the app templates assign, only to service principals'
    condition: constrainRolesAndServicePrincipals(assignableRoleDefinitionIds)
    conditionVersion: '2.0'
  }
}

resource writerLocks 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, writerPrincipalId, lockWriterRoleId)
  properties: {
    roleDefinitionId: lockWriterRoleId
    principalId: writerPrincipalId
    principalType: 'ServicePrincipal'
    description: 'dpdp-rights deploy identity: lay delete locks (never lift them)'
  }
}

resource plannerReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (hasPlanner) {
  name: guid(resourceGroup().id, plannerPrincipalId, readerRoleId)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', readerRoleId)
    principalId: plannerPrincipalId
    principalType: 'ServicePrincipal'
    description: 'dpdp-rights what-if identity: read only'
  }
}

resource plannerWhatIf 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (hasPlanner) {
  name: guid(resourceGroup().id, plannerPrincipalId, whatIfRoleId)
  properties: {
    roleDefinitionId: whatIfRoleId
    principalId: plannerPrincipalId
    principalType: 'ServicePrincipal'
    description: 'dpdp-rights what-if identity: what-if and validation only'
  }
}
