// A year of logs, for everything (issue 16 item 1; review H2): every resource's data-plane and control-plane logs go
// to the Log Analytics workspace, whose retention is at least 366 days in every environment (monitoring.bicep).
// Resources are read by name (`existing`); main.bicep orders this module after the modules that create them.
//
//   resource                               logs                                   table(s) in the workspace
//   Cosmos DB account                      allLogs (data plane, control plane)    CDBDataPlaneRequests, CDBControlPlaneRequests, ...
//   data, export, runtime storage: blob    allLogs (StorageRead/Write/Delete)     StorageBlobLogs
//   web (pages) storage: blob              StorageWrite, StorageDelete only       StorageBlobLogs
//   Service Bus namespace                  allLogs (operational; runtime audit    AZMSOperationalLogs, ...
//                                          only on Premium)
//   Function App                           allLogs                                FunctionAppLogs, ...
//   Key Vault                              audit: keyvault.bicep's own setting;   AzureDiagnostics (AuditEvent)
//                                          metrics: here
//   Log Analytics workspace                audit (who queried): monitoring.bicep  LAQueryLogs
//   Application Insights                   none needed: workspace-based, its telemetry already is in the workspace
//   Activity Log (subscription)            infra/subscription/main.bicep          AzureActivity
//
// Only the blob service of each storage account is used (the identity has blob roles only: no queue, table or file
// traffic to log). What the logs hold: ids, operation names, caller object ids and IP addresses, status codes;
// Cosmos partition keys are HMACs (`wa:<hash>`, `tenant:<id>`), never a number or an email; query text is logged
// without parameter values (the account's diagnosticLogSettings.enableFullTextQuery stays at its default, None).
//
// categoryGroup needs the preview API: built against the one GA version, 2016-09-01, the compiler refuses it
// (keyvault.bicep says the same). AVM uses 2021-05-01-preview for every diagnostic setting (avm/res/*/main.bicep).
param workspaceId string
param cosmosAccountName string
param dataStorageName string
param exportStorageName string
param runtimeStorageName string
param webStorageName string
param serviceBusName string
param functionAppName string
param keyVaultName string

var settingName = 'to-log-analytics'
var allLogs = [
  {
    categoryGroup: 'allLogs'
    enabled: true
  }
]
var allMetrics = [
  {
    category: 'AllMetrics'
    enabled: true
  }
]

resource cosmos 'Microsoft.DocumentDB/databaseAccounts@2025-04-15' existing = {
  name: cosmosAccountName
}

resource dataStorage 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: dataStorageName

  resource blob 'blobServices' existing = {
    name: 'default'
  }
}

resource exportStorage 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: exportStorageName

  resource blob 'blobServices' existing = {
    name: 'default'
  }
}

resource runtimeStorage 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: runtimeStorageName

  resource blob 'blobServices' existing = {
    name: 'default'
  }
}

resource webStorage 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: webStorageName

  resource blob 'blobServices' existing = {
    name: 'default'
  }
}

resource serviceBus 'Microsoft.ServiceBus/namespaces@2026-01-01' existing = {
  name: serviceBusName
}

resource functionApp 'Microsoft.Web/sites@2025-03-01' existing = {
  name: functionAppName
}

resource keyVault 'Microsoft.KeyVault/vaults@2025-05-01' existing = {
  name: keyVaultName
}

// Resource-specific tables ('Dedicated') where the service offers both kinds: typed columns (CDBDataPlaneRequests.StatusCode)
// that the alert queries in alerts.bicep read.
#disable-next-line use-recent-api-versions
resource cosmosLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: settingName
  scope: cosmos
  properties: {
    workspaceId: workspaceId
    logAnalyticsDestinationType: 'Dedicated'
    logs: allLogs
    metrics: allMetrics
  }
}

// Account-level metrics (transactions, capacity), and every read, write and delete of a blob.
#disable-next-line use-recent-api-versions
resource dataStorageMetrics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: settingName
  scope: dataStorage
  properties: {
    workspaceId: workspaceId
    metrics: allMetrics
  }
}

#disable-next-line use-recent-api-versions
resource dataBlobLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: settingName
  scope: dataStorage::blob
  properties: {
    workspaceId: workspaceId
    logs: allLogs
    metrics: allMetrics
  }
}

// The export account: who downloaded which package (user-delegation SAS reads) and when the service deleted it.
#disable-next-line use-recent-api-versions
resource exportStorageMetrics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: settingName
  scope: exportStorage
  properties: {
    workspaceId: workspaceId
    metrics: allMetrics
  }
}

#disable-next-line use-recent-api-versions
resource exportBlobLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: settingName
  scope: exportStorage::blob
  properties: {
    workspaceId: workspaceId
    logs: allLogs
    metrics: allMetrics
  }
}

#disable-next-line use-recent-api-versions
resource runtimeStorageMetrics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: settingName
  scope: runtimeStorage
  properties: {
    workspaceId: workspaceId
    metrics: allMetrics
  }
}

// The runtime account holds the deployment package and the host's keys: who read or replaced them is worth a record.
#disable-next-line use-recent-api-versions
resource runtimeBlobLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: settingName
  scope: runtimeStorage::blob
  properties: {
    workspaceId: workspaceId
    logs: allLogs
    metrics: allMetrics
  }
}

// The pages' account: who changed them (writes and deletes), never who read them. A read is a person opening the privacy
// center, and its log line would hold their IP address for a year: the pages promise no analytics (docs/web-hosting.md).
var pageChangeLogs = [
  {
    category: 'StorageWrite'
    enabled: true
  }
  {
    category: 'StorageDelete'
    enabled: true
  }
]

#disable-next-line use-recent-api-versions
resource webStorageMetrics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: settingName
  scope: webStorage
  properties: {
    workspaceId: workspaceId
    metrics: allMetrics
  }
}

#disable-next-line use-recent-api-versions
resource webBlobLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: settingName
  scope: webStorage::blob
  properties: {
    workspaceId: workspaceId
    logs: pageChangeLogs
    metrics: allMetrics
  }
}

// DeadletteredMessages per queue (alerts.bicep) is a platform metric and needs no setting; this keeps it a year.
#disable-next-line use-recent-api-versions
resource serviceBusLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: settingName
  scope: serviceBus
  properties: {
    workspaceId: workspaceId
    logAnalyticsDestinationType: 'Dedicated'
    logs: allLogs
    metrics: allMetrics
  }
}

#disable-next-line use-recent-api-versions
resource functionAppLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: settingName
  scope: functionApp
  properties: {
    workspaceId: workspaceId
    logs: allLogs
    metrics: allMetrics
  }
}

// Key Vault's audit log (AuditEvent) is keyvault.bicep's setting 'audit-to-log-analytics'. A category may go to one
// workspace from one setting only, so this one adds the metrics (availability, latency, saturation, API hits) alone.
#disable-next-line use-recent-api-versions
resource keyVaultMetrics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'metrics-to-log-analytics'
  scope: keyVault
  properties: {
    workspaceId: workspaceId
    metrics: allMetrics
  }
}
