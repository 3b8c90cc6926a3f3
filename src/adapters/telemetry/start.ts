import type { AzureMonitorOpenTelemetryOptions } from "@azure/monitor-opentelemetry";
import { azureMonitorOptions, type TelemetrySettings } from "./azure-monitor-options";

export type UseAzureMonitor = (options: AzureMonitorOpenTelemetryOptions) => void;

let started = false;

/**
 * Starts OpenTelemetry with Azure Monitor once per process, and only where a connection string is set
 * (in Azure). `load` brings in `useAzureMonitor` only then: @azure/monitor-opentelemetry declares Node 22+,
 * and nothing of it is loaded on the local host or in tests. True when this call started it.
 */
export function startTelemetry(settings: TelemetrySettings, load: () => UseAzureMonitor): boolean {
  const options = azureMonitorOptions(settings);
  if (!options || started) return false;
  load()(options);
  started = true;
  return true;
}
