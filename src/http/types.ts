/**
 * The HTTP surface every route is written against. `@azure/functions`' HttpRequest satisfies
 * ApiRequest structurally and ApiResponse is a subset of HttpResponseInit, so the same handler runs
 * under the Functions host and under the local host without either leaking into src/.
 */
export interface ApiRequest {
  method: string;
  url: string;
  headers: { get(name: string): string | null };
  query: URLSearchParams;
  params: Record<string, string>;
  /**
   * The body as it arrives (null without one). A stream, not `text()`: the size limit must hold while
   * the bytes come in, and cancelling it tells the host to stop reading.
   */
  readonly body: ReadableStream<Uint8Array> | null;
}

export interface ApiResponse {
  status: number;
  headers?: Record<string, string>;
  jsonBody?: unknown;
  body?: string;
}

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
