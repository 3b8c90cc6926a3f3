import { noticeLanguages } from "../notices";
import { RequestKind } from "../requests/model";
import {
  type PeriodCategory,
  type PeriodName,
  periodNames,
  periods as defaults,
  type Policy,
  responsePeriods,
} from "./periods";

/**
 * What DPDP Rules 2025 Rule 14(1) and (3) require published: how to make a request, what identifies
 * the person, and the periods the service keeps, generated from the periods in use (defaults with the
 * configured overrides), so the website cannot drift from what the service does. GET /api/v1/policy.
 *
 * The channels and identifiers describe src/app/requests/create-request.ts; change both together.
 */

export type ChannelName = "dashboard" | "public" | "email";

export interface PublishedChannel {
  channel: ChannelName;
  description: string;
  /** Where: the dashboard's address, the API path, or the mailbox. */
  url?: string;
  method?: "POST";
  path?: string;
  address?: string;
}

export interface PublishedIdentifier {
  channel: ChannelName;
  /** What the request is about: an account, a WhatsApp number, or (grievances) the person's contact. */
  scope: "account" | "whatsapp_number" | "contact";
  /** The fields to give (API field paths; for email, what to write). */
  provide: string[];
  /** Who may ask this way. */
  who: string;
  /** How we confirm it is really the person (Data Deletion §6; Account Deletion §2). */
  verification: string;
}

export interface PublishedRequestKind {
  kind: RequestKind;
  label: string;
  /** The period in which it is answered, and when that clock starts. */
  answerWithin: { period: PeriodName; duration: string };
  clockStarts: "verification" | "receipt";
  identifiers: PublishedIdentifier[];
}

export interface PublishedPeriod {
  name: PeriodName;
  category: PeriodCategory;
  label: string;
  /** ISO 8601, as the service runs it. */
  duration: string;
  /** The published policies' value (differs from `duration` when configuration overrides it). */
  default: string;
  basis: string;
  min?: string;
  max?: string;
}

export interface PublishedPolicy {
  dataFiduciary: string;
  grievanceOfficer: { role: string; email: string; basis: string };
  channels: PublishedChannel[];
  requests: PublishedRequestKind[];
  periods: PublishedPeriod[];
  /** Languages notices are written in (request field `language`). */
  languages: string[];
  escalation: { to: string; when: string; basis: string };
  /** What CallMissed does with personal data: each category, what it holds and why (Privacy Policy §1–§3). */
  processing: PublishedProcessing;
}

export type ProcessingCategory = "account" | "usage" | "communication" | "payment";

export interface PublishedProcessing {
  /** Where the data is kept (Privacy Policy §3). */
  residency: string;
  categories: { category: ProcessingCategory; label: string; data: string; purpose: string; basis: string }[];
}

/** The languages the policy is published in: those notices are written in (src/domain/notices). */
export const policyLanguages = noticeLanguages;

const PROCESSING: PublishedProcessing = {
  residency:
    "Ordinarily stored and processed in India (Microsoft Azure, Central India); encrypted backups kept in India",
  categories: [
    {
      category: "account",
      label: "Account information",
      data: "Full name, email address, phone number (optional), organisation name, role, authentication identifiers",
      purpose: "Account creation, authentication, tenant management, support, and billing contact",
      basis: "Privacy Policy §1 (Account Information), §2",
    },
    {
      category: "usage",
      label: "Usage data",
      data: "API call metadata, conversation metadata (timestamps, channel type, duration), credit transactions, dashboard activity, IP address, device/browser information",
      purpose:
        "Service delivery, billing, fraud prevention, rate limiting, security monitoring, and product improvement (aggregated/anonymised where possible)",
      basis: "Privacy Policy §1 (Usage Data), §2",
    },
    {
      category: "communication",
      label: "Communication content",
      data: "Messages, audio, transcriptions, and files processed when businesses deploy AI agents for their customers",
      purpose:
        "Providing the chat, voice, and automation features the business configures. Kept in the business's isolated partition, never shared across businesses, never used to train third-party AI models, and never sold",
      basis: "Privacy Policy §1 (Communication Content)",
    },
    {
      category: "payment",
      label: "Payment information",
      data: "Billing name, email, phone (for receipts), transaction references, order IDs, payment status, amounts",
      purpose:
        "Processing payments and statutory financial record-keeping. Card numbers, CVVs, UPI PINs and full bank credentials are not stored on CallMissed servers",
      basis: "Privacy Policy §1 (Payment Information)",
    },
  ],
};

const LABELS: Record<RequestKind, string> = {
  access: "Access: a summary of your personal data and its processing, as a downloadable export",
  correction: "Correction of inaccurate or incomplete personal data",
  erasure: "Erasure of your account, or of the data linked to your WhatsApp number",
  nomination: "Nomination of a person to exercise your rights on death or incapacity",
  grievance: "Grievance to our Grievance Officer",
  consent_withdrawal: "Withdrawal of consent",
};

/** Only the account owner may ask for these from the dashboard (Account Deletion §2). */
const OWNER_ONLY: readonly RequestKind[] = ["erasure", "access"];

function identifiers(kind: RequestKind, dpoContact: string): PublishedIdentifier[] {
  const dashboard: PublishedIdentifier = {
    channel: "dashboard",
    scope: "account",
    provide: [],
    who: OWNER_ONLY.includes(kind) ? "the account owner" : "any member of the account",
    verification: "your dashboard sign-in",
  };
  const byEmail: PublishedIdentifier = {
    channel: "email",
    scope: kind === "grievance" ? "contact" : "account",
    provide:
      kind === "grievance"
        ? ["your complaint", "an email address or phone number to answer you on"]
        : [
            "what you ask for",
            "for an account: your account email and organisation name, written from the account's registered email address",
            "for a WhatsApp number: the number with its country code",
          ],
    who: kind === "grievance" ? "anyone" : "the account owner, or the person whose WhatsApp number it is",
    verification:
      kind === "grievance"
        ? "none needed to raise a grievance"
        : `a reply from the account's registered email address, or a one-time code sent to the WhatsApp number (write to ${dpoContact})`,
  };
  if (kind === "grievance") {
    return [
      dashboard,
      {
        channel: "public",
        scope: "contact",
        provide: ["contact.email or contact.phone", "details.summary"],
        who: "anyone",
        verification: "none needed to raise a grievance",
      },
      byEmail,
    ];
  }
  return [
    dashboard,
    {
      channel: "public",
      scope: "whatsapp_number",
      provide: ["scope.phone (the WhatsApp number with its country code)"],
      who: "the person whose WhatsApp number it is",
      verification: "a one-time code sent to that WhatsApp number",
    },
    {
      channel: "public",
      scope: "account",
      provide: ["scope.tenantId", "contact.email (the account's registered email address)"],
      who: "the account owner",
      verification: "a one-time code sent to the account's registered email address",
    },
    byEmail,
  ];
}

export function publishedPolicy(
  policy: Policy,
  settings: { dpoContact: string; privacyCenterUrl?: string },
): PublishedPolicy {
  const table = policy.periods;
  return {
    dataFiduciary: "CallMissed Technologies Pvt. Ltd.",
    grievanceOfficer: {
      role: "Grievance Officer and Data Protection Officer",
      email: settings.dpoContact,
      basis: "DPDP Act 2023 s.8(9); DPDP Rules 2025 Rule 9; Privacy Policy §14",
    },
    channels: [
      {
        channel: "dashboard",
        description: "Signed in to the CallMissed dashboard, for your own account",
        url: "https://app.callmissed.com",
      },
      {
        channel: "public",
        description:
          "Without an account (for example, for data linked to your WhatsApp number): the privacy center, or this API. The answer carries a requestToken, shown once, to follow the request (header X-Request-Token).",
        ...(settings.privacyCenterUrl ? { url: settings.privacyCenterUrl } : {}),
        method: "POST",
        path: "/api/v1/requests",
      },
      {
        channel: "email",
        description: "By email to our Grievance Officer, who enters the request for you",
        address: settings.dpoContact,
      },
    ],
    requests: RequestKind.options.map((kind) => {
      const period = responsePeriods[kind];
      return {
        kind,
        label: LABELS[kind],
        answerWithin: { period, duration: table[period].duration },
        clockStarts: kind === "grievance" ? "receipt" : "verification",
        identifiers: identifiers(kind, settings.dpoContact),
      };
    }),
    periods: periodNames.map((name) => {
      const p = table[name];
      return {
        name,
        category: p.category,
        label: p.label,
        duration: p.duration,
        default: defaults[name].duration,
        basis: p.basis,
        ...(p.min !== undefined ? { min: p.min } : {}),
        ...(p.max !== undefined ? { max: p.max } : {}),
      };
    }),
    languages: [...noticeLanguages],
    escalation: {
      to: "Data Protection Board of India",
      when: "after our Grievance Officer has answered (or has not answered within the period above) and you are not satisfied",
      basis: "DPDP Act 2023 s.13(3); Privacy Policy §14",
    },
    processing: PROCESSING,
  };
}
