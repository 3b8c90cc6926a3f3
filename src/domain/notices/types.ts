/**
 * The notices the service sends to people who exercise their rights, as data: one entry per template.
 * Each language file (en.ts, hi.ts, …) renders every one of these; TypeScript refuses a language file
 * that misses one, and test/unit/notices.test.ts refuses a registry where one is missing.
 *
 * `kind` and `status` are the request's (RequestKind, RequestStatus); an unknown value is shown as is.
 * Dates are ISO 8601 strings; each language writes them in its own way, in India time.
 */
export interface RequesterNoticeData {
  /** The only notice that carries the one-time code. */
  verification_code: { code: string; minutes: number; kind: string };
  /** One reminder for a request still not verified (no code in it: the person asks for a new one). */
  verification_reminder: { requestId: string; kind: string; expiresAt: string };
  /** The request was not verified in time and is closed; nothing was changed. */
  verification_expired: { requestId: string; kind: string; days: number };
  request_received: { requestId: string; kind: string; dueAt?: string };
  grievance_acknowledged: { requestId: string; dueAt: string };
  request_status: { requestId: string; kind: string; status: string; reason?: string };
  request_completed: {
    requestId: string;
    kind: string;
    /** What is kept after an erasure because the law requires it, with its basis (quoted as given). */
    retained?: { label: string; basis: string }[];
    /** An access export: downloadable until then. */
    availableUntil?: string;
  };
  request_rejected: { requestId: string; kind: string; reason?: string };
  /** Staff answer a grievance while it is open (the Grievance Officer's reply, quoted as written). */
  grievance_response: { requestId: string; message: string };
  /** A grievance resolved: the resolution as written, and how to escalate to the Data Protection Board. */
  grievance_resolved: { requestId: string; resolution: string };
  /** A nomination withdrawn by the person who made it: the nominee can no longer act for them. */
  nomination_revoked: { requestId: string };
  /**
   * A personal data breach (DPDP Rules 2025 Rule 7(1)): what happened, its likely consequences, what we
   * did, what the person can do. The four texts are the privacy officer's, quoted as written.
   */
  breach_notice: {
    breachId: string;
    discoveredAt: string;
    nature: string;
    consequences: string;
    measures: string;
    safetySteps: string;
  };
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
  /**
   * The last lines of every notice: the Grievance Officer / DPO contact (DPDP Rules 2025 Rule 9;
   * Act s.8(9)). The renderer refuses a notice whose text does not contain `dpoContact`.
   */
  footer(dpoContact: string): string;
}
