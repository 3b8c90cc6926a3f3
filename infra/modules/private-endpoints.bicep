// Private endpoints for the data stores, in snet-pe, with one privatelink DNS zone per kind, linked to the VNet, and a
// zone group on each endpoint (the platform writes and removes the A records itself). Inside the VNet the stores'
// usual names (<account>.documents.azure.com, <vault>.vault.azure.net, <account>.blob.core.windows.net,
// <ns>.servicebus.windows.net) resolve to these private addresses; the stores have public network access off.
// Group ids and zone names: learn.microsoft.com/azure/private-link/private-endpoint-dns ("Azure services DNS zone
// configuration"): Cosmos DB for NoSQL Sql -> privatelink.documents.azure.com, Key Vault vault ->
// privatelink.vaultcore.azure.net, Blob blob -> privatelink.blob.<storage suffix>, Service Bus namespace ->
// privatelink.servicebus.windows.net. Pattern: Azure-Samples/functions-quickstart-typescript-azd
// infra/app/storage-PrivateEndpoint.bicep (blob only: the Functions host's timers and the Flex deployment package
// use blobs; queues and tables only for Durable Functions and some bindings, which this app does not use).
// Private DNS zones are global resources (location 'global', as Azure requires); they hold only these A records.
param namePrefix string
param location string
param tags { *: string }

@description('The VNet the zones are linked to.')
param vnetId string

@description('The subnet the endpoints are placed in (snet-pe).')
param subnetId string

param cosmosAccountId string
param keyVaultId string
param runtimeStorageId string
param dataStorageId string

@description('The Service Bus namespace, when Premium (Standard has no Private Link): empty for none.')
param serviceBusNamespaceId string

var zoneOf = {
  Sql: 'privatelink.documents.azure.com'
  vault: 'privatelink.vaultcore.azure.net'
  blob: 'privatelink.blob.${environment().suffixes.storage}'
  namespace: 'privatelink.servicebus.windows.net'
}

var endpoints = concat(
  [
    { name: 'cosmos', target: cosmosAccountId, group: 'Sql' }
    { name: 'kv', target: keyVaultId, group: 'vault' }
    { name: 'st-runtime-blob', target: runtimeStorageId, group: 'blob' }
    { name: 'st-data-blob', target: dataStorageId, group: 'blob' }
  ],
  empty(serviceBusNamespaceId) ? [] : [{ name: 'sb', target: serviceBusNamespaceId, group: 'namespace' }]
)

// One zone per kind of endpoint in use (both storage accounts share the blob zone).
var groups = empty(serviceBusNamespaceId) ? ['Sql', 'vault', 'blob'] : ['Sql', 'vault', 'blob', 'namespace']

resource zones 'Microsoft.Network/privateDnsZones@2024-06-01' = [
  for group in groups: {
    name: zoneOf[group]
    location: 'global'
    tags: tags
  }
]

resource links 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = [
  for (group, i) in groups: {
    parent: zones[i]
    name: 'link-${namePrefix}'
    location: 'global'
    tags: tags
    properties: {
      registrationEnabled: false
      // A name these zones do not hold resolves publicly: the platform's own accounts (prod) or the export account may
      // have private endpoints elsewhere, which points their public names into privatelink.*; without this fallback
      // they would not resolve in this VNet at all. (2024-06-01 API: resolutionPolicy.)
      resolutionPolicy: 'NxDomainRedirect'
      virtualNetwork: {
        id: vnetId
      }
    }
  }
]

resource endpoint 'Microsoft.Network/privateEndpoints@2025-05-01' = [
  for e in endpoints: {
    name: 'pe-${namePrefix}-${e.name}'
    location: location
    tags: tags
    properties: {
      subnet: {
        id: subnetId
      }
      privateLinkServiceConnections: [
        {
          name: e.name
          properties: {
            privateLinkServiceId: e.target
            groupIds: [
              e.group
            ]
          }
        }
      ]
    }
  }
]

resource zoneGroup 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2025-05-01' = [
  for (e, i) in endpoints: {
    parent: endpoint[i]
    name: 'default'
    properties: {
      privateDnsZoneConfigs: [
        {
          name: replace(zoneOf[e.group], '.', '-')
          properties: {
            privateDnsZoneId: zones[indexOf(groups, e.group)].id
          }
        }
      ]
    }
  }
]

output endpointNames string[] = [for (e, i) in endpoints: endpoint[i].name]
output zoneNames string[] = [for (group, i) in groups: zones[i].name]
