import { ManagedIdentityCredential } from "@azure/identity";
import type { AzureMonitorOpenTelemetryOptions } from "@azure/monitor-opentelemetry";
import { scrubSpanAttributes } from "./scrub";

/** The platform settings telemetry reads (infra/modules/functionapp.bicep sets both). */
export interface TelemetrySettings {
  /** Set by the platform from the Application Insights component; unset locally and in tests. */
  APPLICATIONINSIGHTS_CONNECTION_STRING?: string;
  /** The user-assigned identity's client id (the app runs as it: identity.bicep, functionapp.bicep). */
  AZURE_CLIENT_ID?: string;
}

/**
 * What `useAzureMonitor` is given, or undefined when there is nowhere to send telemetry (the local host,
 * tests). Pure: reads only the settings it is handed.
 *
 * - Ingestion with the app's managed identity (Microsoft Entra authentication for Application Insights:
 *   https://learn.microsoft.com/azure/azure-monitor/app/azure-ad-authentication; the component has local
 *   auth disabled, infra/modules/monitoring.bicep), never the instrumentation key alone.
 * - The Azure SDK instrumentation on: Cosmos DB, Blob Storage, Service Bus and Key Vault trace their calls
 *   through @azure/core-tracing. HTTP instrumentation on for the other outgoing calls (the JWKS fetch).
 * - Every span kept (ratio 1): what reaches Application Insights is the host's decision (host.json), and
 *   a dependency call must not vanish from the trace of the request that made it.
 * - URL queries scrubbed before export (src/adapters/telemetry/scrub.ts).
 * - No Live Metrics: it streams every span, unsampled, from the distro's first span processor (before any
 *   of ours runs `onEnd`) to a second endpoint; what we need is in Application Insights.
 */
export function azureMonitorOptions(
  settings: TelemetrySettings,
): AzureMonitorOpenTelemetryOptions | undefined {
  const connectionString = settings.APPLICATIONINSIGHTS_CONNECTION_STRING?.trim();
  if (!connectionString) return undefined;
  const clientId = settings.AZURE_CLIENT_ID?.trim();
  return {
    azureMonitorExporterOptions: {
      connectionString,
      credential: clientId ? new ManagedIdentityCredential({ clientId }) : new ManagedIdentityCredential(),
    },
    samplingRatio: 1,
    enableLiveMetrics: false,
    instrumentationOptions: {
      azureSdk: { enabled: true },
      http: { enabled: true },
    },
    spanProcessors: [scrubSpanAttributes],
  };
}
