import type { LanguagePack, NoticeParts } from "./types";

/** English notices: plain language, short sentences, one idea each (Privacy Policy: "plain language"). */

const KIND: Record<string, string> = {
  access: "access to your personal data",
  correction: "correction of your personal data",
  erasure: "deletion of your personal data",
  nomination: "nomination of a person to act for you",
  consent_withdrawal: "withdrawal of your consent",
};

const STATUS: Record<string, string> = {
  pending_verification: "waiting for your confirmation",
  verified: "confirmed",
  in_progress: "in progress",
  deactivated: "account deactivated",
  on_hold: "on hold",
  purging: "being deleted",
  purged: "deleted",
  completed: "completed",
  cancelled: "cancelled",
  rejected: "rejected",
};

/** "your request for deletion of your personal data", "your grievance". */
const yours = (kind: string) =>
  kind === "grievance" ? "your grievance" : `your request for ${KIND[kind] ?? kind.replace(/_/g, " ")}`;
const Yours = (kind: string) => {
  const s = yours(kind);
  return s.charAt(0).toUpperCase() + s.slice(1);
};
const ref = (id: string) => `(reference ${id})`;

const BOARD = "the Data Protection Board of India through its online portal";
const ESCALATE = `If you are not satisfied with their answer, you may complain to ${BOARD}.`;
const NEXT = {
  rejected: `You can make a new request with the missing details at any time. If you disagree with this decision, write to our Grievance Officer. ${ESCALATE}`,
  grievanceDone: `If you are not satisfied with this resolution, you may complain to ${BOARD}.`,
  done: `If you think something is missing or wrong, write to our Grievance Officer. ${ESCALATE}`,
  overdueAdvice: (by: string) =>
    `If we have not answered by ${by}, or you are unhappy with how we handle it, write to our Grievance Officer. ${ESCALATE}`,
  question: "If you have a question about your request, write to our Grievance Officer.",
};

function statusNext(kind: string, status: string): string {
  switch (status) {
    case "rejected":
      return NEXT.rejected;
    case "completed":
      return kind === "grievance" ? NEXT.grievanceDone : NEXT.done;
    case "cancelled":
      return `You can make a new request at any time. ${NEXT.question}`;
    case "on_hold":
      return `A legal obligation requires us to keep the data for now; we will tell you when your request continues. ${NEXT.question}`;
    case "deactivated":
      return `Your data is kept, untouched, for the retention window and then permanently deleted. Until then you can ask us to reactivate the account. ${NEXT.question}`;
    default:
      return NEXT.question;
  }
}

export const en: LanguagePack = {
  code: "en",
  name: "English",
  locale: "en-IN",
  footer: (dpo) =>
    `Questions or complaints about your personal data? Write to our Grievance Officer and Data Protection Officer (CallMissed Technologies Pvt. Ltd.): ${dpo}`,
  templates: {
    verification_code: (n) => ({
      subject: "Your CallMissed verification code",
      body: `Your CallMissed verification code is ${n.code}. It is valid for ${n.minutes} minutes. Enter it to confirm ${yours(n.kind)}.`,
      next: "If you did not ask for this, ignore this message: nothing will happen. Never share this code with anyone.",
    }),
    verification_reminder: (n, h) => ({
      subject: "Please confirm your request",
      body: `${Yours(n.kind)} ${ref(n.requestId)} is waiting for you to confirm it. We do nothing until you do.`,
      next:
        "Enter the code we sent you. If it has expired, ask for a new one where you made the request. " +
        `If you do not confirm it by ${h.date(n.expiresAt)}, we will close the request without changing anything; you can make a new one at any time. ` +
        "If you did not make this request, ignore this message.",
    }),
    verification_expired: (n) => ({
      subject: "Your request has been closed",
      body: `${Yours(n.kind)} ${ref(n.requestId)} was not confirmed within ${n.days} days, so we have closed it. None of your data was changed or deleted.`,
      next: `You can make a new request at any time. ${NEXT.question}`,
    }),
    request_received: (n, h) => ({
      subject: "We have received your request",
      body:
        `We have received ${yours(n.kind)} ${ref(n.requestId)}.` +
        (n.dueAt ? ` We will complete it by ${h.date(n.dueAt)}.` : ""),
      next:
        "You can follow it where you made the request. " +
        (n.dueAt
          ? NEXT.overdueAdvice(h.date(n.dueAt))
          : `If you are unhappy with how we handle it, write to our Grievance Officer. ${ESCALATE}`),
    }),
    grievance_acknowledged: (n, h) => ({
      subject: "We have received your grievance",
      body: `We have received your grievance ${ref(n.requestId)}. We will resolve it by ${h.date(n.dueAt)}.`,
      next: `If we have not resolved it by then, or you are not satisfied with our answer, you may complain to ${BOARD}.`,
    }),
    request_status: (n) => ({
      subject: "Update on your request",
      body:
        `${Yours(n.kind)} ${ref(n.requestId)} is now ${STATUS[n.status] ?? n.status.replace(/_/g, " ")}.` +
        (n.reason ? ` Reason: ${n.reason}` : ""),
      next: statusNext(n.kind, n.status),
    }),
    request_completed: (n, h): NoticeParts => {
      const lines = [
        n.kind === "grievance"
          ? `We have resolved your grievance ${ref(n.requestId)}.`
          : `We have completed ${yours(n.kind)} ${ref(n.requestId)}.`,
      ];
      if (n.availableUntil)
        lines.push(
          `Your data export is ready. Download it where you made the request before ${h.date(n.availableUntil)}.`,
        );
      if (n.retained?.length) {
        lines.push(
          "We keep only what the law requires us to keep:",
          ...n.retained.map((r) => `- ${r.label} (${r.basis})`),
        );
      }
      return {
        subject: n.kind === "grievance" ? "Your grievance has been resolved" : "Your request is complete",
        body: lines.join("\n"),
        next: n.kind === "grievance" ? NEXT.grievanceDone : NEXT.done,
      };
    },
    request_rejected: (n) => ({
      subject: "We cannot carry out your request",
      body:
        `We cannot carry out ${yours(n.kind)} ${ref(n.requestId)}.` +
        (n.reason ? ` Reason: ${n.reason}` : ""),
      next: NEXT.rejected,
    }),
    grievance_response: (n) => ({
      subject: "A reply about your grievance",
      body: `Our Grievance Officer has replied about your grievance ${ref(n.requestId)}:\n\n${n.message}`,
      next: "Your grievance stays open until we resolve it. You can reply to this message if you have more to add.",
    }),
    grievance_resolved: (n) => ({
      subject: "Your grievance has been resolved",
      body: `We have resolved your grievance ${ref(n.requestId)}. Our answer:\n\n${n.resolution}`,
      next: `If you are not satisfied with this resolution, you may complain to ${BOARD}.`,
    }),
    nomination_revoked: (n) => ({
      subject: "Your nomination has been withdrawn",
      body: `As you asked, we have withdrawn your nomination ${ref(n.requestId)}. The person you had nominated can no longer exercise your rights for you.`,
      next: `You can nominate someone again at any time. ${NEXT.question}`,
    }),
    breach_notice: (n, h) => ({
      subject: "Important: a security incident involving your personal data",
      body: [
        `On ${h.date(n.discoveredAt)} we found a security incident (a personal data breach) that affects personal data we hold about you (reference ${n.breachId}).`,
        `What happened: ${n.nature}`,
        `What this may mean for you: ${n.consequences}`,
        `What we have done: ${n.measures}`,
        `What you can do to protect yourself: ${n.safetySteps}`,
      ].join("\n\n"),
      next: `We are sorry. If you have questions, or think you were affected in a way we have not described, write to our Grievance Officer. ${ESCALATE}`,
    }),
  },
};
