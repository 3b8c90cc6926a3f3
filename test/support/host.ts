import { type LocalHost, startLocalHost } from "../../src/local/host";
import { checkAnswer } from "./contract";
import { testEnv } from "./env";

export interface TestHost extends LocalHost {
  /** fetch against the host: `call("GET", "/health")`, JSON body in and parsed body out. */
  call(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> },
  ): Promise<{ status: number; headers: Headers; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test convenience: bodies are asserted field by field
  token(role: string, tenantId?: string): Promise<string>;
}

/**
 * A call over fetch to the API at `baseUrl`: JSON body in, parsed body out, and every answer checked against the
 * published OpenAPI document (test/support/contract.ts). `timeoutMs` bounds one call (a remote host's first call
 * builds its runtime).
 */
export function httpCall(baseUrl: string, timeoutMs?: number): TestHost["call"] {
  return async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined = options.raw;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers["content-type"] ??= "application/json";
    }
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body,
      ...(timeoutMs ? { signal: AbortSignal.timeout(timeoutMs) } : {}),
    });
    const text = await res.text();
    // Every answer a test receives must be one the published document describes.
    checkAnswer(method, `${baseUrl}${path}`, res.status, res.headers, text, {
      authenticated: headers.authorization !== undefined,
    });
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, headers: res.headers, body: parsed };
  };
}

/** The local host in this process, on the shared emulators, exactly as `npm start` builds it. */
export async function startTestHost(overrides: Record<string, string> = {}): Promise<TestHost> {
  const host = await startLocalHost(testEnv(overrides));
  const call = httpCall(host.url);
  return {
    ...host,
    call,
    async token(role, tenantId) {
      return host.runtime.dev!.mintToken({ role: role as never, ...(tenantId ? { tenantId } : {}) });
    },
  };
}
