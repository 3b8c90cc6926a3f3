import { BlockList, isIP } from "node:net";

/**
 * Where a partner's webhook may point in production: an https URL whose host is a name or a public IP
 * address. Loopback, link-local (the cloud metadata endpoint, 169.254.169.254), private, shared (CGNAT),
 * unspecified and unique-local addresses would turn our signed notice into a request inside our own
 * network (SSRF), so the register refuses them as literals when an entry is saved. A name that resolves to
 * such an address is the partner's DNS, not checked here (docs/processors.md).
 */
// One list per family: a BlockList matches an IPv4 address against IPv6 rules too (as ::ffff:a.b.c.d).
const INTERNAL_V4 = new BlockList();
const INTERNAL_V6 = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.168.0.0", 16],
] as const)
  INTERNAL_V4.addSubnet(net, prefix, "ipv4");
for (const [net, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  // IPv4-mapped (WHATWG URL writes ::ffff:10.0.0.1 as ::ffff:a00:1): no partner needs one, all are refused.
  ["::ffff:0:0", 96],
] as const)
  INTERNAL_V6.addSubnet(net, prefix, "ipv6");

/** Why `url` may not be a production webhook, or undefined when it may. */
export function productionWebhookProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "must be the partner's https URL";
  }
  if (parsed.protocol !== "https:") return "a webhook must use https";
  const host = parsed.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost")) return "a webhook may not point at this machine";
  const family = isIP(host);
  if (family === 0) return undefined;
  const internal = family === 4 ? INTERNAL_V4.check(host, "ipv4") : INTERNAL_V6.check(host, "ipv6");
  return internal ? "a webhook may not point at a loopback, link-local or private address" : undefined;
}
