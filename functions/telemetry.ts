import { createRequire } from "node:module";
import { app } from "@azure/functions";
import { inHostTrace } from "../src/adapters/telemetry/invocation-trace";
import { startTelemetry, type UseAzureMonitor } from "../src/adapters/telemetry/start";

/*
 * OpenTelemetry to Application Insights, in Azure only (where the platform sets
 * APPLICATIONINSIGHTS_CONNECTION_STRING). Imported first by functions/index.ts: the Azure SDK
 * instrumentation patches @azure/core-tracing when it is loaded, so it must be in place before the routes
 * load the SDKs. Hence a synchronous require rather than import(), whose promise would settle only after
 * every other module of the entry point had loaded. Never loaded by the local host or the tests (no
 * connection string there), which also keeps @azure/monitor-opentelemetry (Node 22+) off Node 20.
 */
const started = startTelemetry(process.env, () => {
  const load = createRequire(__filename);
  return (load("@azure/monitor-opentelemetry") as { useAzureMonitor: UseAzureMonitor }).useAzureMonitor;
});

if (started) {
  // Each invocation runs in the host's trace context, so the worker's spans join the host's operation.
  app.hook.preInvocation((hook) => {
    const handler = hook.functionHandler;
    const trace = hook.invocationContext.traceContext;
    hook.functionHandler = (...args: Parameters<typeof handler>) =>
      inHostTrace(trace, () => handler(...args));
  });
}
