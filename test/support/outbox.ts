import type { TestHost } from "./host";

/** The newest one-time code the local outbox holds for an address (a number in any spelling, or an email). */
export async function latestCode(host: TestHost, to: string): Promise<string> {
  const out = await host.call("GET", `/_dev/outbox?to=${encodeURIComponent(to)}`);
  const code = (out.body.messages as { template: string; text: string }[])
    .filter((m) => m.template === "verification_code")
    .map((m) => /\b(\d{6})\b/.exec(m.text)?.[1])
    .at(-1);
  if (!code) throw new Error("no code in the outbox");
  return code;
}
