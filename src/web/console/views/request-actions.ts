import { h } from "../../shared/dom";
import { staffCall, seg } from "../staff-api";
import { confirmAction, type ActionSpec } from "../ui/dialog";
import { field } from "../ui/field";
import { LANGUAGES, languageName, when } from "../ui/format";
import { announce } from "../ui/live";
import type { RequestView } from "./request-model";

/**
 * The buttons for exactly the actions the request's `allowedActions` lists for this member of staff (the
 * API narrows it to their role: src/domain/requests/staff-actions.ts), each behind its confirmation.
 */
type Verb =
  | "approve"
  | "reject"
  | "extend"
  | "hold"
  | "release"
  | "retry"
  | "reactivate"
  | "assign"
  | "respond"
  | "resolve";

const LABELS: Record<Verb, string> = {
  approve: "Approve",
  reject: "Reject…",
  extend: "Extend deadline…",
  hold: "Place legal hold…",
  release: "Release hold…",
  retry: "Retry from failed step",
  reactivate: "Reactivate account…",
  assign: "Assign…",
  respond: "Respond…",
  resolve: "Resolve…",
};
export const VERBS = Object.keys(LABELS) as Verb[];

/** The language the requester's notices are written in (the API's `noticeLanguage`; older answers: `language`). */
const readerLanguage = (r: RequestView) => r.noticeLanguage ?? r.language ?? "en";

/** "The requester reads: Hindi": staff write reasons and replies in the language the notice goes out in. */
function readsNote(r: RequestView): Node {
  return h(
    "p",
    { class: "reads" },
    h("strong", {}, "The requester reads: "),
    `${languageName(readerLanguage(r))}. Write what they are told in that language; in another, they get it labelled as your own words in the language you name below.`,
  );
}

/**
 * The language the officer's text is in (the API's `textLanguage`): chosen, never assumed, since a text named
 * as the reader's language reaches them unlabelled.
 */
function writtenIn(r: RequestView) {
  return field("textLanguage", "You are writing in", {
    type: "select",
    choices: Object.entries(LANGUAGES),
    value: readerLanguage(r),
  });
}

const reason = (label: string, hint?: string) =>
  field("reason", label, { type: "textarea", ...(hint ? { hint } : {}) });

/** The date input's day, as the end of that day in India (a deadline is a day to staff). */
function endOfDayIst(day: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(day) ? `${day}T23:59:59+05:30` : day;
}

function spec(r: RequestView, verb: Verb): ActionSpec<unknown> {
  const path = `v1/requests/${seg(r.id)}/${verb}`;
  const post = (body?: unknown) => () => staffCall<unknown>("POST", path, body);
  const withNote = { note: readsNote(r) };
  switch (verb) {
    case "approve":
      return {
        title: "Approve this request",
        does: "Staff review passes and the request runs now (the data is erased, exported or changed as asked).",
        undo: "It cannot be undone once it has run.",
        confirmLabel: "Approve and run",
        danger: true,
        run: post({}),
      };
    case "reject": {
      const f = reason("Reason the requester is told");
      const lang = writtenIn(r);
      return {
        title: "Reject this request",
        does: "The request is closed without being carried out; the requester is told the reason.",
        undo: "It cannot be undone: the requester would have to file again.",
        ...withNote,
        fields: [{ field: f, required: "Give the reason the requester is told." }, { field: lang }],
        confirmLabel: "Reject",
        danger: true,
        run: () => staffCall("POST", path, { reason: f.value(), textLanguage: lang.value() }),
      };
    }
    case "extend": {
      const until = field("until", "New deadline (day)", {
        type: "date",
        hint: `Now due ${when(r.dueAt)}. The law caps how far it can move.`,
      });
      const f = reason("Reason for the extension", "Recorded in the audit trail and told to the requester.");
      const lang = writtenIn(r);
      return {
        title: "Extend the deadline",
        does: "Moves the request's deadline to the end of the day you choose, with the reason recorded.",
        undo: "It cannot be undone: a deadline can move out again, never back in.",
        ...withNote,
        fields: [
          { field: until, required: "Choose the new deadline." },
          { field: f, required: "Give the reason for the extension." },
          { field: lang },
        ],
        confirmLabel: "Extend deadline",
        run: () =>
          staffCall("POST", path, {
            until: endOfDayIst(until.value()),
            reason: f.value(),
            textLanguage: lang.value(),
          }),
      };
    }
    case "hold": {
      const f = reason("Reason for the hold", "For staff only: e.g. the court order's number.");
      return {
        title: "Place a legal hold",
        does: "Nothing of this request is deleted while the hold lasts; its clocks keep their dates.",
        undo: "It can be undone: release the hold (work already due then runs at once).",
        fields: [{ field: f, required: "Give the reason for the hold." }],
        confirmLabel: "Place hold",
        run: () => staffCall("POST", path, { reason: f.value() }),
      };
    }
    case "release": {
      const f = reason("Reason for the release");
      return {
        title: "Release the legal hold",
        does: "The hold ends; any deletion already due runs at once.",
        undo: "A deletion that runs cannot be undone; a new hold can be placed before it runs.",
        fields: [{ field: f, required: "Give the reason for the release." }],
        confirmLabel: "Release hold",
        run: () => staffCall("POST", path, { reason: f.value() }),
      };
    }
    case "retry":
      return {
        title: "Retry from the failed step",
        does: `The execution resumes from the step it reached (${r.failure?.step ?? "the failed step"}); steps already done are not repeated.`,
        undo: "It cannot be undone once the steps run.",
        confirmLabel: "Retry",
        run: post(),
      };
    case "reactivate": {
      const f = reason("Reason for reactivation");
      return {
        title: "Reactivate the account",
        does: `The account ${r.scope.tenantId ?? ""} is restored (everything except its API keys, which must be made again) and this erasure request is cancelled.`,
        undo: "It cannot be undone here: the owner would have to ask for deletion again.",
        ...withNote,
        fields: [{ field: f, required: "Give the reason for reactivation." }],
        confirmLabel: "Reactivate",
        danger: true,
        run: () =>
          staffCall("POST", `v1/accounts/${seg(r.scope.tenantId ?? "")}/reactivate`, { reason: f.value() }),
      };
    }
    case "assign": {
      const f = field("assignee", "Assign to", { hint: "A staff member's handle or work email." });
      return {
        title: "Assign the grievance",
        does: "Records who handles this grievance.",
        undo: "It can be undone: assign it to someone else.",
        fields: [{ field: f, required: "Say who handles it." }],
        confirmLabel: "Assign",
        run: () => staffCall("POST", path, { assignee: f.value() }),
      };
    }
    case "respond": {
      const f = field("message", "Answer to the complainant", { type: "textarea" });
      const lang = writtenIn(r);
      return {
        title: "Answer the complainant",
        does: "Sends your answer to the complainant now; the grievance stays open.",
        undo: "It cannot be undone: the answer is sent.",
        ...withNote,
        fields: [{ field: f, required: "Write the answer." }, { field: lang }],
        confirmLabel: "Send answer",
        run: () => staffCall("POST", path, { message: f.value(), textLanguage: lang.value() }),
      };
    }
    case "resolve": {
      const f = field("resolution", "Resolution", {
        type: "textarea",
        hint: "Sent to the complainant with how to escalate to the Data Protection Board.",
      });
      const lang = writtenIn(r);
      return {
        title: "Resolve the grievance",
        does: "Closes the grievance as resolved and sends the resolution to the complainant.",
        undo: "It cannot be undone: the grievance is closed.",
        ...withNote,
        fields: [{ field: f, required: "Write the resolution." }, { field: lang }],
        confirmLabel: "Resolve",
        run: () => staffCall("POST", path, { resolution: f.value(), textLanguage: lang.value() }),
      };
    }
  }
}

export function actionsSection(r: RequestView, reload: () => Promise<void>): HTMLElement {
  const verbs = VERBS.filter((v) => r.allowedActions.includes(v));
  return h(
    "section",
    { "aria-labelledby": "actions-title", class: "actions no-print" },
    h("h2", { id: "actions-title" }, "Actions"),
    verbs.length
      ? h(
          "ul",
          { class: "action-list" },
          ...verbs.map((v) =>
            h(
              "li",
              {},
              h(
                "button",
                {
                  type: "button",
                  "data-action": v,
                  class: v === "reject" ? "danger" : "",
                  onclick: async () => {
                    const done = await confirmAction(spec(r, v));
                    if (done === undefined) return;
                    announce(`Done: ${LABELS[v].replace("…", "").toLowerCase()}.`);
                    await reload();
                  },
                },
                LABELS[v],
              ),
            ),
          ),
        )
      : h("p", {}, "Nothing for your role to do on this request now."),
  );
}
