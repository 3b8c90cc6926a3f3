import type { LanguagePack, NoticeHelpers, NoticeParts } from "./types";

/** English notices: plain language, short sentences, one idea each (Privacy Policy: "plain language"). */

const KIND: Record<string, string> = {
  access: "access to your personal data",
  correction: "correction of your personal data",
  erasure: "deletion of your personal data",
  nomination: "nomination of a person to act for you",
  consent_withdrawal: "withdrawal of your consent",
};

/** Said after "has a new status:" (a label, not a verb phrase, so it reads for a request and a grievance). */
const STATUS: Record<string, string> = {
  pending_verification: "waiting for your confirmation",
  verified: "confirmed",
  in_progress: "in progress",
  deactivated: "account deactivated",
  // A legal hold lasts as long as the obligation behind it: never "paused for a while".
  on_hold: "on legal hold",
  purging: "data being deleted",
  purged: "data deleted",
  completed: "completed",
  cancelled: "cancelled",
  rejected: "rejected",
};

const grievance = (kind: string) => kind === "grievance";
/** "your request for deletion of your personal data", "your grievance". */
const yours = (kind: string) =>
  grievance(kind) ? "your grievance" : `your request for ${KIND[kind] ?? kind.replace(/_/g, " ")}`;
const Yours = (kind: string) => {
  const s = yours(kind);
  return s.charAt(0).toUpperCase() + s.slice(1);
};
const thing = (kind: string) => (grievance(kind) ? "grievance" : "request");
const makeNew = (kind: string) => (grievance(kind) ? "raise a new grievance" : "make a new request");
const ref = (id: string) => `(reference ${id})`;

/** The Grievance Officer's address is in the footer of every notice; the Board's is given where it is named. */
const OFFICER = "email our Grievance Officer (address below)";
const BOARD_NAME = "Data Protection Board of India";
const board = (h: NoticeHelpers) => `the ${BOARD_NAME} online at ${h.board}`;
const escalate = (h: NoticeHelpers) =>
  `If you are not satisfied with their answer, you may complain to ${board(h)}.`;
const next = (h: NoticeHelpers, kind: string) => ({
  rejected: `You can ${makeNew(kind)} with the missing details at any time. If you disagree with this decision, ${OFFICER}. ${escalate(h)}`,
  grievanceDone: `If you are not satisfied with this resolution, you may complain to ${board(h)}.`,
  done: `If you think something is missing or wrong, ${OFFICER}. ${escalate(h)}`,
  overdueAdvice: (by: string) =>
    grievance(kind)
      ? `If we have not resolved it by ${by}, or you are not satisfied with our answer, you may complain to ${board(h)}.`
      : `If we have not answered by ${by}, or you are not satisfied with what we do about it, ${OFFICER}. ${escalate(h)}`,
  question: `If you have a question about your ${thing(kind)}, ${OFFICER}.`,
});

function statusNext(h: NoticeHelpers, n: { kind: string; status: string; purgeDueAt?: string }): string {
  const say = next(h, n.kind);
  switch (n.status) {
    case "rejected":
      return say.rejected;
    case "completed":
      return grievance(n.kind) ? say.grievanceDone : say.done;
    case "cancelled":
      return `You can ${makeNew(n.kind)} at any time. ${say.question}`;
    case "on_hold":
      return `A legal obligation requires us to keep the data for now, for as long as it lasts; we will tell you when your request continues. ${say.question}`;
    case "deactivated":
      return (
        (n.purgeDueAt
          ? `Your data is kept, untouched, until ${h.date(n.purgeDueAt)} and then permanently deleted. `
          : "Your data is kept, untouched, for the retention window and then permanently deleted. ") +
        `Until then you can ask us to reactivate the account. ${say.question}`
      );
    default:
      return say.question;
  }
}

export const en: LanguagePack = {
  code: "en",
  name: "English",
  locale: "en-IN",
  boardName: BOARD_NAME,
  reasons: {
    withdrawn_by_requester: "You (or the account's owner) withdrew it.",
    account_reactivated: "The account was reactivated, so it will not be deleted.",
    owner_only_nomination: "Only the account's owner can make, replace or withdraw its nomination.",
  },
  otherLanguage: (text, languageName) => `(our officer's own words, in ${languageName}) ${text}`,
  footer: (dpo) =>
    `Questions or complaints about your personal data? Email our Grievance Officer and Data Protection Officer (CallMissed Technologies Pvt. Ltd.): ${dpo}`,
  templates: {
    verification_code: (n) => ({
      subject: "Your CallMissed verification code",
      body: `Your CallMissed verification code (OTP) is ${n.code}. It is valid for ${n.minutes} minutes. Enter it to confirm ${yours(n.kind)}.`,
      next: "If you did not ask for this, ignore this message: nothing will change. Never share this code with anyone.",
    }),
    verification_reminder: (n, h) => ({
      subject: `Please confirm your ${thing(n.kind)}`,
      body: `${Yours(n.kind)} ${ref(n.requestId)} is waiting for you to confirm it. We do nothing until you do.`,
      next:
        "Enter the code we sent you. If it has expired, ask for a new one where you made the request. " +
        `If you do not confirm it by ${h.date(n.expiresAt)}, we will close it without changing anything; you can make a new one at any time. ` +
        "If you did not make this request, ignore this message.",
    }),
    verification_expired: (n, h) => ({
      subject: `Your ${thing(n.kind)} has been closed`,
      body: `${Yours(n.kind)} ${ref(n.requestId)} was not confirmed within ${n.days === 1 ? "1 day" : `${n.days} days`}, so we have closed it. None of your data was changed or deleted.`,
      next: `You can ${makeNew(n.kind)} at any time. ${next(h, n.kind).question}`,
    }),
    request_received: (n, h) => ({
      subject: `We have received your ${thing(n.kind)}`,
      body:
        `We have received ${yours(n.kind)} ${ref(n.requestId)}.` +
        (n.dueAt
          ? grievance(n.kind)
            ? ` We will resolve it by ${h.date(n.dueAt)}.`
            : ` We will complete it by ${h.date(n.dueAt)}.`
          : ""),
      next:
        `You can follow it where you made your ${thing(n.kind)}. ` +
        (n.dueAt
          ? next(h, n.kind).overdueAdvice(h.date(n.dueAt))
          : grievance(n.kind)
            ? `If you are not satisfied with how we handle it, you may complain to ${board(h)}.`
            : `If you are not satisfied with what we do about it, ${OFFICER}. ${escalate(h)}`),
    }),
    grievance_acknowledged: (n, h) => ({
      subject: "We have received your grievance",
      body: `We have received your grievance ${ref(n.requestId)}. We will resolve it by ${h.date(n.dueAt)}.`,
      next: `If we have not resolved it by then, or you are not satisfied with our answer, you may complain to ${board(h)}.`,
    }),
    request_status: (n, h) => ({
      subject: `Update on your ${thing(n.kind)}`,
      body:
        `${Yours(n.kind)} ${ref(n.requestId)} has a new status: ${STATUS[n.status] ?? n.status.replace(/_/g, " ")}.` +
        (n.reason ? ` Reason: ${h.reason(n.reason)}` : ""),
      next: statusNext(h, n),
    }),
    deadline_extended: (n, h) => ({
      subject: `We need more time for your ${thing(n.kind)}`,
      body: `We need more time to finish ${yours(n.kind)} ${ref(n.requestId)}. We will now finish it by ${h.date(n.dueAt)}. Reason: ${h.reason(n.reason)}`,
      next: next(h, n.kind).overdueAdvice(h.date(n.dueAt)),
    }),
    request_completed: (n, h): NoticeParts => {
      const lines = [
        grievance(n.kind)
          ? `We have resolved your grievance ${ref(n.requestId)}.`
          : `We have completed ${yours(n.kind)} ${ref(n.requestId)}.`,
      ];
      if (n.availableUntil)
        lines.push(
          `Your data export is ready. Download it where you made the request before ${h.date(n.availableUntil)}.`,
        );
      if (n.retained?.length) {
        const other = n.retained.find((r) => !h.isReaderLanguage(r.language));
        lines.push(
          `We keep only what the law requires us to keep${other ? ` (details in ${h.languageName(other.language)})` : ""}:`,
          ...n.retained.map((r) => `- ${r.label} (${r.basis})`),
        );
      }
      return {
        subject: grievance(n.kind) ? "Your grievance has been resolved" : "Your request is complete",
        body: lines.join("\n"),
        next: grievance(n.kind) ? next(h, n.kind).grievanceDone : next(h, n.kind).done,
      };
    },
    request_rejected: (n, h) => ({
      subject: grievance(n.kind)
        ? "We cannot take your grievance further"
        : "We cannot carry out your request",
      body:
        (grievance(n.kind)
          ? `We cannot take your grievance ${ref(n.requestId)} further.`
          : `We cannot carry out ${yours(n.kind)} ${ref(n.requestId)}.`) +
        (n.reason ? ` Reason: ${h.reason(n.reason)}` : ""),
      next: next(h, n.kind).rejected,
    }),
    grievance_response: (n, h) => ({
      subject: "A reply about your grievance",
      body: `Our Grievance Officer has replied about your grievance ${ref(n.requestId)}:\n\n${h.typed(n.message)}`,
      next: "Your grievance stays open until we resolve it. You can reply to this message if you have more to add.",
    }),
    grievance_resolved: (n, h) => ({
      subject: "Your grievance has been resolved",
      body: `We have resolved your grievance ${ref(n.requestId)}. Our answer:\n\n${h.typed(n.resolution)}`,
      next: `If you are not satisfied with this resolution, you may complain to ${board(h)}.`,
    }),
    nomination_revoked: (n, h) => ({
      subject: "Your nomination has been withdrawn",
      body: `As you asked, we have withdrawn your nomination ${ref(n.requestId)}. The person you had nominated can no longer exercise your rights for you.`,
      next: `You can nominate someone again at any time. ${next(h, "nomination").question}`,
    }),
    breach_notice: (n, h) => ({
      subject: "Important: a security incident involving your personal data",
      body: [
        `On ${h.date(n.discoveredAt)} we found a security incident (a personal data breach) that affects personal data we hold about you (reference ${n.breachId}).` +
          (h.isReaderLanguage(n.texts.language)
            ? ""
            : ` We do not have the details below in English yet: they are in ${h.languageName(n.texts.language)}, as our officer wrote them. Email our Grievance Officer and we will explain them to you.`),
        `What happened: ${n.texts.nature}`,
        `What this may mean for you: ${n.texts.consequences}`,
        `What we have done: ${n.texts.measures}`,
        `What you can do to protect yourself: ${n.texts.safetySteps}`,
      ].join("\n\n"),
      next: `We are sorry. If you have questions, or think you were affected in a way we have not described, ${OFFICER}. ${escalate(h)}`,
    }),
  },
};
