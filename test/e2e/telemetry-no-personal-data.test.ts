import * as coreTracing from "@azure/core-tracing";
import {
  type AzureSdkInstrumentation,
  createAzureSdkInstrumentation,
} from "@azure/opentelemetry-instrumentation-azure-sdk";
import { SpanKind, trace } from "@opentelemetry/api";
import { registerInstrumentations } from "@opentelemetry/instrumentation";
import { HttpInstrumentation } from "@opentelemetry/instrumentation-http";
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { createRequire, syncBuiltinESMExports } from "node:module";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { scrubSpanAttributes } from "../../src/adapters/telemetry/scrub";
import { testData } from "../support/generators";
import { startTestHost, type TestHost } from "../support/host";
import { latestCode } from "../support/outbox";

/**
 * No log line and no span attribute carries personal data. One run of the service with personal data in
 * it (a public erasure request for a seeded number, typed with spaces and +91; its verification code; a
 * staff token; an email in a correction and its confirmation code) under an OpenTelemetry tracer provider
 * with the Azure SDK instrumentation, as in Azure (src/adapters/telemetry): every span the Cosmos DB and
 * Blob Storage calls make and every line logged is searched for the number in any spelling, the email, the
 * codes and the tokens.
 */

const data = testData("test/e2e/telemetry-no-personal-data.test.ts");
const exporter = new InMemorySpanExporter();
/**
 * The processors in the distro's order (@azure/monitor-opentelemetry: its own processor, then ours, then the
 * exporter's): `firstSeen` stands for its processor, which reads each ended span before the scrubber's
 * `onEnd` runs, so what it saw must be clean too.
 */
const firstSeen: Record<string, unknown>[] = [];
const provider = new NodeTracerProvider({
  spanProcessors: [
    {
      onStart: () => undefined,
      onEnd: (span: ReadableSpan) => void firstSeen.push({ ...span.attributes }),
      forceFlush: async () => undefined,
      shutdown: async () => undefined,
    },
    scrubSpanAttributes,
    new SimpleSpanProcessor(exporter),
  ],
});

let host: TestHost;
let previousHttpLog: string | undefined;
const lines: string[] = [];
const secrets = {
  number: data.mobile(),
  email: data.email("correction").replace(/^./, (c) => c.toUpperCase()),
  codes: [] as string[],
  tokens: [] as string[],
};
/** The number's 10 digits: what must appear nowhere, however it was spelled. */
const digits = secrets.number.slice(-10);

beforeAll(async () => {
  provider.register();
  // The factory's declared type is the Instrumentation interface; what it makes is this class.
  const azureSdk = createAzureSdkInstrumentation() as AzureSdkInstrumentation;
  // HTTP too, as in Azure: @azure/cosmos 4 makes no spans of its own, its calls are traced as HTTP.
  const http = new HttpInstrumentation();
  registerInstrumentations({ instrumentations: [azureSdk, http], tracerProvider: provider });
  // Under vitest the SDKs load as ES modules, which the instrumentations' require hooks never see: apply
  // the Azure SDK's own patch (useInstrumenter) to @azure/core-tracing, whose state both module formats
  // share; require http and https once through the hook, then copy the patched functions to the ES views.
  for (const definition of azureSdk.getModuleDefinitions()) definition.patch?.(coreTracing);
  const load = createRequire(__filename);
  load("http");
  load("https");
  syncBuiltinESMExports();

  // Every line the host writes, at every level.
  previousHttpLog = process.env.LOCAL_HTTP_LOG;
  process.env.LOCAL_HTTP_LOG = "on";
  for (const level of ["log", "info", "warn", "error", "debug"] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(" "));
    });
  }
  host = await startTestHost({ LOCAL_HTTP_LOG: "on" });
}, 120_000);

afterAll(async () => {
  await host?.stop();
  vi.restoreAllMocks();
  if (previousHttpLog === undefined) delete process.env.LOCAL_HTTP_LOG;
  else process.env.LOCAL_HTTP_LOG = previousHttpLog;
  await provider.shutdown();
});

/** The run: personal data in, through every layer that logs or calls a store. */
async function driveRun(): Promise<void> {
  const seeded = await host.call("POST", "/_dev/seed", {
    body: {
      conversations: 2,
      messagesPerConversation: 2,
      audioPerConversation: 1,
      contacts: [secrets.number],
    },
  });
  expect(seeded.status).toBe(201);
  const owner = seeded.body.ownerToken as string;
  const staff = await host.token("support");
  secrets.tokens.push(owner, staff);

  // A public erasure request for the seeded number, typed as people type it.
  const spelled = `+91 ${digits.slice(0, 5)} ${digits.slice(5)}`;
  const filed = await host.call("POST", "/v1/requests", {
    body: { kind: "erasure", scope: { type: "whatsapp_number", phone: spelled } },
    headers: { "x-forwarded-for": data.clientAddress() },
  });
  expect(filed.status).toBe(201);
  const requestToken = filed.body.requestToken as string;
  secrets.tokens.push(requestToken);
  const code = await latestCode(host, secrets.number);
  secrets.codes.push(code);
  const verified = await host.call("POST", `/v1/requests/${filed.body.id}/verification`, {
    headers: { "x-request-token": requestToken },
    body: { code },
  });
  expect(verified.status).toBe(200);
  // Staff read it; then the work that was queued runs (the erasure reaches the stores).
  expect((await host.call("GET", `/v1/requests/${filed.body.id}`, { token: staff })).status).toBe(200);
  expect((await host.call("POST", "/_dev/clock", { body: { advance: "PT1M" } })).status).toBe(200);

  // A correction with an email address, approved by staff, confirmed with the code sent there.
  const correction = await host.call("POST", "/v1/requests", {
    token: owner,
    body: { kind: "correction", corrections: [{ field: "email", value: secrets.email }] },
  });
  expect(correction.status).toBe(201);
  const approved = await host.call("POST", `/v1/requests/${correction.body.id}/approve`, {
    token: staff,
    body: { reason: "Matches the registration" },
  });
  expect(approved.status).toBe(200);
  const emailCode = await latestCode(host, secrets.email.toLowerCase());
  secrets.codes.push(emailCode);
  const confirmed = await host.call("POST", `/v1/requests/${correction.body.id}/confirmation`, {
    token: owner,
    body: { code: emailCode },
  });
  expect(confirmed.status).toBe(200);
}

/** Every string a span holds: its name, status, attributes, and its events' names and attributes. */
function spanStrings(span: ReadableSpan): string[] {
  const values = (attributes: Record<string, unknown> | undefined) =>
    Object.entries(attributes ?? {}).flatMap(([k, v]) => [k, ...(Array.isArray(v) ? v : [v]).map(String)]);
  return [
    span.name,
    span.status.message ?? "",
    ...values(span.attributes),
    ...span.events.flatMap((e) => [e.name, ...values(e.attributes)]),
  ];
}

/** Where a text gives away a secret: the number with any separators, the email in any case, a code, a token. */
function leaks(text: string): string[] {
  const found: string[] = [];
  if (text.replace(/[\s\-.()/+]/g, "").includes(digits)) found.push("number");
  if (text.toLowerCase().includes(secrets.email.toLowerCase())) found.push("email");
  for (const code of secrets.codes) if (new RegExp(`(^|\\D)${code}(\\D|$)`).test(text)) found.push("code");
  for (const token of secrets.tokens) if (text.includes(token)) found.push("token");
  return found;
}

describe("telemetry carries no personal data", () => {
  let spans: ReadableSpan[] = [];

  beforeAll(async () => {
    exporter.reset();
    lines.length = 0;
    await driveRun();
    await provider.forceFlush();
    spans = exporter.getFinishedSpans();
  }, 180_000);

  it("records spans for the Cosmos DB and Blob Storage calls of the run (so the search below means something)", () => {
    // Blob Storage traces through @azure/core-tracing (az.namespace); @azure/cosmos 4 makes no spans of its
    // own, so its calls are the HTTP client spans to the Cosmos endpoint (/dbs/<db>/colls/<container>/…).
    const blob = spans.filter((s) => s.attributes["az.namespace"] === "Microsoft.Storage");
    const cosmosOrigin = new URL(host.cosmos.endpoint).origin;
    const cosmos = spans.filter((s) => {
      const url = s.kind === SpanKind.CLIENT ? s.attributes["url.full"] : undefined;
      return typeof url === "string" && url.startsWith(`${cosmosOrigin}/dbs/`);
    });
    expect(blob.length).toBeGreaterThan(5);
    expect(cosmos.length).toBeGreaterThan(20);
    // Documents were read and written, in the service's database and the platform's.
    expect(cosmos.some((s) => /\/docs(\/|$)/.test(String(s.attributes["url.full"])))).toBe(true);
    expect(spans.length).toBeGreaterThan(20);
    expect(lines.length).toBeGreaterThan(5);
    // The secrets were really in play.
    expect(secrets.codes).toHaveLength(2);
    expect(secrets.tokens).toHaveLength(3);
  });

  it("the search finds each secret in the forms it looks for (a search that finds nothing proves nothing)", () => {
    const [code] = secrets.codes;
    for (const [text, what] of [
      [`+91 ${digits.slice(0, 5)} ${digits.slice(5)}`, "number"],
      [`0${digits.slice(0, 5)}-${digits.slice(5)}`, "number"],
      [`%2B91${digits}`, "number"],
      [secrets.email.toUpperCase(), "email"],
      [`{"code":"${code}"}`, "code"],
      [`Bearer ${secrets.tokens[0]}`, "token"],
    ] as const)
      expect(leaks(text), text).toContain(what);
    expect(leaks(`{"ms":1${code}7}`)).toEqual([]);
  });

  it("no span name, attribute or event holds the number, the email, a code or a token", () => {
    const found = spans.flatMap((span) =>
      spanStrings(span).flatMap((text) =>
        leaks(text).map((what) => `${what} in span "${span.name}": ${text}`),
      ),
    );
    expect(found).toEqual([]);
    // Nor what the distro's own processor reads before the scrubber's onEnd.
    expect(firstSeen.length).toBeGreaterThanOrEqual(spans.length);
    expect(firstSeen.flatMap((attributes) => leaks(JSON.stringify(attributes)))).toEqual([]);
  });

  it("no log line holds them either", () => {
    const found = lines.flatMap((line) => leaks(line).map((what) => `${what} in log: ${line}`));
    expect(found).toEqual([]);
  });

  it("a URL attribute with a query loses the query before export (http instrumentation's url.full)", () => {
    exporter.reset();
    firstSeen.length = 0;
    const tracer = trace.getTracer("scrub-check");
    tracer
      .startSpan("GET", {
        attributes: {
          "url.full": `https://example.test/lookup?phone=%2B91${digits}&email=${encodeURIComponent(secrets.email)}`,
          "url.query": `phone=${digits}`,
          "http.url": `https://example.test/x?code=${secrets.codes[0]}#${digits}`,
          "url.path": "/lookup",
        },
      })
      .end();
    const [span] = exporter.getFinishedSpans();
    // Set at the start, so clean before the first processor's onEnd.
    expect(firstSeen).toEqual([span?.attributes]);
    expect(span?.attributes).toEqual({
      "url.full": "https://example.test/lookup?[redacted]",
      "url.query": "[redacted]",
      "http.url": "https://example.test/x?[redacted]",
      "url.path": "/lookup",
    });
    expect(spanStrings(span!).flatMap(leaks)).toEqual([]);
  });
});
