import { addDuration, parseDuration } from "../duration";
import type { RequestKind } from "../requests/model";

/**
 * Every period and deadline the service keeps, each with the rule or policy section it comes from,
 * in one place (DESIGN §4): counsel changes a number here or by configuration, never in the use cases.
 *
 * `duration` is the default, taken from the published policies. `min`/`max` are the limits the LAW
 * sets (a DPDP Rule, the IT Rules, CERT-In, tax law as the policies cite it): an override outside them
 * is refused at start-up (`resolvePeriods`, `createPolicy`). A default the policies state but no law
 * bounds (the 30-day account window, the 90-day usage logs) may be overridden freely; the period in use
 * is what GET /api/v1/policy publishes, so change the policy text together with it.
 *
 * Overrides: the `RETENTION_OVERRIDES` setting, a JSON object of ISO 8601 durations by period name,
 * e.g. `{"usageRecords":"P60D","erasureCompletion":"P21D"}` (src/config/schema.ts).
 */
export interface Period {
  /** The default, ISO 8601 (P30D, PT24H, P7Y); calendar units count on the calendar (UTC). */
  duration: string;
  /** Where the number comes from: policy section, Act section or Rule, quoted wherever it is used. */
  basis: string;
  /** What the period is, for people (the published policy, the deletion certificate). */
  label: string;
  category: PeriodCategory;
  /** A legal ceiling an override may not pass (ISO 8601), where the law sets one. */
  max?: string;
  /** A legal floor an override may not go below, where the law sets one. */
  min?: string;
}

export type PeriodCategory = "request" | "grievance" | "account" | "verification" | "retention" | "breach";

const RULE_14_3 =
  "DPDP Rules 2025 Rule 14(3): grievances and rights requests answered within 90 days at most";

export const periods = {
  // ── Rights requests (clock starts at verification, Data Deletion §7) ──────────────────────────────
  accessResponse: {
    category: "request",
    label: "Access request (summary and export of your data) answered",
    duration: "P30D",
    basis: `Privacy Policy §6: within timelines prescribed under applicable law; ${RULE_14_3}`,
    max: "P90D",
  },
  correctionResponse: {
    category: "request",
    label: "Correction request answered",
    duration: "P30D",
    basis: `Privacy Policy §6; DPDP Act 2023 s.12; ${RULE_14_3}`,
    max: "P90D",
  },
  erasureCompletion: {
    category: "request",
    label: "Erasure completed after verification",
    duration: "P30D",
    basis: `Data Deletion Instructions §7: deletion completed within 30 days of verification; ${RULE_14_3}`,
    max: "P90D",
  },
  nominationResponse: {
    category: "request",
    label: "Nomination recorded",
    duration: "P30D",
    basis: `DPDP Act 2023 s.14; ${RULE_14_3}`,
    max: "P90D",
  },
  consentWithdrawalResponse: {
    category: "request",
    label: "Processing ceases after consent is withdrawn",
    duration: "P7D",
    basis: `Privacy Policy §7; DPDP Act 2023 s.6(4)–(6): processing ceases within a reasonable time; ${RULE_14_3}`,
    max: "P90D",
  },
  /** The ceiling no extension of any request's deadline may pass, counted from receipt. */
  extensionCeiling: {
    category: "request",
    label: "Latest any extended deadline may fall, counted from receipt",
    duration: "P90D",
    basis: RULE_14_3,
    max: "P90D",
  },

  // ── Grievances (Privacy Policy §14) ───────────────────────────────────────────────────────────────
  grievanceAcknowledgement: {
    category: "grievance",
    label: "Grievance acknowledged",
    duration: "PT24H",
    basis: "Privacy Policy §14: acknowledged within 24 hours (IT Rules 2021 r.3(2))",
    max: "PT24H",
  },
  grievanceResolution: {
    category: "grievance",
    label: "Grievance resolved",
    duration: "P15D",
    basis: `Privacy Policy §14: resolved within 15 days (IT Rules 2021); ${RULE_14_3}`,
    max: "P90D",
  },
  spdiGrievanceResolution: {
    category: "grievance",
    label: "Grievance under the SPDI Rules 2011 redressed",
    duration: "P1M",
    basis: `Privacy Policy §14: SPDI Rules 2011 grievances redressed within one month; ${RULE_14_3}`,
    max: "P90D",
  },

  // ── Account deletion ──────────────────────────────────────────────────────────────────────────────
  accountRetentionWindow: {
    category: "account",
    label: "Account data kept, untouched, after deactivation (reactivation possible), then deleted",
    duration: "P30D",
    basis:
      "Account Deletion Policy §3 and §6: data retained 30 days after deactivation, then permanently deleted",
  },

  // ── Verification (Data Deletion §6) ───────────────────────────────────────────────────────────────
  verificationCodeValidity: {
    category: "verification",
    label: "One-time verification code valid",
    duration: "PT15M",
    basis: "Data Deletion Instructions §6: verification protects against unauthorised deletion",
  },
  verificationLockout: {
    category: "verification",
    label: "Verification locked after 5 wrong codes",
    duration: "PT1H",
    basis: "Data Deletion Instructions §6: 5 wrong codes lock verification for an hour",
  },
  verificationResendWindow: {
    category: "verification",
    label: "Window in which at most 3 new codes are sent",
    duration: "PT1H",
    basis: "Data Deletion Instructions §6: at most 3 new codes an hour, against abuse of the number's owner",
  },
  verificationReminder: {
    category: "verification",
    label: "One reminder when a request is still not verified",
    duration: "PT24H",
    basis: "DESIGN §4: verification that is not completed gets one reminder (Data Deletion Instructions §6)",
  },
  verificationExpiry: {
    category: "verification",
    label: "Unverified request closed (nothing changed), with a notice",
    duration: "P7D",
    basis:
      "Data Deletion Instructions §6: nothing is done without verification; an abandoned request is closed",
  },

  // ── Retention (Privacy Policy §5) ─────────────────────────────────────────────────────────────────
  usageRecords: {
    category: "retention",
    label: "Usage logs kept, then deleted or anonymised",
    duration: "P90D",
    basis: "Privacy Policy §5: usage logs up to 90 days for billing and security, then anonymised or deleted",
  },
  securityLogs: {
    category: "retention",
    label: "Security and access logs kept (also after an erasure)",
    duration: "P1Y",
    basis:
      "DPDP Rules 2025 Rule 6(1)(e): logs kept at least one year to detect and remedy unauthorised access; CERT-In directions (2022) on log retention; Privacy Policy §5",
    min: "P1Y",
  },
  processingLogs: {
    category: "retention",
    label: "Logs of processing (the request audit trail) kept from the processing (also after an erasure)",
    duration: "P1Y",
    basis:
      "DPDP Rules 2025 Rule 8(3): personal data, traffic data and logs of processing kept at least one year from the processing",
    min: "P1Y",
  },
  paymentRecords: {
    category: "retention",
    label: "Payment and tax records kept, anonymised (also after an erasure)",
    duration: "P7Y",
    basis:
      "Account Deletion Policy §4; Privacy Policy §5: anonymised transaction amounts and dates retained 7 years as Indian GST and Income Tax law requires",
    min: "P7Y",
  },
  /**
   * How long each backup set lives before it is rotated out (deleted). A set taken just before a
   * deletion is the last to hold the data, so this is also how long after a primary deletion a copy can
   * remain: never past 90 days.
   */
  backupRotation: {
    category: "retention",
    label:
      "Each encrypted backup set kept, then rotated out (deleted): deleted data leaves every backup within this time",
    duration: "P35D",
    basis:
      "Data Deletion Instructions §4; Privacy Policy §5: backups purged on a rolling schedule within 90 days of primary deletion",
    max: "P90D",
  },
  exportExpiry: {
    category: "retention",
    label: "Access export kept for download, then deleted",
    duration: "P7D",
    basis: "Privacy Policy §6 (access as a downloadable export); kept no longer than needed to hand it over",
  },
  exportLinkValidity: {
    category: "retention",
    label: "Download link of an access export valid",
    duration: "PT15M",
    basis: "Privacy Policy §3 (security safeguards): short-lived, read-only links",
  },

  // ── This service's own records of people (docs/own-records.md; src/app/retention/own-records.ts) ─
  // Each runs from when the request closes (or the nomination ends, or the breach is reported); while a
  // request is open its values are needed to answer it and are kept. The sweep replaces a value past
  // its period by a marker; the request keeps its status, dates and outcome, the audit trail a hash.
  requestContact: {
    category: "retention",
    label: "Requester's address (sealed) kept after the request closes, then erased",
    duration: "P7D",
    basis:
      "DPDP Act 2023 s.8(7): erased once no longer needed; notices go while the request is open, and for the access export's download period after it closes (Privacy Policy §6)",
  },
  correctionValues: {
    category: "retention",
    label:
      "Requested new values of a correction kept after it completes (never less than the backup rotation)",
    duration: "P35D",
    basis:
      "DPDP Act 2023 s.12 and s.8(7): a restore from a backup set taken before the correction re-applies it from these values, so they are kept as long as such a set lives (backupRotation, Data Deletion Instructions §4), then erased",
  },
  grievanceTexts: {
    category: "retention",
    label: "Grievance text, staff answer and handler kept after the grievance closes, then erased",
    duration: "P90D",
    basis: `DPDP Act 2023 s.13(3): a complainant must exhaust grievance redressal before the Board, which asks what was answered; ${RULE_14_3}, counted again from the resolution`,
  },
  nomineeDetails: {
    category: "retention",
    label: "Nominee's details kept after the nomination ends (or its request closes unrecorded), then erased",
    duration: "P30D",
    basis:
      "DPDP Act 2023 s.14 and s.8(7): needed only while the nomination is in force; the sealed contact goes when it ends, the masked reference on the request after this period",
  },
  evidenceReferences: {
    category: "retention",
    label: "Evidence reference of a nominee's request kept after the request closes, then erased",
    duration: "P1Y",
    basis:
      "DPDP Rules 2025 Rule 8(3): logs of processing kept one year from the processing; the evidence is why a nominee's request was acted on",
  },
  staffNotes: {
    category: "retention",
    label:
      "Free text on a request (staff reasons and notes, the requester's own reason, a mail reference) kept after it closes, then erased",
    duration: "P90D",
    basis: `DPDP Act 2023 s.8(7); a requester may contest the outcome with the Grievance Officer, then the Board (s.13(3)); ${RULE_14_3}`,
  },
  breachContacts: {
    category: "retention",
    label:
      "Addresses of people affected by a breach (sealed) kept after the Board report is filed, then erased",
    duration: "P30D",
    basis:
      "DPDP Rules 2025 Rule 7(1): each affected person is told without delay; kept after the Board's report (Rule 7(2)(b)) for any further intimation the Board directs, then erased (s.8(7))",
  },
  codeNoticeTimeToLive: {
    category: "retention",
    label:
      "A notice carrying a one-time code waits in the notifications queue at most this long, then expires",
    duration: "PT10M",
    basis:
      "DPDP Act 2023 s.8(5) (reasonable security safeguards): a message holding a one-time code and an address outlives neither the code (verificationCodeValidity) nor its delivery",
  },
  noticeTimeToLive: {
    category: "retention",
    label:
      "Any other notice (an address and its text) waits in the notifications queue at most this long, then expires",
    duration: "P1D",
    basis:
      "DPDP Act 2023 s.8(5) and s.8(7): an address is kept no longer than its delivery needs; a day outlasts an outage of the mailer or the WhatsApp sender, whose dead letters are alerted on and dropped",
  },

  // ── Personal data breach (Privacy Policy §10) ─────────────────────────────────────────────────────
  breachBoardReport: {
    category: "breach",
    label: "Detailed breach report to the Data Protection Board",
    duration: "PT72H",
    basis: "DPDP Rules 2025 Rule 7(2)(b): detailed report to the Board within 72 hours; Privacy Policy §10",
    max: "PT72H",
  },
  breachCertInReport: {
    category: "breach",
    label: "Cybersecurity incident reported to CERT-In",
    duration: "PT6H",
    basis:
      "CERT-In directions of 28 April 2022 under IT Act 2000 s.70B(6): incidents reported within 6 hours",
    max: "PT6H",
  },
} satisfies Record<string, Period>;

export type PeriodName = keyof typeof periods;
/** The periods in use: the defaults with the configured overrides applied. */
export type PeriodTable = { readonly [K in PeriodName]: Period };
/** What configuration may change: durations by period name. */
export type PeriodOverrides = Partial<Record<PeriodName, string>>;

export const periodNames = Object.keys(periods) as PeriodName[];

export const isPeriodName = (name: string): name is PeriodName => Object.hasOwn(periods, name);

/** Which period answers each request kind (grievances under the SPDI Rules use `spdiGrievanceResolution`). */
export const responsePeriods = {
  access: "accessResponse",
  correction: "correctionResponse",
  erasure: "erasureCompletion",
  nomination: "nominationResponse",
  consent_withdrawal: "consentWithdrawalResponse",
  grievance: "grievanceResolution",
} as const satisfies Record<RequestKind, PeriodName>;

/**
 * Verification limits, counted per subject (number, email, account) and channel across all the subject's
 * requests (src/app/requests/subject-verification.ts): `maxWrongAttempts` wrong codes from one client
 * address lock it out for `verificationLockout`; a code dies after `maxWrongAttemptsPerCode` wrong
 * guesses from anyone; at most `maxCodesPerChannelWindow` codes go to a channel within
 * `verificationResendWindow` and `maxNoticesPerChannelDay` other messages (reminders, notices) within
 * `verificationReminder`; `maxResendsPerWindow` new codes may be asked for one request.
 */
export const verificationRules = {
  codeDigits: 6,
  maxWrongAttempts: 5,
  maxWrongAttemptsPerCode: 10,
  maxResendsPerWindow: 3,
  maxCodesPerChannelWindow: 10,
  maxNoticesPerChannelDay: 3,
} as const;

/** `from` plus a period: of the defaults, or of `table` (the periods in use, `app.policy.periods`). */
export function deadline(from: Date, name: PeriodName, table: PeriodTable = periods): Date {
  return addDuration(from, table[name].duration);
}

/** Milliseconds of a period as the clock counts it from `from` (calendar units included). */
export function periodMs(from: Date, name: PeriodName, table: PeriodTable = periods): number {
  return deadline(from, name, table).getTime() - from.getTime();
}

export function isDuration(text: string): boolean {
  return parseDuration(text) !== undefined;
}

// ── Comparing durations ─────────────────────────────────────────────────────────────────────────────

/**
 * Start dates over four whole calendar years (one leap year, every month length, every weekday): a
 * calendar duration such as P1M or P1Y is as long as it is from where it starts, so a bound must hold
 * from every start, not from one.
 */
const SAMPLE_STARTS: readonly Date[] = (() => {
  const starts: Date[] = [];
  const first = Date.UTC(2024, 0, 1);
  for (let day = 0; day < 4 * 365 + 1; day++) starts.push(new Date(first + day * 86_400_000));
  return starts;
})();

/** True when `a` is shorter than `b` from some start date. */
function everShorter(a: string, b: string): boolean {
  return SAMPLE_STARTS.some((s) => addDuration(s, a).getTime() < addDuration(s, b).getTime());
}

// ── Overrides ───────────────────────────────────────────────────────────────────────────────────────

export interface PeriodProblem {
  /** The period concerned, when there is one. */
  period?: PeriodName | string;
  message: string;
}

const cite = (name: PeriodName) => `${name} (${periods[name].label}; basis: ${periods[name].basis})`;

/**
 * The periods in use: the defaults with `overrides` applied, and every problem with them. An override
 * must name a period, be an ISO 8601 duration longer than zero, and stay within the legal minimum and
 * maximum; a request's answer period may not pass the extension ceiling, nor a reminder the expiry.
 */
export function resolvePeriods(overrides: unknown): { table: PeriodTable; problems: PeriodProblem[] } {
  const problems: PeriodProblem[] = [];
  const table: Record<PeriodName, Period> = { ...periods };
  if (overrides === undefined || overrides === null) return { table, problems };
  if (typeof overrides !== "object" || Array.isArray(overrides)) {
    return {
      table,
      problems: [
        {
          message: 'must be a JSON object of ISO 8601 durations by period name, e.g. {"usageRecords":"P60D"}',
        },
      ],
    };
  }
  for (const [name, value] of Object.entries(overrides)) {
    if (!isPeriodName(name)) {
      problems.push({
        period: name,
        message: `not a period of this service; the periods are ${periodNames.join(", ")}`,
      });
      continue;
    }
    if (typeof value !== "string" || !isDuration(value)) {
      problems.push({
        period: name,
        message: `${JSON.stringify(value)} is not an ISO 8601 duration such as P30D or PT24H`,
      });
      continue;
    }
    const period: Period = periods[name];
    if (!everShorter("PT0S", value)) {
      problems.push({ period: name, message: `${value} is not longer than zero: ${cite(name)}` });
      continue;
    }
    if (period.min !== undefined && everShorter(value, period.min)) {
      problems.push({
        period: name,
        message: `${value} is below the legal minimum ${period.min} of ${cite(name)}; refused`,
      });
      continue;
    }
    if (period.max !== undefined && everShorter(period.max, value)) {
      problems.push({
        period: name,
        message: `${value} is above the legal maximum ${period.max} of ${cite(name)}; refused`,
      });
      continue;
    }
    table[name] = { ...period, duration: value };
  }
  if (problems.length > 0) return { table, problems };
  for (const name of [...Object.values(responsePeriods), "spdiGrievanceResolution" as const]) {
    if (everShorter(table.extensionCeiling.duration, table[name].duration)) {
      problems.push({
        period: name,
        message: `${table[name].duration} would pass the extension ceiling ${table.extensionCeiling.duration} (${periods.extensionCeiling.basis}); refused`,
      });
    }
  }
  if (!everShorter(table.verificationReminder.duration, table.verificationExpiry.duration)) {
    problems.push({
      period: "verificationReminder",
      message: `the reminder (${table.verificationReminder.duration}) must come before the expiry (${table.verificationExpiry.duration})`,
    });
  }
  if (!everShorter(table.codeNoticeTimeToLive.duration, table.verificationCodeValidity.duration)) {
    problems.push({
      period: "codeNoticeTimeToLive",
      message: `a queued notice (${table.codeNoticeTimeToLive.duration}) must expire before the code it carries (${table.verificationCodeValidity.duration})`,
    });
  }
  if (everShorter(table.noticeTimeToLive.duration, table.codeNoticeTimeToLive.duration)) {
    problems.push({
      period: "noticeTimeToLive",
      message: `the queue's time-to-live (${table.noticeTimeToLive.duration}) bounds every message: it may not be shorter than a code notice's (${table.codeNoticeTimeToLive.duration})`,
    });
  }
  return { table, problems };
}

export class PolicyError extends Error {
  constructor(readonly problems: PeriodProblem[]) {
    super(
      `Invalid period overrides (RETENTION_OVERRIDES):\n${problems
        .map((p) => `  - ${p.period ? `${p.period}: ` : ""}${p.message}`)
        .join("\n")}`,
    );
    this.name = "PolicyError";
  }
}

/**
 * The periods in use, as the use cases get them (`app.policy`): built once at start-up by the
 * composition root from the validated `RETENTION_OVERRIDES`.
 */
export interface Policy {
  readonly periods: PeriodTable;
  /** The periods whose duration differs from the default. */
  readonly overridden: readonly PeriodName[];
  deadline(from: Date, name: PeriodName): Date;
  periodMs(from: Date, name: PeriodName): number;
}

/** Throws PolicyError (naming each period and its basis) when an override breaks a legal limit. */
export function createPolicy(overrides: PeriodOverrides | undefined = {}): Policy {
  const { table, problems } = resolvePeriods(overrides);
  if (problems.length > 0) throw new PolicyError(problems);
  const frozen: PeriodTable = Object.freeze(table);
  return Object.freeze({
    periods: frozen,
    overridden: periodNames.filter((n) => frozen[n].duration !== periods[n].duration),
    deadline: (from: Date, name: PeriodName) => deadline(from, name, frozen),
    periodMs: (from: Date, name: PeriodName) => periodMs(from, name, frozen),
  });
}

/** The defaults, as a Policy (tests and callers without an AppContext). */
export const defaultPolicy: Policy = createPolicy();
