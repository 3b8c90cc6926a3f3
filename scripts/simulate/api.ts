/** The simulation's HTTP client: real requests to the local host's API, JSON in and out. */
export interface Answer {
  status: number;
  // The API's answers are read field by field and checked where they matter.
  body: Record<string, unknown>;
}

export class Api {
  private client = 0;

  constructor(private readonly base: string) {}

  /** Each public requester comes from its own address (the front end's X-Forwarded-For), as people do. */
  async call(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; requestToken?: string } = {},
  ): Promise<Answer> {
    this.client += 1;
    const headers: Record<string, string> = {
      "x-forwarded-for": `10.${(this.client >> 16) & 255}.${(this.client >> 8) & 255}.${this.client & 255}`,
    };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.requestToken) headers["x-request-token"] = options.requestToken;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers["content-type"] = "application/json";
    }
    const res = await fetch(`${this.base}${path}`, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = {};
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      parsed = { text };
    }
    return { status: res.status, body: (parsed ?? {}) as Record<string, unknown> };
  }

  /** A call that must answer one of `ok`; anything else stops the run with what was asked. */
  async expect(
    ok: number[],
    method: string,
    path: string,
    options: { token?: string; body?: unknown; requestToken?: string } = {},
  ): Promise<Answer> {
    const res = await this.call(method, path, options);
    if (!ok.includes(res.status))
      throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(res.body).slice(0, 400)}`);
    return res;
  }

  /** The newest one-time code the outbox holds for an address. */
  async latestCode(to: string): Promise<string | undefined> {
    const out = await this.expect([200], "POST", "/_dev/outbox", { body: { to } });
    const messages = out.body.messages as { template: string; text: string }[];
    return messages
      .filter((m) => m.template === "verification_code")
      .map((m) => /\b(\d{6})\b/.exec(m.text)?.[1])
      .filter((c): c is string => c !== undefined)
      .at(-1);
  }
}
