import { h } from "../../shared/dom";
import { staffCall, seg } from "../staff-api";
import { confirmAction } from "../ui/dialog";
import { field } from "../ui/field";
import { announce } from "../ui/live";

/**
 * The privacy officer's actions on the breach register, each behind its confirmation: register a breach
 * (`POST v1/breaches`), notify the people affected (`POST v1/breaches/{id}/notices`), record the Board
 * report (`POST v1/breaches/{id}/board-report`).
 */

function actionButton(
  label: string,
  action: string,
  run: () => Promise<boolean>,
  reload: () => Promise<void>,
) {
  return h(
    "button",
    {
      type: "button",
      class: "secondary",
      "data-action": action,
      onclick: async () => {
        if (await run()) await reload();
      },
    },
    label,
  );
}

/** A `datetime-local` value read as India time (the console shows and asks for IST). */
const ist = (local: string) => (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(local) ? `${local}:00+05:30` : local);

export function registerButton(reload: () => Promise<void>): HTMLElement {
  return actionButton(
    "Register a breach…",
    "register-breach",
    async () => {
      const discoveredAt = field("discoveredAt", "When we became aware of it (IST)", {
        type: "datetime-local",
        hint: "The Board's 72 hours count from here.",
      });
      const nature = field("nature", "What happened", {
        type: "textarea",
        hint: "In plain language: it goes into the notices to people.",
      });
      const categories = field("dataCategories", "Data involved", {
        hint: "Categories of the data inventory, separated by commas: e.g. conversations, messages.",
      });
      const estimated = field("principalsAffected", "People affected (estimate)", { inputmode: "numeric" });
      const consequences = field("likelyConsequences", "Likely consequences for them", { type: "textarea" });
      const measures = field("measuresTaken", "What we have done", { type: "textarea" });
      const steps = field("safetySteps", "What people can do to protect themselves", { type: "textarea" });
      const done = await confirmAction({
        title: "Register a breach",
        does: "Adds the breach to the register and starts its clocks: the Data Protection Board's 72 hours and CERT-In's 6 hours, with reminders.",
        undo: "It cannot be undone: the register keeps every breach.",
        fields: [
          { field: discoveredAt, required: "Say when we became aware of it." },
          { field: nature, required: "Say what happened." },
          { field: categories, required: "Name the data involved." },
          { field: estimated, required: "Estimate how many people are affected (0 if none)." },
          { field: consequences, required: "Say what the consequences may be." },
          { field: measures, required: "Say what we have done." },
          { field: steps, required: "Say what people can do." },
        ],
        confirmLabel: "Register breach",
        run: () =>
          staffCall(
            "POST",
            "v1/breaches",
            {
              discoveredAt: ist(discoveredAt.value()),
              nature: nature.value(),
              dataCategories: categories
                .value()
                .split(",")
                .map((c) => c.trim())
                .filter(Boolean),
              principalsAffected: {
                estimated: /^\d+$/.test(estimated.value()) ? Number(estimated.value()) : estimated.value(),
              },
              likelyConsequences: consequences.value(),
              measuresTaken: measures.value(),
              safetySteps: steps.value(),
            },
            { idempotent: true },
          ),
      });
      if (done === undefined) return false;
      announce("The breach is registered; its clocks are running.");
      return true;
    },
    reload,
  );
}

export function noticesButton(id: string, reload: () => Promise<void>): HTMLElement {
  return actionButton(
    "Notify the people affected…",
    "breach-notices",
    async () => {
      const done = await confirmAction<{ run: { sent: number } }>({
        title: "Notify the people affected",
        does: "Sends the plain-language breach notice to each affected person and account owner not yet told.",
        undo: "It cannot be undone: the notices are sent.",
        confirmLabel: "Send notices",
        run: () => staffCall("POST", `v1/breaches/${seg(id)}/notices`, undefined, { idempotent: true }),
      });
      if (done === undefined) return false;
      announce(`${done.run.sent} notices sent.`);
      return true;
    },
    reload,
  );
}

export function reportButton(id: string, reload: () => Promise<void>): HTMLElement {
  return actionButton(
    "Record the Board report…",
    "board-report",
    async () => {
      const reference = field("reference", "The Board's reference", {
        hint: "The acknowledgement or filing reference the Board gave.",
      });
      const done = await confirmAction({
        title: "Record the Board report",
        does: "Records that this breach was reported to the Data Protection Board, with its reference; the 72-hour clock stops.",
        undo: "It cannot be undone: the register keeps the report as filed.",
        fields: [{ field: reference, required: "Give the Board's reference." }],
        confirmLabel: "Record report",
        run: () =>
          staffCall(
            "POST",
            `v1/breaches/${seg(id)}/board-report`,
            { reference: reference.value() },
            { idempotent: true },
          ),
      });
      if (done === undefined) return false;
      announce("The Board report is recorded.");
      return true;
    },
    reload,
  );
}
