import { addDuration, parseDuration } from "../duration";

/**
 * Every period and deadline the service keeps, each with the rule or policy section it comes from,
 * in one place: counsel changes a number here (or by configuration), never in the use cases.
 */
export interface Period {
  duration: string;
  basis: string;
  /** A legal ceiling an override may not pass (ISO 8601), where the law sets one. */
  max?: string;
  /** A legal floor an override may not go below, where the law sets one. */
  min?: string;
}

export const periods = {
  erasureCompletion: {
    duration: "P30D",
    basis: "Data Deletion Instructions §7: deletion completed within 30 days of verification",
    max: "P90D",
  },
  accountRetentionWindow: {
    duration: "P30D",
    basis: "Account Deletion Policy §3: data retained 30 days after deactivation, then permanently deleted",
  },
  accessResponse: {
    duration: "P30D",
    basis:
      "Privacy Policy §6: within timelines prescribed under applicable law (DPDP Rules 2025 Rule 14(3): at most 90 days)",
    max: "P90D",
  },
  correctionResponse: {
    duration: "P30D",
    basis: "Privacy Policy §6; DPDP Act 2023 s.12; DPDP Rules 2025 Rule 14(3): at most 90 days",
    max: "P90D",
  },
  nominationResponse: {
    duration: "P30D",
    basis: "DPDP Act 2023 s.14; DPDP Rules 2025 Rule 14(3): at most 90 days",
    max: "P90D",
  },
  consentWithdrawalResponse: {
    duration: "P7D",
    basis: "Privacy Policy §7; DPDP Act 2023 s.6(4)–(6): processing ceases within a reasonable time",
    max: "P90D",
  },
  grievanceAcknowledgement: {
    duration: "PT24H",
    basis: "Privacy Policy §14: acknowledged within 24 hours (IT Rules 2021 r.3(2))",
    max: "PT24H",
  },
  grievanceResolution: {
    duration: "P15D",
    basis:
      "Privacy Policy §14: resolved within 15 days (IT Rules 2021); DPDP Rules 2025 Rule 14(3): never over 90 days",
    max: "P90D",
  },
  spdiGrievanceResolution: {
    duration: "P1M",
    basis: "Privacy Policy §14: SPDI Rules 2011 grievances redressed within one month",
    max: "P90D",
  },
  /** The ceiling no extension of any request's deadline may pass, counted from receipt. */
  extensionCeiling: {
    duration: "P90D",
    basis: "DPDP Rules 2025 Rule 14(3): grievances and rights requests answered within 90 days at most",
  },
  verificationCodeValidity: {
    duration: "PT15M",
    basis: "Data Deletion Instructions §6: verification protects against unauthorised deletion",
  },
  verificationLockout: {
    duration: "PT1H",
    basis: "Data Deletion Instructions §6: 5 wrong codes lock verification for an hour",
  },
  verificationResendWindow: {
    duration: "PT1H",
    basis: "At most 3 new codes an hour, against abuse of the number's owner",
  },
} satisfies Record<string, Period>;

export type PeriodName = keyof typeof periods;

export const verificationRules = { codeDigits: 6, maxWrongAttempts: 5, maxResendsPerWindow: 3 } as const;

export function deadline(from: Date, name: PeriodName): Date {
  return addDuration(from, periods[name].duration);
}

/** Milliseconds of a period as the clock counts it from `from` (calendar units included). */
export function periodMs(from: Date, name: PeriodName): number {
  return deadline(from, name).getTime() - from.getTime();
}

export function isDuration(text: string): boolean {
  return parseDuration(text) !== undefined;
}
