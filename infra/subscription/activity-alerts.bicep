// The subscription's Activity Log, watched (issue 16 item 6; review M2): deployed by infra/subscription/main.bicep,
// by the PLATFORM identity, into a resource group of its own where no app deploy identity has a role. Log search
// rules over the AzureActivity table of the workspace the Activity Log is exported to (main.bicep's diagnostic
// setting), not Activity Log alert rules: those cannot leave out the deploy identities, and every app deployment
// re-PUTs the Key Vault and ~25 role assignments.
//
// A row is reported unless its caller is one of deployerPrincipalIds. AzureActivity's Caller holds a user's UPN, or,
// for a service principal or managed identity, a GUID: its object (principal) id; the objectidentifier claim of
// Claims_d is checked too, so the exclusion holds whichever of the two the row carries. Nothing else is excluded:
// a deploy identity's own changes are the reviewed deployments of the workflow, anyone else's are an alert.
// No query returns a name or email: operation names and counts only.
param location string
param tags { *: string } = {}

@description('Where every alert goes: the privacy officer.')
param privacyOfficerEmail string

@description('On-call address; empty: the privacy officer only.')
param onCallEmail string

@description('Resource id of the Log Analytics workspace that receives the Activity Log (AzureActivity).')
param workspaceId string

@description('Object (principal) ids of the app deploy identities, whose writes are the deployments themselves.')
param deployerPrincipalIds string[]

var receivers = concat(
  [
    {
      name: 'privacy-officer'
      emailAddress: privacyOfficerEmail
      useCommonAlertSchema: true
    }
  ],
  empty(onCallEmail)
    ? []
    : [
        {
          name: 'on-call'
          emailAddress: onCallEmail
          useCommonAlertSchema: true
        }
      ]
)

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: 'ag-dpdp-subscription'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'dpdp-sub'
    enabled: true
    emailReceivers: receivers
  }
}

// Operation names as the Activity Log records them (AzureActivity.OperationNameValue, upper or mixed case: compared
// with in~). A Cosmos DB point-in-time restore is not recorded as restore/action (a permission, checked on the
// source): it is a PUT of an account with createMode Restore, or of a database or container with restoreParameters.
var activityAlerts = [
  {
    name: 'access-changed'
    description: 'A role assignment was created or removed in the subscription by someone other than a deploy identity (who may read personal data changed).'
    operations: [
      'Microsoft.Authorization/roleAssignments/write'
      'Microsoft.Authorization/roleAssignments/delete'
    ]
  }
  {
    name: 'residency-guard-changed'
    description: 'A policy assignment or exemption was written or removed (the India-only residency guard may be lifted).'
    operations: [
      'Microsoft.Authorization/policyAssignments/write'
      'Microsoft.Authorization/policyAssignments/delete'
      'Microsoft.Authorization/policyExemptions/write'
      'Microsoft.Authorization/policyExemptions/delete'
    ]
  }
  {
    name: 'protection-removed'
    description: 'A delete lock or a diagnostic setting was removed, or a Log Analytics table setting changed (deletion guard or logging weakened).'
    operations: [
      'Microsoft.Authorization/locks/delete'
      'Microsoft.Insights/diagnosticSettings/delete'
      'Microsoft.OperationalInsights/workspaces/tables/write'
      'Microsoft.OperationalInsights/workspaces/tables/delete'
    ]
  }
  {
    name: 'cosmos-restore'
    description: 'A Cosmos DB account, database or container was written by someone other than a deploy identity: a point-in-time restore is such a write, and can bring back erased data and destroyed tenant keys (needs the privacy officer\'s sign-off).'
    operations: [
      'Microsoft.DocumentDB/databaseAccounts/write'
      'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/write'
      'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers/write'
    ]
  }
  {
    name: 'publishing-credentials-read'
    description: 'A Function App\'s publishing credentials or settings were listed, or its publish profile read: deployment credentials or secrets left the platform.'
    operations: [
      'Microsoft.Web/sites/config/list/action'
      'Microsoft.Web/sites/publishxml/action'
    ]
  }
  {
    name: 'key-vault-changed'
    description: 'A Key Vault was written or deleted by someone other than a deploy identity (network rules, RBAC mode, purge protection).'
    operations: [
      'Microsoft.KeyVault/vaults/write'
      'Microsoft.KeyVault/vaults/delete'
    ]
  }
]

// The Activity Log reaches the workspace minutes after the event, sometimes more: the window (PT1H) bounds
// TimeGenerated generously, and `ingestion_time() > ago(5m)`, the frequency, takes each row in exactly one run.
var activityQuery = '''
let deployers = dynamic({deployers});
AzureActivity
| where ingestion_time() > ago(5m)
| where OperationNameValue in~ (dynamic({operations}))
| extend callerOid = tostring(column_ifexists("Claims_d", dynamic({}))["http://schemas.microsoft.com/identity/claims/objectidentifier"])
| where not(Caller in~ (deployers)) and not(callerOid in~ (deployers))
| summarize events = count() by OperationNameValue
'''

resource activity 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = [
  for a in activityAlerts: {
    name: 'lsa-dpdp-subscription-${a.name}'
    location: location
    tags: tags
    kind: 'LogAlert'
    properties: {
      description: a.description
      severity: 1
      enabled: true
      scopes: [
        workspaceId
      ]
      evaluationFrequency: 'PT5M'
      windowSize: 'PT1H'
      // AzureActivity exists only once the first Activity Log record arrives after the export is set up.
      skipQueryValidation: true
      autoMitigate: false
      criteria: {
        allOf: [
          {
            query: replace(
              replace(activityQuery, '{deployers}', string(deployerPrincipalIds)),
              '{operations}',
              string(a.operations)
            )
            timeAggregation: 'Count'
            operator: 'GreaterThan'
            threshold: 0
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      actions: {
        actionGroups: [
          actionGroup.id
        ]
      }
    }
  }
]

output actionGroupId string = actionGroup.id
