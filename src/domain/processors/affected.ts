import type { Purpose } from "../consent/purposes";

/**
 * Which inventory categories a consent withdrawal or a correction touches, so only the partners that
 * receive one of them are told. An erasure's categories come from what it erased (the whole inventory
 * for an account; the number's erasure plan for a WhatsApp number).
 */

/** Per consent purpose (src/domain/consent/purposes.ts): the categories processed on that consent. */
export const PURPOSE_CATEGORIES: Record<Purpose, readonly string[]> = {
  // Marketing email goes to the account holder's and team's addresses.
  marketing_email: ["account", "team_members"],
  // Product analytics are built from usage and activity records.
  analytics: ["usage_records", "security_logs"],
  // Messaging a number on WhatsApp: the conversations, messages and media linked to it, and its consent record.
  whatsapp_messaging: ["conversations", "messages", "audio_recordings", "transcripts", "consent_records"],
  // Training a third party's AI models would use what the conversations said (Privacy Policy §2).
  third_party_ai_training: ["conversations", "messages", "transcripts"],
};

/** A correction of the account's details (name, email, phone, organisation, role) changes these. */
const ACCOUNT_CORRECTION = ["account", "team_members"] as const;
/** A correction about a WhatsApp number changes what the businesses' conversations record of it. */
const NUMBER_CORRECTION = ["conversations"] as const;

export function withdrawalCategories(purposes: readonly Purpose[]): string[] {
  return [...new Set(purposes.flatMap((p) => PURPOSE_CATEGORIES[p]))].sort();
}

export function correctionCategories(scope: "account" | "whatsapp_number" | "contact"): string[] {
  return scope === "account"
    ? [...ACCOUNT_CORRECTION]
    : scope === "whatsapp_number"
      ? [...NUMBER_CORRECTION]
      : [];
}
