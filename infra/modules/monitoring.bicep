// Log Analytics and workspace-based Application Insights, in the same Indian region as everything else.
// Local (instrumentation-key) ingestion is disabled: the app sends telemetry with its Entra identity. The workspace
// refuses shared-key ingestion too (features.disableLocalAuth; AVM's default, avm/res/operational-insights/workspace).
param workspaceName string
param appInsightsName string
param location string
param tags { *: string }

// Security and processing logs are kept at least one year (DPDP Rules 2025 Rules 6(1)(e), 8(3)) in EVERY environment:
// the floor is this decorator, not a parameter file. 366 days: a year, also across 29 February. Every table inherits
// it (a table's own retentionInDays is -1, "the workspace default", unless someone sets it: the Activity Log export
// and the alert on workspaces/tables/write in infra/subscription/activity-alerts.bicep watch that).
@minValue(366)
@maxValue(730)
param retentionDays int

@description('Principal id of the Function App identity (publishes telemetry).')
param principalId string

resource workspace 'Microsoft.OperationalInsights/workspaces@2025-02-01' = {
  name: workspaceName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionDays
    features: {
      // No shared-key (Data Collector API) ingestion: nobody holding the workspace key can inject or forge records.
      disableLocalAuth: true
    }
    publicNetworkAccessForIngestion: 'Enabled'
    publicNetworkAccessForQuery: 'Enabled'
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: appInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    IngestionMode: 'LogAnalytics'
    // Entra-only ingestion: telemetry without the identity's token (the connection string alone) is refused.
    // https://learn.microsoft.com/azure/azure-monitor/app/azure-ad-authentication ("Disable local authentication")
    DisableLocalAuth: true
    // Client IP addresses are personal data: keep the default masking.
    DisableIpMasking: false
    publicNetworkAccessForIngestion: 'Enabled'
    publicNetworkAccessForQuery: 'Enabled'
  }
}

var monitoringMetricsPublisher = '3913510d-42f4-4e42-8a64-420c390055eb'

resource telemetryPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, principalId, monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisher)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// "Who read the logs" is part of the visibility of access: the workspace's own query audit (LAQueryLogs) goes to
// itself. categoryGroup needs the preview API (see keyvault.bicep: the GA 2016-09-01 has only `category`).
#disable-next-line use-recent-api-versions
resource queryAudit 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: workspace
  properties: {
    workspaceId: workspace.id
    logs: [
      {
        categoryGroup: 'audit'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}

output workspaceId string = workspace.id
output workspaceName string = workspace.name
output appInsightsName string = appInsights.name
