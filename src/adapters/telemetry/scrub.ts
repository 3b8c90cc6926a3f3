import type { Context } from "@opentelemetry/api";

/**
 * Span attributes whose value is a URL or a part of one. A query string is where a caller's input ends
 * up (a search by number or email); paths hold our ids only (test/unit/no-personal-data-in-urls.test.ts).
 * Names from the OpenTelemetry HTTP semantic conventions, current and older.
 */
const URL_ATTRIBUTES = ["url.full", "url.query", "http.url", "http.target", "url.original"] as const;

/** The value with its query and fragment replaced by a marker; the scheme, host and path stay. */
export function withoutQuery(value: string): string {
  const cut = value.search(/[?#]/);
  if (cut < 0) return value;
  return `${value.slice(0, cut)}${value[cut] === "?" ? "?" : "#"}[redacted]`;
}

/** The part of a span this processor reads and writes: its attributes, still open at `onEnd`. */
interface SpanWithAttributes {
  readonly attributes: Record<string, unknown>;
}

function scrub(span: SpanWithAttributes): void {
  const attributes = span.attributes;
  for (const name of URL_ATTRIBUTES) {
    const value = attributes[name];
    if (typeof value !== "string") continue;
    // url.query is the query itself: nothing of it is kept.
    attributes[name] = name === "url.query" ? "[redacted]" : withoutQuery(value);
  }
}

/**
 * A span processor that scrubs URL queries from every span, at its start and at its end. At the start:
 * the Azure Monitor distro puts its own processor before ours (`[AzureMonitorSpanProcessor, ...ours,
 * Batch]`, @azure/monitor-opentelemetry index.js) and reads the ended span first, so an attribute set when
 * the span starts (HTTP instrumentation sets the URL then) must already be clean when any `onEnd` runs. At
 * the end: for attributes set later, before the exporter's batch takes the span; setting `attributes` in
 * `onEnd` is how Azure Monitor's documentation changes what is exported ("Add a custom property to a Span":
 * https://learn.microsoft.com/azure/azure-monitor/app/opentelemetry-add-modify#add-a-custom-property-to-a-span).
 */
export const scrubSpanAttributes = {
  onStart(span: SpanWithAttributes, _parentContext: Context): void {
    scrub(span);
  },
  onEnd(span: SpanWithAttributes): void {
    scrub(span);
  },
  forceFlush: async (): Promise<void> => {},
  shutdown: async (): Promise<void> => {},
};
