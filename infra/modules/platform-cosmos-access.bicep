// The platform's own Cosmos DB account (prod): not deployed here, only read (`existing`) and granted to the service.
// The service reaches it by PLATFORM_COSMOS_ENDPOINT and acts on the containers of COSMOS_PLATFORM_DATABASE that the
// data inventory names (src/domain/inventory/platform-inventory.ts): it reads them (exports, backups), deletes and
// anonymises in them (purge, erasure, retention sweep) and writes them back on a restore. So: Cosmos DB Built-in Data
// Contributor, one assignment per container, scoped to that container (a data-plane role assignment's scope is the
// account, a database (/dbs/<db>) or a container (/dbs/<db>/colls/<container>):
// https://learn.microsoft.com/azure/cosmos-db/how-to-setup-rbac). Nothing on the rest of the account, no control plane.
targetScope = 'resourceGroup'

@description('The platform\'s Cosmos DB account, in this resource group.')
@minLength(3)
param accountName string

@description('COSMOS_PLATFORM_DATABASE')
param databaseName string

@description('Principal id of the Function App identity.')
param principalId string

// Exactly the names of `platformContainers(platformInventory)` (src/adapters/cosmos/layout.ts): the infra test compares them.
var platformContainerNames = [
  'accounts'
  'members'
  'apiKeys'
  'bots'
  'conversations'
  'messages'
  'whatsappIdentifiers'
  'integrations'
  'usage'
  'payments'
  'credits'
  'consents'
  'securityLogs'
]

resource account 'Microsoft.DocumentDB/databaseAccounts@2025-04-15' existing = {
  name: accountName
}

// Cosmos DB Built-in Data Contributor: items and queries only; it cannot create or delete databases or containers.
var dataContributor = '00000000-0000-0000-0000-000000000002'

// One at a time: Cosmos DB locks the account for each role assignment write and refuses a concurrent one (412
// PreconditionFailed, "another user operation in progress": hashicorp/terraform-provider-azurerm#15842).
@batchSize(1)
resource containerContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2025-04-15' = [
  for container in platformContainerNames: {
    parent: account
    name: guid(account.id, principalId, dataContributor, databaseName, container)
    properties: {
      roleDefinitionId: '${account.id}/sqlRoleDefinitions/${dataContributor}'
      principalId: principalId
      scope: '${account.id}/dbs/${databaseName}/colls/${container}'
    }
  }
]

// PLATFORM_COSMOS_ENDPOINT
output endpoint string = account.properties.documentEndpoint
