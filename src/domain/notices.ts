/**
 * The words the service sends to people. Plain language, and every notice ends with the Grievance
 * Officer's contact and what the person can do next (DPDP Rules 2025 Rule 9; Act s.8(9)).
 */
export interface NoticeContext {
  dpoContact: string;
}

export type NoticeTemplate =
  | { template: "verification_code"; code: string; minutes: number; kind: string }
  | { template: "request_received"; requestId: string; kind: string; dueAt?: string }
  | { template: "grievance_acknowledged"; requestId: string; dueAt: string }
  | { template: "request_status"; requestId: string; kind: string; status: string; reason?: string }
  | { template: "execution_failure_alert"; requestId: string; kind: string; step: string; attempts: number };

const KIND_WORDS: Record<string, string> = {
  access: "access to your personal data",
  correction: "correction of your personal data",
  erasure: "deletion of your personal data",
  nomination: "nomination of a person to act for you",
  grievance: "grievance",
  consent_withdrawal: "withdrawal of consent",
};

const words = (kind: string) => KIND_WORDS[kind] ?? kind;

export function renderNotice(n: NoticeTemplate, ctx: NoticeContext): { subject: string; text: string } {
  const footer =
    `\n\nQuestions or complaints: our Grievance Officer, ${ctx.dpoContact}. ` +
    "If you are not satisfied with our answer, you may escalate to the Data Protection Board of India.";
  switch (n.template) {
    case "verification_code":
      return {
        subject: "Your CallMissed verification code",
        text:
          `Your CallMissed verification code is ${n.code}. It is valid for ${n.minutes} minutes. ` +
          `Enter it to confirm your request for ${words(n.kind)}. If you did not ask for this, ignore this message: nothing will happen.` +
          footer,
      };
    case "request_received":
      return {
        subject: "We have received your request",
        text:
          `We have received your request for ${words(n.kind)} (reference ${n.requestId}).` +
          (n.dueAt ? ` We will complete it by ${n.dueAt.slice(0, 10)}.` : "") +
          footer,
      };
    case "grievance_acknowledged":
      return {
        subject: "Your grievance has been received",
        text:
          `We have received your grievance (reference ${n.requestId}) and will resolve it by ${n.dueAt.slice(0, 10)}.` +
          footer,
      };
    case "request_status":
      return {
        subject: "Update on your request",
        text:
          `Your request for ${words(n.kind)} (reference ${n.requestId}) is now ${n.status.replace(/_/g, " ")}.` +
          (n.reason ? ` Reason: ${n.reason}` : "") +
          footer,
      };
    case "execution_failure_alert":
      return {
        subject: `Request ${n.requestId} keeps failing`,
        text: `Request ${n.requestId} (${n.kind}) failed ${n.attempts} times at step '${n.step}'. Open it and retry from that step once the cause is fixed.`,
      };
  }
}
