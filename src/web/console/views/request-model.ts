/** A request as `GET v1/requests/{id}` shows it to staff (docs/openapi.json RequestView). */
export interface ProcessorLine {
  processorId: string;
  name: string;
  country: string;
  categories: string[];
  status: "open" | "confirmed" | "waived";
  deadline: string;
  confirmedAt?: string;
  confirmedBy?: string;
  waivedAt?: string;
  taskId: string;
  overdue: boolean;
}

export interface RequestView {
  id: string;
  kind: string;
  status: string;
  scope: { type: string; tenantId?: string; phone?: string };
  channel?: string;
  language?: string;
  /** The language the requester's notices are written in (issue 23). */
  noticeLanguage?: string;
  createdAt: string;
  verifiedAt?: string;
  dueAt?: string;
  daysLeft?: number;
  overdue: boolean;
  onHold: boolean;
  acknowledgeDueAt?: string;
  acknowledgedAt?: string;
  deactivatedAt?: string;
  purgeDueAt?: string;
  purgedAt?: string;
  hold?: { since: string; reason?: string };
  deadlineExtensions?: { at: string; reason: string; from: string; to: string }[];
  failure?: { step: string; message: string; at: string; attempts: number };
  closedReason?: string;
  details?: Record<string, unknown>;
  allowedActions: string[];
  processors?: ProcessorLine[];
}

export interface AuditEvent {
  seq?: number;
  at: string;
  action: string;
  actor?: { kind: string };
  from?: string;
  to?: string;
  reason?: string;
}

export interface AuditView {
  chain: {
    valid: boolean;
    headHash: string;
    brokenAt?: number;
    anchored?: { valid: boolean; anchors: number; brokenAt?: number; reason?: string };
  };
  events: AuditEvent[];
}
