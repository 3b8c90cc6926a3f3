// dpdp-rights: what must hold for the whole subscription, deployed by the PLATFORM team with its own identity
// (Owner, or Contributor + Resource Policy Contributor + Security Admin on the subscription), never by the
// app's deploy identity, which therefore cannot lift the residency guard or switch off the detection it is watched by
// (issue 16 items 1, 5, 6; review H1, H2, M2, M4):
//
//   residency   "Allowed locations", "Allowed locations for resource groups", "Azure Cosmos DB allowed locations"
//   logs        the Activity Log exported to the Log Analytics workspace (kept there >= 366 days, not Azure's 90)
//   alerts      that Activity Log watched (activity-alerts.bicep): role/policy assignments, locks, diagnostic settings,
//               Key Vault and Cosmos DB writes (restores), publishing credentials, by anyone but the deploy identities
//   detection   Defender for Cloud plans and the security contact
//
//   az deployment sub create -l centralindia -f infra/subscription/main.bicep -p infra/subscription/main.bicepparam
//
// Sources: the built-in policy definitions in Azure/azure-policy (built-in-policies/policyDefinitions/
// General/AllowedLocations_Deny.json, General/ResourceGroupAllowedLocations_Deny.json, Cosmos DB/Cosmos_Locations_Deny.json);
// Defender plan names, sub-plans and extensions as AVM deploys them (avm/ptn/security/security-center, tests/e2e/max).
targetScope = 'subscription'

@description('Regions resources, resource groups and Cosmos DB replicas may use: India only (Privacy Policy §3).')
@minLength(1)
@allowed([
  'centralindia'
  'southindia'
  'westindia'
  'jioindiawest'
  'jioindiacentral'
])
param allowedLocations string[] = [
  'centralindia'
  'southindia'
  'westindia'
  'jioindiawest'
  'jioindiacentral'
]

@description('Resource id of the Log Analytics workspace (in India) that keeps the Activity Log: the prod workspace of infra/main.bicep (output logAnalyticsWorkspaceName), or the platform\'s own if it keeps >= 366 days.')
param activityLogWorkspaceId string

@description('Defender for Cloud security contact: the privacy officer. Also the address of the subscription alerts\' action group.')
param securityContactEmail string

@description('On-call address that receives the subscription alerts with the privacy officer; empty: the privacy officer only.')
param onCallEmail string = ''

@description('Object (principal) ids of the app deploy identities (infra/bootstrap/deployers.bicep, resource group rg-dpdp-deployers): their writes are the deployments, not alerted. Empty: every write alerts, deployments too.')
param deployerPrincipalIds string[] = []

@description('Resource group of the subscription alert rules and their action group, created here: no app deploy identity has a role in it.')
param alertsResourceGroupName string = 'rg-dpdp-alerts'

@description('Region of that resource group and of its log search rules (the workspace\'s, in India).')
@allowed([
  'centralindia'
  'southindia'
  'westindia'
  'jioindiawest'
  'jioindiacentral'
])
param alertsLocation string = 'centralindia'

@description('Defender for Cloud plans: Standard (paid, infra/README.md "Costs") or Free. The plans apply to the whole subscription.')
@allowed([
  'Standard'
  'Free'
])
param defenderTier string = 'Standard'

// ── Residency ───────────────────────────────────────────────────────────────────────────────────────

var residencyMessage = 'dpdp-rights keeps every resource, replica, backup and export in India (Privacy Policy §3). Use an allowed Indian region.'

// "Allowed locations" (mode Indexed): every resource's `location`; 'global' resources are exempt by the definition.
resource allowedLocationsPolicy 'Microsoft.Authorization/policyAssignments@2025-03-01' = {
  name: 'dpdp-allowed-locations'
  properties: {
    displayName: 'Allowed locations: India only (dpdp-rights)'
    description: 'Privacy Policy §3: every resource stays in India.'
    policyDefinitionId: tenantResourceId('Microsoft.Authorization/policyDefinitions', 'e56962a6-4747-49cd-b67b-bf8b01975c4c')
    enforcementMode: 'Default'
    parameters: {
      listOfAllowedLocations: {
        value: allowedLocations
      }
    }
    nonComplianceMessages: [
      {
        message: residencyMessage
      }
    ]
  }
}

// "Allowed locations for resource groups" (mode All): the resource group's own region, where deployment metadata and
// every parameter value are kept. Effective only at subscription (or management-group) scope.
resource resourceGroupLocationsPolicy 'Microsoft.Authorization/policyAssignments@2025-03-01' = {
  name: 'dpdp-allowed-rg-locations'
  properties: {
    displayName: 'Allowed locations for resource groups: India only (dpdp-rights)'
    description: 'Privacy Policy §3: resource groups, and the deployment records they keep, stay in India.'
    policyDefinitionId: tenantResourceId('Microsoft.Authorization/policyDefinitions', 'e765b5de-1225-4ba3-bd56-1ac6695af988')
    enforcementMode: 'Default'
    parameters: {
      listOfAllowedLocations: {
        value: allowedLocations
      }
    }
    nonComplianceMessages: [
      {
        message: residencyMessage
      }
    ]
  }
}

// "Azure Cosmos DB allowed locations": every entry of properties.locations[] (replicas and failover regions), which
// "Allowed locations" never looks at.
resource cosmosLocationsPolicy 'Microsoft.Authorization/policyAssignments@2025-03-01' = {
  name: 'dpdp-allowed-cosmos-locations'
  properties: {
    displayName: 'Azure Cosmos DB allowed locations: India only (dpdp-rights)'
    description: 'Privacy Policy §3: every Cosmos DB replica and failover region is in India.'
    policyDefinitionId: tenantResourceId('Microsoft.Authorization/policyDefinitions', '0473574d-2d43-4217-aefe-941fcdf7e684')
    enforcementMode: 'Default'
    parameters: {
      listOfAllowedLocations: {
        value: allowedLocations
      }
      // The definition's allowed values are lower case ('deny', 'audit', 'disabled') and Azure Policy compares them
      // case-sensitively: 'Deny' fails the assignment (PolicyParameterValueNotAllowed). The two definitions above
      // have no effect parameter (always deny).
      policyEffect: {
        value: 'deny'
      }
    }
    nonComplianceMessages: [
      {
        message: residencyMessage
      }
    ]
  }
}

// ── The Activity Log, kept a year ──────────────────────────────────────────────────────────────────
// Every category of the subscription's Activity Log (categoryGroup is not offered at subscription scope).
var activityLogCategories = [
  'Administrative'
  'Security'
  'ServiceHealth'
  'Alert'
  'Recommendation'
  'Policy'
  'Autoscale'
  'ResourceHealth'
]

// The preview API, as everywhere in infra/ (infra/modules/diagnostics.bicep says why).
#disable-next-line use-recent-api-versions
resource activityLog 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'activity-log-to-log-analytics'
  properties: {
    workspaceId: activityLogWorkspaceId
    logs: [
      for category in activityLogCategories: {
        category: category
        enabled: true
      }
    ]
  }
}

// ── The Activity Log, watched ──────────────────────────────────────────────────────────────────────
// Here, not in infra/modules/alerts.bicep: deployed once, by this identity, and blind to the deploy identities, whose
// every deployment re-PUTs the Key Vault and the role assignments (activity-alerts.bicep says how).

resource alertsGroup 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: alertsResourceGroupName
  location: alertsLocation
}

module activityAlerts 'activity-alerts.bicep' = {
  name: 'dpdp-activity-alerts'
  scope: alertsGroup
  params: {
    location: alertsLocation
    privacyOfficerEmail: securityContactEmail
    onCallEmail: onCallEmail
    workspaceId: activityLogWorkspaceId
    deployerPrincipalIds: deployerPrincipalIds
  }
}

// ── Defender for Cloud ─────────────────────────────────────────────────────────────────────────────
// Not here: AppServices. Defender for App Service protects plans on dedicated machines (Free, Basic, Standard,
// Premium v2/v3, App Service Environment: learn.microsoft.com/azure/defender-for-cloud/defender-for-app-service-introduction,
// "Availability"); Consumption and Flex Consumption are not among them, so it would cover nothing of this service.
// Declaring it 'Free' here would switch it off for other apps in the subscription: it is left alone.
var defenderPlans = [
  {
    // Activity monitoring and sensitive data threat detection on both storage accounts. On-upload malware scanning
    // is off: only the service writes there (encrypted backups, its own exports), and it is billed per GB scanned.
    name: 'StorageAccounts'
    subPlan: 'DefenderForStorageV2'
    extensions: [
      {
        name: 'OnUploadMalwareScanning'
        isEnabled: 'False'
      }
      {
        name: 'SensitiveDataDiscovery'
        isEnabled: 'True'
      }
    ]
  }
  {
    name: 'CosmosDbs'
    subPlan: null
    extensions: null
  }
  {
    name: 'KeyVaults'
    subPlan: 'PerKeyVault'
    extensions: null
  }
  {
    // Defender for Resource Manager: suspicious control-plane operations (role grants, mass deletes, unusual callers).
    name: 'Arm'
    subPlan: 'PerSubscription'
    extensions: null
  }
  {
    // Defender CSPM: posture, attack paths, and the sensitive data discovery the storage plan's detections draw on.
    name: 'CloudPosture'
    subPlan: null
    extensions: [
      {
        name: 'SensitiveDataDiscovery'
        isEnabled: 'True'
      }
    ]
  }
]

// One at a time: concurrent updates of the subscription's pricings conflict (AVM deploys them with @batchSize(1)).
@batchSize(1)
resource defender 'Microsoft.Security/pricings@2026-07-01' = [
  for plan in defenderPlans: {
    name: plan.name
    properties: {
      pricingTier: defenderTier
      subPlan: defenderTier == 'Standard' ? plan.subPlan : null
      extensions: defenderTier == 'Standard' ? plan.extensions : null
    }
  }
]

resource securityContact 'Microsoft.Security/securityContacts@2023-12-01-preview' = {
  name: 'default'
  properties: {
    emails: securityContactEmail
    isEnabled: true
    notificationsByRole: {
      roles: [
        'Owner'
      ]
      state: 'On'
    }
    notificationsSources: [
      {
        sourceType: 'Alert'
        minimalSeverity: 'Medium'
      }
      {
        sourceType: 'AttackPath'
        minimalRiskLevel: 'High'
      }
    ]
  }
}

output policyAssignmentIds string[] = [
  allowedLocationsPolicy.id
  resourceGroupLocationsPolicy.id
  cosmosLocationsPolicy.id
]
