// Detect and alert (issue 16 item 6; review M2): one action group (the privacy officer, plus on-call) and the alert
// rules of this resource group. The Board's 72-hour and CERT-In's 6-hour clocks start at detection: these rules are the detection.
//
//   metric                        dead-lettered messages > 0, one rule per Service Bus queue
//   log search (workspace)        function failure rate; Key Vault secret/key use by anyone but the app; Key Vault
//                                 403 bursts; Cosmos DB 401/403 bursts; failed purges, erasures, rotations and sweeps
//
// Not here: the subscription's Activity Log (role and policy assignments, locks, diagnostic settings, Key Vault and
// Cosmos DB writes, publishing credentials). Those rules are infra/subscription/activity-alerts.bicep's, deployed once
// by the platform identity and blind to the deploy identities: from here every deployment (which re-PUTs the vault
// and the role assignments) would fire them, dev and prod would each create the same subscription-wide rules, and
// the deploy identities hold rights on their resource group only.
//
// The action group and the metric rules are Azure Monitor's 'global' resources (AVM: avm/res/insights/{action-group,
// metric-alert}/main.bicep default location 'global'; the built-in Allowed locations policy exempts
// 'global'). They hold configuration only: names, queries, addresses. The log search rules run in the workspace's
// region, and no query returns a name, number or email (counts, operation names and ids only).
param location string
param tags { *: string }
param environmentName string
param baseName string

@description('Where every alert goes: the privacy officer (PRIVACY_OFFICER_EMAIL).')
param privacyOfficerEmail string

@description('On-call address (a team mailbox or the paging tool\'s email intake); empty: the privacy officer only.')
param onCallEmail string

param workspaceId string
param appInsightsId string
param serviceBusId string

@description('Principal id of the Function App identity: the one principal expected to read the hash-key secret and unwrap with the backup key.')
param appPrincipalId string

@description('Cosmos DB 401/403 responses in 15 minutes that make a burst.')
@minValue(1)
param cosmosDeniedThreshold int

@description('Function failure rate (%) over 15 minutes that alerts, with at least 10 invocations.')
@minValue(1)
@maxValue(100)
param failureRatePercent int

// Exactly the QueueName enum of src/ports/scheduler.ts, as servicebus.bicep (test/unit/infra-logs-alerts.test.ts
// compares both): a queue without its dead-letter alert would keep failing silently.
var queueNames = [
  'account-purge'
  'backup-rotation'
  'backup-sets'
  'notifications'
  'request-execution'
  'request-timers'
]

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
  name: 'ag-${baseName}-${environmentName}'
  location: 'global'
  tags: tags
  properties: {
    // At most 12 characters: it is the sender name of SMS and the subject prefix of emails.
    groupShortName: take('${baseName}-${environmentName}', 12)
    enabled: true
    emailReceivers: receivers
  }
}

// ── Dead letters: one rule per queue ─────────────────────────────────────────────────────────────────
// DeadletteredMessages is a gauge (messages now in the dead-letter queue), split by EntityName (the queue).
// Reconciliation finishes what lands there, but a count above zero means a handler keeps failing or notices expire.

resource deadLetters 'Microsoft.Insights/metricAlerts@2026-01-01' = [
  for queue in queueNames: {
    name: 'ma-${baseName}-${environmentName}-dlq-${queue}'
    location: 'global'
    tags: tags
    properties: {
      description: 'Messages in the dead-letter queue of ${queue}.'
      severity: 2
      enabled: true
      scopes: [
        serviceBusId
      ]
      evaluationFrequency: 'PT5M'
      windowSize: 'PT15M'
      autoMitigate: true
      criteria: {
        'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
        allOf: [
          {
            criterionType: 'StaticThresholdCriterion'
            name: 'dead-lettered'
            metricNamespace: 'Microsoft.ServiceBus/namespaces'
            metricName: 'DeadletteredMessages'
            dimensions: [
              {
                name: 'EntityName'
                operator: 'Include'
                values: [
                  queue
                ]
              }
            ]
            operator: 'GreaterThan'
            threshold: 0
            timeAggregation: 'Average'
          }
        ]
      }
      actions: [
        {
          actionGroupId: actionGroup.id
        }
      ]
    }
  }
]

// ── Log search rules over the workspace ──────────────────────────────────────────────────────────────
// Each query returns rows only when something is wrong; the rule fires on one row or more. skipQueryValidation:
// on a new workspace the tables (AzureDiagnostics, CDBDataPlaneRequests, AppTraces, ...) exist only once the first
// record arrives, and creating a rule over a missing table fails validation.

// Function invocations (AppRequests: one per invocation, HTTP or not) that failed, 4xx answers excluded: those are the
// callers' errors, which the API returns on purpose.
var failureRateQuery = '''
AppRequests
| where _ResourceId =~ '{appInsights}'
| summarize total = count(), failed = countif(Success == false and not(ResultCode startswith "4"))
| where total >= 10 and failed * 100.0 / total > {percent}
'''

// Secret reads and key use on the vault by any principal but the app's identity: ops' one-time creation of the hash
// key shows here too (SecretSet, expected once). The audit log is in AzureDiagnostics (keyvault.bicep sends
// categoryGroup audit without a destination type); AZKVAuditLogs is read too, should that setting move to the
// resource-specific table. Column names: learn.microsoft.com/azure/key-vault/general/logging (AzureDiagnostics).
var keyVaultForeignAccessQuery = '''
let app = '{principal}';
union isfuzzy=true
  (AzureDiagnostics
    | where ResourceProvider == "MICROSOFT.KEYVAULT" and Category == "AuditEvent"
    | extend caller = tostring(column_ifexists("identity_claim_oid_g", "")),
             callerLegacy = tostring(column_ifexists("identity_claim_http_schemas_microsoft_com_identity_claims_objectidentifier_g", ""))
    | extend caller = iff(isempty(caller), callerLegacy, caller)),
  (AZKVAuditLogs
    | extend caller = tostring(Identity.claim.oid))
| where OperationName in ("SecretGet", "SecretSet", "SecretList", "SecretBackup", "SecretRestore", "UnwrapKey", "WrapKey", "KeyBackup", "KeyRestore", "KeyImport")
| where caller != app
| summarize attempts = count() by OperationName
'''

var keyVaultForbiddenQuery = '''
union isfuzzy=true
  (AzureDiagnostics
    | where ResourceProvider == "MICROSOFT.KEYVAULT" and Category == "AuditEvent"
    | extend status = toint(column_ifexists("httpStatusCode_d", 0))),
  (AZKVAuditLogs
    | extend status = toint(HttpStatusCode))
| where status in (401, 403)
| summarize denied = count()
| where denied >= 5
'''

var cosmosDeniedQuery = '''
CDBDataPlaneRequests
| where StatusCode in (401, 403)
| summarize denied = count()
| where denied >= {threshold}
'''

// The timers log one JSON line per run (src/app/operations/run-record.ts: `{"level":"info","fn":"reconcileAccountPurges",
// "event":"run_finished",...,"failed":N}`); Application Insights keeps it in AppTraces, the Function App's diagnostic setting in FunctionAppLogs
// (unsampled). A line with failed > 0 means a purge, erasure, backup rotation or retention sweep did not finish.
var failedPurgesQuery = '''
union isfuzzy=true
  (AppTraces | project line = Message),
  (FunctionAppLogs | project line = Message)
| where line has '"fn":"reconcileAccountPurges"' or line has '"fn":"reconcileWhatsAppErasures"'
    or line has '"fn":"reconcileBackups"' or line has '"fn":"retentionSweep"'
| extend entry = parse_json(line)
| where toint(entry.failed) > 0
| summarize runs = count() by fn = tostring(entry.fn)
'''

// A service partner's task past its deadline without confirmation (src/app/processors/timer.ts logs
// `{"level":"error","fn":"processorTasks","event":"processor_task_overdue","taskId":…,"requestId":…,"processorId":…}`, ids
// only): the erasure stays open until the partner confirms or staff record why it could not (docs/processors.md).
// The processorTasks runs that failed (a partner's task that could not be handled) are counted here too.
var processorOverdueQuery = '''
union isfuzzy=true
  (AppTraces | project line = Message),
  (FunctionAppLogs | project line = Message)
| where line has '"fn":"processorTasks"'
| extend entry = parse_json(line)
| where tostring(entry.event) == "processor_task_overdue" or toint(entry.failed) > 0
| summarize tasks = countif(tostring(entry.event) == "processor_task_overdue"), failedRuns = countif(toint(entry.failed) > 0)
'''

var logAlerts = [
  {
    name: 'function-failures'
    description: 'More than ${failureRatePercent}% of function invocations failed in 15 minutes (4xx answers excluded).'
    severity: 2
    frequency: 'PT5M'
    window: 'PT15M'
    query: replace(replace(failureRateQuery, '{appInsights}', appInsightsId), '{percent}', string(failureRatePercent))
  }
  {
    name: 'key-vault-foreign-access'
    description: 'The hash-key secret or the backup key was used by a principal other than the app\'s identity.'
    severity: 1
    frequency: 'PT5M'
    window: 'PT5M'
    query: replace(keyVaultForeignAccessQuery, '{principal}', appPrincipalId)
  }
  {
    name: 'key-vault-denied-burst'
    description: 'Five or more Key Vault requests were refused (401/403) in 15 minutes.'
    severity: 2
    frequency: 'PT5M'
    window: 'PT15M'
    query: keyVaultForbiddenQuery
  }
  {
    name: 'cosmos-denied-burst'
    description: '${cosmosDeniedThreshold} or more Cosmos DB data-plane requests were refused (401/403) in 15 minutes.'
    severity: 2
    frequency: 'PT5M'
    window: 'PT15M'
    query: replace(cosmosDeniedQuery, '{threshold}', string(cosmosDeniedThreshold))
  }
  {
    name: 'failed-purges'
    description: 'A reconciliation or sweep reported failures: a purge, erasure, rotation or retention deletion is overdue.'
    severity: 1
    // The window equals the frequency: with auto-mitigation off, an overlapping window would report each failed run twice.
    frequency: 'PT1H'
    window: 'PT1H'
    query: failedPurgesQuery
  }
  {
    name: 'processor-task-overdue'
    description: 'A service partner did not confirm an erasure, withdrawal or correction by its deadline (or its timer failed): chase it or record why it could not.'
    severity: 2
    // The timer runs every 15 minutes and marks a task overdue once: window = frequency, each reported once.
    frequency: 'PT15M'
    window: 'PT15M'
    query: processorOverdueQuery
  }
]

resource logSearch 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = [
  for a in logAlerts: {
    name: 'lsa-${baseName}-${environmentName}-${a.name}'
    location: location
    tags: tags
    kind: 'LogAlert'
    properties: {
      description: a.description
      severity: a.severity
      enabled: true
      scopes: [
        workspaceId
      ]
      evaluationFrequency: a.frequency
      windowSize: a.window
      skipQueryValidation: true
      autoMitigate: false
      criteria: {
        allOf: [
          {
            query: a.query
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
