// The virtual network the Function App joins (outbound VNet integration) and the data stores' private endpoints
// live in. Two subnets:
//   snet-func: the Flex Consumption integration subnet, delegated to Microsoft.App/environments (the delegation Flex
//              Consumption requires: learn.microsoft.com/azure/azure-functions/flex-consumption-plan, "Considerations";
//              Microsoft's sample Azure-Samples/functions-quickstart-typescript-azd infra/app/vnet.bicep). It may hold
//              nothing else: no private endpoint, no service endpoint, no other delegation (flex-consumption-how-to.md,
//              "Enable virtual network integration"). One app uses up to about 40 addresses: a /24 leaves room.
//   snet-pe:   the private endpoints of Cosmos DB, Key Vault, both private storage accounts and (Premium) Service Bus.
// Each subnet has a network security group with the default rules only (inbound from the VNet, nothing from the
// internet; outbound to the VNet and the internet): PSRule Azure.VNET.UseNSGs, and the place to tighten egress later.
param name string
param location string
param tags { *: string }

@description('Address space of the VNet (a /22 or larger): snet-func takes its first /24, snet-pe its second.')
param addressPrefix string

@description('A NAT gateway with one static public IP on snet-func: the app\'s internet egress (the issuer\'s JWKS, Application Insights, the export account, the platform\'s accounts) leaves from one known address. Off: the platform\'s own outbound addresses (functions-networking-options: "unless you\'ve configured a NAT Gateway").')
param natGateway bool

var appSubnetName = 'snet-func'
var privateEndpointSubnetName = 'snet-pe'

resource appNsg 'Microsoft.Network/networkSecurityGroups@2025-05-01' = {
  name: 'nsg-${name}-func'
  location: location
  tags: tags
  properties: {
    securityRules: []
  }
}

resource privateEndpointNsg 'Microsoft.Network/networkSecurityGroups@2025-05-01' = {
  name: 'nsg-${name}-pe'
  location: location
  tags: tags
  properties: {
    securityRules: []
  }
}

resource natIp 'Microsoft.Network/publicIPAddresses@2025-05-01' = if (natGateway) {
  name: 'pip-${name}-nat'
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    tier: 'Regional'
  }
  properties: {
    publicIPAllocationMethod: 'Static'
    publicIPAddressVersion: 'IPv4'
  }
}

resource nat 'Microsoft.Network/natGateways@2025-05-01' = if (natGateway) {
  name: 'ng-${name}'
  location: location
  tags: tags
  sku: {
    name: 'Standard'
  }
  properties: {
    idleTimeoutInMinutes: 4
    publicIpAddresses: [
      {
        id: natIp.id
      }
    ]
  }
}

resource vnet 'Microsoft.Network/virtualNetworks@2025-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    addressSpace: {
      addressPrefixes: [
        addressPrefix
      ]
    }
    // Subnets inline, not as child resources: a redeployment of the VNet would otherwise remove them.
    subnets: [
      {
        name: appSubnetName
        properties: {
          addressPrefix: cidrSubnet(addressPrefix, 24, 0)
          delegations: [
            {
              name: 'flex-consumption'
              properties: {
                serviceName: 'Microsoft.App/environments'
              }
            }
          ]
          networkSecurityGroup: {
            id: appNsg.id
          }
          natGateway: natGateway ? { id: nat.id } : null
          // Said explicitly, not left to the API version's default (from 2025-07-01 new subnets default to no outbound
          // access): without a NAT gateway the app reaches the token issuer's keys, Application Insights, the export
          // account and the platform's accounts through default outbound access; with one, through the NAT gateway.
          defaultOutboundAccess: !natGateway
        }
      }
      {
        name: privateEndpointSubnetName
        properties: {
          addressPrefix: cidrSubnet(addressPrefix, 24, 1)
          // The NSG applies to the private endpoints too (its default rules admit the VNet, which is all they serve).
          privateEndpointNetworkPolicies: 'Enabled'
          // Nothing here calls out: no default outbound access to the internet.
          defaultOutboundAccess: false
          networkSecurityGroup: {
            id: privateEndpointNsg.id
          }
        }
      }
    ]
  }
}

output id string = vnet.id
output name string = vnet.name
output appSubnetId string = resourceId('Microsoft.Network/virtualNetworks/subnets', vnet.name, appSubnetName)
output privateEndpointSubnetId string = resourceId(
  'Microsoft.Network/virtualNetworks/subnets',
  vnet.name,
  privateEndpointSubnetName
)
