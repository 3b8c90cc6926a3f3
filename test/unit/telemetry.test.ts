import { ManagedIdentityCredential } from "@azure/identity";
import { context, propagation, ROOT_CONTEXT, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { afterAll, describe, expect, it, vi } from "vitest";
import { azureMonitorOptions } from "../../src/adapters/telemetry/azure-monitor-options";
import { inHostTrace } from "../../src/adapters/telemetry/invocation-trace";
import { scrubSpanAttributes, withoutQuery } from "../../src/adapters/telemetry/scrub";
import { startTelemetry } from "../../src/adapters/telemetry/start";

/** src/adapters/telemetry: what Azure Monitor is given, and when. Nothing here loads the distro (Node 22+). */

const CONNECTION =
  "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://centralindia-0.in.applicationinsights.azure.com/";

describe("azureMonitorOptions", () => {
  it("nothing without a connection string: the local host and tests send no telemetry", () => {
    expect(azureMonitorOptions({})).toBeUndefined();
    expect(azureMonitorOptions({ APPLICATIONINSIGHTS_CONNECTION_STRING: "  " })).toBeUndefined();
  });

  it("managed identity ingestion, Azure SDK and HTTP instrumentation on, every span kept, the scrubber in", () => {
    const options = azureMonitorOptions({
      APPLICATIONINSIGHTS_CONNECTION_STRING: CONNECTION,
      AZURE_CLIENT_ID: "11111111-2222-3333-4444-555555555555",
    });
    expect(options?.azureMonitorExporterOptions?.connectionString).toBe(CONNECTION);
    expect(options?.azureMonitorExporterOptions?.credential).toBeInstanceOf(ManagedIdentityCredential);
    expect(options?.samplingRatio).toBe(1);
    expect(options?.enableLiveMetrics).toBe(false);
    expect(options?.instrumentationOptions?.azureSdk?.enabled).toBe(true);
    expect(options?.instrumentationOptions?.http?.enabled).toBe(true);
    expect(options?.spanProcessors).toEqual([scrubSpanAttributes]);
  });
});

describe("startTelemetry", () => {
  it("loads and calls useAzureMonitor once, and only with a connection string", () => {
    const use = vi.fn();
    const load = vi.fn(() => use);
    expect(startTelemetry({}, load)).toBe(false);
    expect(load).not.toHaveBeenCalled();
    expect(startTelemetry({ APPLICATIONINSIGHTS_CONNECTION_STRING: CONNECTION }, load)).toBe(true);
    expect(startTelemetry({ APPLICATIONINSIGHTS_CONNECTION_STRING: CONNECTION }, load)).toBe(false);
    expect(load).toHaveBeenCalledTimes(1);
    expect(use).toHaveBeenCalledWith(expect.objectContaining({ samplingRatio: 1 }));
  });
});

describe("the span scrubber", () => {
  it("drops queries and fragments from URL attributes and keeps the rest", () => {
    expect(withoutQuery("https://h.example/a/b?phone=919812345678")).toBe("https://h.example/a/b?[redacted]");
    expect(withoutQuery("/a#frag")).toBe("/a#[redacted]");
    expect(withoutQuery("https://h.example/a/b")).toBe("https://h.example/a/b");
    const span = {
      attributes: {
        "url.full": "https://h.example/x?email=a%40b.example",
        "http.target": "/x?code=123456",
        "url.query": "code=123456",
        "http.request.method": "GET",
        "http.response.status_code": 200,
      } as Record<string, unknown>,
    };
    scrubSpanAttributes.onEnd(span);
    expect(span.attributes).toEqual({
      "url.full": "https://h.example/x?[redacted]",
      "http.target": "/x?[redacted]",
      "url.query": "[redacted]",
      "http.request.method": "GET",
      "http.response.status_code": 200,
    });
  });
});

describe("inHostTrace", () => {
  afterAll(() => {
    propagation.disable();
    context.disable();
  });

  it("runs the work in the host's trace context once telemetry has registered context and propagation", () => {
    const host = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    // No propagator: the work runs in an empty context, as it would without telemetry.
    expect(inHostTrace({ traceParent: host }, () => trace.getSpanContext(context.active()))).toBeUndefined();
    // What useAzureMonitor registers: a context manager and the W3C propagator.
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    const seen = inHostTrace({ traceParent: host }, () => trace.getSpanContext(context.active()));
    expect(seen).toMatchObject({ traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331" });
    expect(inHostTrace(undefined, () => trace.getSpanContext(context.active()))).toBeUndefined();
    expect(inHostTrace({ traceParent: "garbage" }, () => 42)).toBe(42);
    expect(context.active()).toBe(ROOT_CONTEXT);
  });
});
