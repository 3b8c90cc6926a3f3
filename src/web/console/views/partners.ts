import { h } from "../../shared/dom";
import type { StaffRole } from "../session";
import { staffCall, seg } from "../staff-api";
import { confirmAction } from "../ui/dialog";
import { field } from "../ui/field";
import { when } from "../ui/format";
import { announce } from "../ui/live";
import { overdueMark } from "./common";
import type { ProcessorLine } from "./request-model";

/**
 * The service partners told of this request and where each stands: overdue first, then by deadline. The
 * privacy officer (the only role `POST v1/processor-tasks/{taskId}/resolution` admits) records a partner's
 * emailed confirmation here.
 */
export function partnersSection(
  lines: ProcessorLine[] | undefined,
  role: StaffRole,
  reload: () => Promise<void>,
): HTMLElement | null {
  if (!lines?.length) return null;
  const sorted = [...lines].sort(
    (a, b) => Number(b.overdue) - Number(a.overdue) || Date.parse(a.deadline) - Date.parse(b.deadline),
  );
  return h(
    "section",
    { "aria-labelledby": "partners-title" },
    h("h2", { id: "partners-title" }, "Partner confirmations"),
    h(
      "ul",
      { class: "cards partners" },
      ...sorted.map((p) =>
        h(
          "li",
          { class: p.overdue ? "card is-overdue" : "card" },
          h("p", {}, h("strong", {}, p.name), ` (${p.country}) · ${p.categories.join(", ")}`),
          h(
            "p",
            {},
            p.status === "confirmed"
              ? `Confirmed ${when(p.confirmedAt)}${p.confirmedBy ? ` by ${p.confirmedBy}` : ""}`
              : p.status === "waived"
                ? `Waived ${when(p.waivedAt)}`
                : `Waiting for confirmation, due ${when(p.deadline)}`,
            p.overdue ? " " : "",
            p.overdue ? overdueMark() : null,
          ),
          p.status === "open" && role === "privacy_officer" ? confirmButton(p, reload) : null,
        ),
      ),
    ),
  );
}

function confirmButton(p: ProcessorLine, reload: () => Promise<void>): HTMLElement {
  return h(
    "button",
    {
      type: "button",
      class: "secondary no-print",
      "data-action": "partner-confirmed",
      onclick: async () => {
        const note = field("note", "The partner's reply", {
          type: "textarea",
          hint: "Paste or summarise the email in which the partner confirmed.",
        });
        const done = await confirmAction({
          title: `Record ${p.name}'s confirmation`,
          does: "Records that the partner confirmed, by email, that it acted on this request; the request can then complete.",
          undo: "It cannot be undone: the confirmation stays on the record.",
          fields: [{ field: note, required: "Give the partner's reply." }],
          confirmLabel: "Record confirmation",
          run: () =>
            staffCall("POST", `v1/processor-tasks/${seg(p.taskId)}/resolution`, {
              outcome: "confirmed",
              note: note.value(),
            }),
        });
        if (done === undefined) return;
        announce(`${p.name}'s confirmation is recorded.`);
        await reload();
      },
    },
    `Record ${p.name}'s emailed confirmation…`,
  );
}
