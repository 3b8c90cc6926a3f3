/** The API's answers as the privacy center reads them (docs/openapi.json); fields it does not use are left out. */

export interface PolicyRequestKind {
  kind: string;
  label: string;
  answerWithin: { period: string; duration: string };
  clockStarts: "verification" | "receipt";
}

export interface Policy {
  dataFiduciary: string;
  grievanceOfficer: { role: string; email: string; basis: string };
  channels: { channel: string; description: string; url?: string; address?: string; path?: string }[];
  requests: PolicyRequestKind[];
  periods: { name: string; category: string; label: string; duration: string; basis: string }[];
  languages: string[];
  escalation: { to: string; when: string; basis: string };
  processing: {
    residency: string;
    categories: { category: string; label: string; data: string; purpose: string; basis: string }[];
  };
}

export interface RequestView {
  id: string;
  kind: string;
  status: string;
  scope: { type: string; phone?: string };
  createdAt: string;
  verifiedAt?: string;
  dueAt?: string;
  daysLeft?: number;
  overdue: boolean;
  onHold: boolean;
  closedReason?: string;
  allowedActions: string[];
  requestToken?: string;
}

export interface ExportLink {
  url: string;
  expiresAt: string;
  availableUntil: string;
  bytes: number;
}

export interface Certificate {
  requestId: string;
  issuedAt: string;
  auditHeadHash: string;
  categories: { category: string; label: string; action: string; count: number; reason?: string }[];
  backups?: { note: string };
}

export interface Artefact {
  id: string;
  action: "grant" | "withdraw";
  purpose: string;
  effectiveAt: string;
  expiresAt?: string;
}

export interface ConsentPurpose {
  purpose: string;
  label: Record<string, string>;
  description: Record<string, string>;
}

/** The kinds a person can file here without an account (Privacy Policy §6; docs/web-pages.md). */
export const PUBLIC_KINDS = ["erasure", "access", "consent_withdrawal", "grievance"] as const;
export type PublicKind = (typeof PUBLIC_KINDS)[number];

/** Statuses after which nothing more happens to a request: the tab lets go of its key. */
export const FINISHED = ["completed", "cancelled", "rejected"];
