/**
 * The notices the service sends to people who exercise their rights, as data: one entry per template.
 * Each language file (en.ts, hi.ts, …) renders every one of these; TypeScript refuses a language file
 * that misses one, and test/unit/notices.test.ts refuses a registry where one is missing.
 *
 * `kind` and `status` are the request's (RequestKind, RequestStatus); an unknown value is shown as is.
 * Dates are ISO 8601 strings; each language writes them in its own way, in India time (never as ISO).
 *
 * Every fact a notice states is either composed here (a template, or a {@link ReasonCode}, with a text
 * in every language file) or a person's own words carried with the language they wrote them in
 * ({@link TypedText}): the reader gets them as written when that is their language, and labelled as the
 * officer's own words, in the language named, when it is not. Nothing in a notice is English by default.
 */

/** Words a person typed (a staff reason, the Grievance Officer's reply), with the language they are in. */
export interface TypedText {
  text: string;
  /** The language they were written in (a notice language code: "en", "hi"). */
  language: string;
}

/**
 * Reasons the service writes itself (never a sentence in one language): each language file has its
 * sentence for every code, and TypeScript refuses a file that misses one.
 */
export const REASON_CODES = [
  /** The requester (or the account's owner) withdrew the request. */
  "withdrawn_by_requester",
  /** The account was reactivated within its retention window: the erasure is called off. */
  "account_reactivated",
  /** A nomination filed by a team member: only the account's owner can nominate. */
  "owner_only_nomination",
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

/** Why, in a notice: a reason the service composes, or a person's own words. */
export type NoticeReason = { code: ReasonCode } | TypedText;

/** The four Rule 7(1) texts of a breach, as the privacy officer wrote them, in one language. */
export interface BreachTexts {
  /** The language these four texts are written in. */
  language: string;
  nature: string;
  consequences: string;
  measures: string;
  safetySteps: string;
}
export interface RequesterNoticeData {
  /** The only notice that carries the one-time code. */
  verification_code: { code: string; minutes: number; kind: string };
  /** One reminder for a request still not verified (no code in it: the person asks for a new one). */
  verification_reminder: { requestId: string; kind: string; expiresAt: string };
  /** The request was not verified in time and is closed; nothing was changed. */
  verification_expired: { requestId: string; kind: string; days: number };
  request_received: { requestId: string; kind: string; dueAt?: string };
  grievance_acknowledged: { requestId: string; dueAt: string };
  request_status: {
    requestId: string;
    kind: string;
    status: string;
    reason?: NoticeReason;
    /** A deactivated account: when its data is permanently deleted unless it is reactivated first. */
    purgeDueAt?: string;
  };
  /** Staff moved the deadline out (DPDP Rules 2025 Rule 14(3)): the new date, and why. */
  deadline_extended: { requestId: string; kind: string; dueAt: string; reason: NoticeReason };
  request_completed: {
    requestId: string;
    kind: string;
    /**
     * What is kept after an erasure because the law requires it, with its basis, as written, in the
     * language they are written in (the notice says so when that is not the reader's). No caller fills
     * it yet: docs/notices.md.
     */
    retained?: { label: string; basis: string; language: string }[];
    /** An access export: downloadable until then. */
    availableUntil?: string;
  };
  request_rejected: { requestId: string; kind: string; reason?: NoticeReason };
  /** Staff answer a grievance while it is open (the Grievance Officer's reply, quoted as written). */
  grievance_response: { requestId: string; message: TypedText };
  /** A grievance resolved: the resolution as written, and how to escalate to the Data Protection Board. */
  grievance_resolved: { requestId: string; resolution: TypedText };
  /** A nomination withdrawn by the person who made it: the nominee can no longer act for them. */
  nomination_revoked: { requestId: string };
  /**
   * A personal data breach (DPDP Rules 2025 Rule 7(1)): what happened, its likely consequences, what we
   * did, what the person can do. The four texts are the privacy officer's, in the reader's language
   * when the register has them in it; otherwise in the language they are in, and the notice says so.
   */
  breach_notice: { breachId: string; discoveredAt: string; texts: BreachTexts };
}

export type RequesterTemplateName = keyof RequesterNoticeData;

/** A notice to a data principal: `{ template: "request_received", requestId, kind, dueAt }`. */
export type RequesterNotice = {
  [K in RequesterTemplateName]: { template: K } & RequesterNoticeData[K];
}[RequesterTemplateName];

/** Alerts to CallMissed staff (the privacy officer), not notices to a data principal. */
export interface StaffNoticeData {
  execution_failure_alert: { requestId: string; kind: string; step: string; attempts: number };
  /** A breach not yet reported to the Data Protection Board, 24 and 48 hours after its discovery. */
  breach_report_reminder: { breachId: string; hours: number; dueAt: string; hoursLeft: number };
  /**
   * Breach notices went to readers whose language the register has no texts in: they got the texts in
   * another language, labelled as such. The officer adds the texts (POST v1/breaches/{id}/texts/{language}).
   */
  breach_texts_missing: { breachId: string; language: string; readers: number; usedLanguage: string };
}

export type StaffTemplateName = keyof StaffNoticeData;

export type StaffNotice = {
  [K in StaffTemplateName]: { template: K } & StaffNoticeData[K];
}[StaffTemplateName];

export type NoticeTemplate = RequesterNotice | StaffNotice;
export type TemplateName = NoticeTemplate["template"];

/** What a language file returns for one notice; the renderer adds the DPO contact footer. */
export interface NoticeParts {
  subject: string;
  /** What happened. */
  body: string;
  /** What the person can do next (the Grievance Officer, the Data Protection Board where it applies). */
  next: string;
}

/** Formatting a language file gets from the renderer. */
export interface NoticeHelpers {
  /** An ISO date-time as a date in this language, in India time (Asia/Kolkata). */
  date(iso: string): string;
  /** A reason: the language's own sentence for a code, or a person's words via {@link NoticeHelpers.typed}. */
  reason(r: NoticeReason): string;
  /** A person's words: as written in the reader's language; otherwise labelled (LanguagePack.otherLanguage). */
  typed(t: TypedText): string;
  /** Whether texts in this language are the reader's own language (the pack's code, "hi-IN" as "hi"). */
  isReaderLanguage(language: string): boolean;
  /** A language's name in the reader's language ("अंग्रेज़ी" for "en" in Hindi). */
  languageName(language: string): string;
  /** The Data Protection Board's published channel (DPB_CONTACT), for every sentence that sends people there. */
  board: string;
}

export type TemplateRenderers<Data> = {
  [K in keyof Data]: (data: Data[K], h: NoticeHelpers) => NoticeParts;
};

/** One language: a file in this folder, registered in registry.ts. */
export interface LanguagePack {
  /** The request's `language` value (BCP 47 primary tag): "en", "hi". */
  code: string;
  /** The language's name in itself. */
  name: string;
  /** Locale for dates (Intl): "en-IN", "hi-IN". */
  locale: string;
  templates: TemplateRenderers<RequesterNoticeData>;
  /** The sentence for every reason the service composes itself. */
  reasons: Record<ReasonCode, string>;
  /**
   * A person's words written in another language than the reader's, labelled as the officer's own words
   * in the named language (`languageName` is already in this language: "अंग्रेज़ी").
   */
  otherLanguage(text: string, languageName: string): string;
  /**
   * How this language names the Data Protection Board: the renderer refuses a notice that names it
   * without the Board's channel (as it refuses one without the DPO contact).
   */
  boardName: string;
  /**
   * The last lines of every notice: the Grievance Officer / DPO contact (DPDP Rules 2025 Rule 9;
   * Act s.8(9)). The renderer refuses a notice whose text does not contain `dpoContact`.
   */
  footer(dpoContact: string): string;
}
