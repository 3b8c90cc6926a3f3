import { context, propagation, ROOT_CONTEXT } from "@opentelemetry/api";

/** The host's trace context for one invocation, as @azure/functions hands it to the worker. */
export interface HostTraceContext {
  traceParent?: string | null;
  traceState?: string | null;
}

/**
 * Runs an invocation inside the host's trace: the spans its Cosmos, Blob and Service Bus calls make are
 * children of the host's request (or message) span, so one operation id ties them to the request in
 * Application Insights and the correlation id a caller quotes finds them. Without a propagator
 * registered (no telemetry started) the context is empty and `work` runs as it would anyway.
 */
export function inHostTrace<T>(trace: HostTraceContext | undefined, work: () => T): T {
  const carrier: Record<string, string> = {};
  if (trace?.traceParent) carrier.traceparent = trace.traceParent;
  if (trace?.traceState) carrier.tracestate = trace.traceState;
  return context.with(propagation.extract(ROOT_CONTEXT, carrier), work);
}
