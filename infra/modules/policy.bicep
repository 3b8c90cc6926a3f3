// Residency guard: the built-in "Allowed locations" policy on this resource group, denying any resource
// created outside the given Indian regions (resources in the 'global' location are exempt by design).
targetScope = 'resourceGroup'

@description('Regions resources in this resource group may be created in.')
@minLength(1)
param allowedLocations string[]

// Built-in definition "Allowed locations"; its one parameter is listOfAllowedLocations.
var allowedLocationsDefinition = 'e56962a6-4747-49cd-b67b-bf8b01975c4c'

resource allowedLocationsAssignment 'Microsoft.Authorization/policyAssignments@2025-03-01' = {
  name: 'allowed-locations-india'
  properties: {
    displayName: 'Allowed locations: India only (dpdp-rights)'
    description: 'Privacy Policy §3: every resource, backup and export of the privacy service stays in India.'
    policyDefinitionId: tenantResourceId('Microsoft.Authorization/policyDefinitions', allowedLocationsDefinition)
    enforcementMode: 'Default'
    parameters: {
      listOfAllowedLocations: {
        value: allowedLocations
      }
    }
    nonComplianceMessages: [
      {
        message: 'dpdp-rights keeps every resource in India (Privacy Policy §3). Use one of the allowed Indian regions.'
      }
    ]
  }
}

output id string = allowedLocationsAssignment.id
