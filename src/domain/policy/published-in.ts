import { inHindi } from "./published-hi";
import type { Policy } from "./periods";
import { publishedPolicy, type PublishedPolicy } from "./published";

/**
 * The published policy in `language` (one of `policyLanguages`; English by default). The Hindi is the
 * English document with every label and description translated (published-hi.ts), so both always say
 * the same thing with the same values. GET /api/v1/policy?language=….
 */
export function publishedPolicyIn(
  policy: Policy,
  settings: { dpoContact: string; privacyCenterUrl?: string },
  language = "en",
): PublishedPolicy {
  const en = publishedPolicy(policy, settings);
  return language === "hi" ? inHindi(en, settings.dpoContact) : en;
}
