// prod: what the prod deploy identity needs in the platform's Cosmos DB resource group for
// infra/modules/platform-cosmos-access.bicep (a nested deployment that reads the account and writes SQL role
// assignments on the inventory's containers), and what the prod-plan identity needs to what-if it. Nothing else of the
// platform's.
param accountName string
param writerPrincipalId string
param plannerPrincipalId string
param readerRoleId string
param whatIfRoleId string
param deploymentsRoleId string
param cosmosRoleAssignerRoleId string

resource account 'Microsoft.DocumentDB/databaseAccounts@2025-04-15' existing = {
  name: accountName
}

resource writerDeployments 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, writerPrincipalId, deploymentsRoleId)
  properties: {
    roleDefinitionId: deploymentsRoleId
    principalId: writerPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource writerCosmosRoleAssigner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account.id, writerPrincipalId, cosmosRoleAssignerRoleId)
  scope: account
  properties: {
    roleDefinitionId: cosmosRoleAssignerRoleId
    principalId: writerPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource plannerWhatIf 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
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
