/**
 * The privacy center's own words in English: headings, labels, buttons and the short explanations of the
 * page itself. Everything the policy says (what CallMissed does with data, the rights, the periods, the
 * Grievance Officer) comes from GET /api/v1/policy and is never written here. hi.ts has the same keys.
 */
export const en = {
  languageName: "English",
  title: "CallMissed privacy center",
  skip: "Skip to content",
  switchTo: "हिंदी",
  switchToLabel: "हिंदी में देखें (View in Hindi)",
  loading: "Loading…",
  heading: "Privacy center",
  intro:
    "Use your rights over your personal data with CallMissed without an account: ask for a copy of it, have the data linked to your WhatsApp number erased, withdraw a consent or raise a grievance.",
  unreachable: "The service could not be reached. Check your connection and try again.",
  unexpected: "Something went wrong on our side. Please try again in a few minutes.",
  checkForm: "Please check what you entered and try again.",
  tryAgain: "Try again",

  // Filing
  fileHeading: "Make a request",
  kindLegend: "What do you want to do?",
  phoneLabel: "Your WhatsApp number",
  phoneHint: "As you usually write it: 098123 45678, +91 98123 45678 or 9812345678.",
  purposesLegend: "Which consents do you withdraw?",
  emailLabel: "Your email address (for our answer)",
  emailHint: "Or give a phone number below. We use it only to answer this grievance.",
  contactPhoneLabel: "Or your phone number (for our answer)",
  summaryLabel: "Your grievance",
  summaryHint: "What happened, and what you would like us to do.",
  submit: "Send request",
  sending: "Sending…",
  problemsFound: (n: number) =>
    n === 1 ? "There is 1 problem with the form." : `There are ${n} problems with the form.`,
  fieldErrors: {
    phone:
      "This is not a WhatsApp number we can recognise. Write it with the country code, for example +91 98123 45678.",
    purposes: "Choose at least one consent.",
    email: "This is not a valid email address.",
    contactPhone: "This is not a valid phone number.",
    contact: "Give an email address or a phone number for our answer.",
    summary: "Write your grievance (up to 4000 characters).",
    code: "Enter the 6-digit code we sent you.",
  } as Record<string, string>,
  tooMany: (minutes: number) => `Too many attempts. Please try again in about ${minutes} minutes.`,
  alreadyOpen:
    "A request of this kind for this number is already open. Enter the code we sent when it was made, in the tab you made it in, or wait for it to close.",

  // Verification
  verifyHeading: "Enter the code we sent you",
  verifyIntro: (masked: string) =>
    `We sent a 6-digit code by WhatsApp to ${masked}. It is valid for 15 minutes. Nothing happens until you enter it.`,
  codeLabel: "6-digit code",
  verifySubmit: "Confirm",
  resend: "Send a new code",
  resent: "A new code is on its way. The previous one no longer works.",

  // Status
  statusHeading: "Your request",
  reference: "Reference",
  kind: "Request",
  status: "Status",
  filed: "Made on",
  deadline: "We answer by",
  daysLeft: (n: number) => (n === 1 ? "1 day left" : `${n} days left`),
  overdue: "Overdue: we have passed our deadline. You can write to our Grievance Officer.",
  onHold:
    "On hold: a legal obligation requires us to keep the data for now. We will tell you when this ends.",
  nextHeading: "What happens next",
  outcome: "Outcome",
  refresh: "Check again",
  statuses: {
    pending_verification: "Waiting for your code",
    verified: "Confirmed",
    in_progress: "In progress",
    deactivated: "Account deactivated",
    on_hold: "On hold",
    purging: "Being erased",
    purged: "Erased",
    completed: "Completed",
    cancelled: "Cancelled",
    rejected: "Rejected",
  } as Record<string, string>,
  next: {
    pending_verification:
      "Enter the code we sent. Without it nothing is done, and the request closes on its own.",
    verified: "We have started. The deadline above counts from your confirmation.",
    in_progress: "We are working on it. We will send you a message when it is done.",
    on_hold: "The work waits while the hold lasts; the deadline still applies.",
    purging: "Your data is being erased now.",
    purged: "Your data has been erased.",
    deactivated: "The account is deactivated and will be erased when its window ends.",
    completed: "Done. If something is missing or wrong, write to our Grievance Officer.",
    cancelled: "Nothing was changed. You can make a new request at any time.",
    rejected:
      "We could not do this; the outcome says why. You can make a new request, or write to our Grievance Officer.",
  } as Record<string, string>,
  cancel: "Withdraw this request",
  cancelTitle: "Withdraw this request?",
  cancelWhat: "We stop working on this request and change nothing.",
  cancelUndo: "This cannot be undone, but you can make a new request at any time.",

  // Export
  exportHeading: "Your data export",
  exportGet: "Get the download link",
  exportLink: "Download your data (ZIP)",
  exportLinkUntil: (time: string) => `This link works until ${time}. Ask for a new one after that.`,
  exportKeptUntil: (date: string) => `The export is deleted on ${date}.`,
  exportNotReady: "Your export is not ready yet. Check again later.",
  exportGone: "Your export has been deleted. Make a new access request to get another one.",

  // Certificate
  certificateHeading: "Erasure certificate",
  certificateIntro: "What was erased, what was anonymised and what is kept, and why.",
  certificateIssued: "Issued",
  certificateCategory: "Data",
  certificateAction: "Done",
  certificateCount: "Records",
  certificateBackups: "Backups",
  certificateHash: "Audit chain head (SHA-256)",
  certificatePrint: "Print the certificate",
  certificateMissing: "The certificate is not ready yet. Check again in a moment.",
  actions: {
    deleted: "Deleted",
    anonymised: "Anonymised",
    retained: "Kept",
    routed: "Handled elsewhere",
  } as Record<string, string>,

  // Consents
  consentsHeading: "Your consents",
  consentsNone: "We hold no consent records for this number.",
  consentPurpose: "Purpose",
  consentState: "State",
  consentSince: "Since",
  granted: "Given",
  withdrawn: "Withdrawn",
  expired: "Expired",
  withdraw: "Withdraw",
  withdrawTitle: (purpose: string) => `Withdraw your consent to ${purpose}?`,
  withdrawWhat:
    "We stop processing your data for this purpose at every business on CallMissed. To make sure it is you, we send a new code to your WhatsApp number.",
  withdrawUndo: "This cannot be undone here; you can give consent again through the business you deal with.",

  // Forgetting
  handleNote:
    "This tab keeps your request's reference and key only in its session storage, until the request is finished or you press “Forget this request”. No cookie, nothing in the address, nothing kept after you close the tab.",
  finishedNote:
    "This request is finished: the tab no longer keeps its key. Save or print what you need before you leave this page.",
  forget: "Forget this request",
  forgetTitle: "Forget this request in this tab?",
  forgetWhat: "This tab deletes the request's reference and key. The request itself goes on as before.",
  forgetUndo: "This cannot be undone: you will not be able to follow the request in this tab again.",
  notFound: "We found no request for this reference and key. This tab has forgotten it.",
  back: "Back to the privacy center",

  // Dialog
  confirm: "Yes, go ahead",
  dismiss: "No, go back",
  undoable: "Can it be undone?",

  // Policy
  policyHeading: "What CallMissed does with your data",
  residency: "Where it is kept",
  dataHeld: "Data",
  purpose: "Why",
  rightsHeading: "Your rights and how long we take",
  answerWithin: (d: string) => `Answered within ${d}`,
  clockFromVerification: "counted from when you confirm it is you",
  clockFromReceipt: "counted from when we receive it",
  periodsHeading: "How long we keep things",
  periodsSummary: "Every period, with its legal basis",
  basis: "Basis",
  officerHeading: "Grievance Officer",
  officerWrite: "Write to",
  escalationHeading: "If you are not satisfied",
  channelsHeading: "Other ways to ask",

  // Durations
  units: {
    Y: ["year", "years"],
    M: ["month", "months"],
    W: ["week", "weeks"],
    D: ["day", "days"],
    H: ["hour", "hours"],
    m: ["minute", "minutes"],
  } as Record<string, [string, string]>,
};

/** The shape every language file has: en's keys and types (a missing or mistyped key fails tsc). */
export type Strings = typeof en;
