import type { TestHost } from "./host";

/**
 * What the local outbox holds, for an address (a number in any spelling, or an email) or for everyone.
 * The address goes in the body: numbers and emails never go in a URL, even a local one.
 */
export async function outboxFor(host: TestHost, to?: string): Promise<{ template: string; text: string }[]> {
  const out = await host.call("POST", "/_dev/outbox", to === undefined ? {} : { body: { to } });
  if (out.status !== 200) throw new Error(`the outbox answered ${out.status}`);
  return out.body.messages as { template: string; text: string }[];
}

/** The newest one-time code the local outbox holds for an address (a number in any spelling, or an email). */
export async function latestCode(host: TestHost, to: string): Promise<string> {
  const code = (await outboxFor(host, to))
    .filter((m) => m.template === "verification_code")
    .map((m) => /\b(\d{6})\b/.exec(m.text)?.[1])
    .at(-1);
  if (!code) throw new Error("no code in the outbox");
  return code;
}
