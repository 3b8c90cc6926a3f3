import type { ApiResult } from "../../shared/api";
import { h } from "../../shared/dom";
import { type Field, showFieldProblems } from "./field";
import { announce } from "./live";
import { problemMessage } from "./problem";

/**
 * Every action goes through one of these: a modal <dialog> that says what the action does and whether it
 * can be undone, asks for what the action needs, and calls the API only on "Confirm". The API's field
 * messages appear beside the fields; focus moves into the dialog and back to the button that opened it.
 */
export interface ActionSpec<T> {
  title: string;
  /** What happens, in one or two sentences. */
  does: string;
  /** Whether and how it can be undone: always said. */
  undo: string;
  /** Shown above the fields (e.g. the language the requester reads). */
  note?: Node;
  fields?: { field: Field; required?: string }[];
  confirmLabel: string;
  /** The confirm button in red: for what removes or overwrites (reject, restore, reactivate). */
  danger?: boolean;
  run(): Promise<ApiResult<T>>;
}

export function confirmAction<T>(spec: ActionSpec<T>): Promise<T | undefined> {
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : undefined;
  const fields = (spec.fields ?? []).map((f) => f.field);
  const general = h("p", { class: "form-error", id: "dialog-error", hidden: true });
  const cancel = h("button", { type: "button", class: "secondary" }, "Cancel");
  const confirm = h("button", { type: "submit", class: spec.danger ? "danger" : "" }, spec.confirmLabel);
  const titleId = "dialog-title";
  const form = h(
    "form",
    { novalidate: true },
    h("h2", { id: titleId }, spec.title),
    h("p", {}, spec.does),
    h("p", { class: "undo" }, h("strong", {}, "Undo: "), spec.undo),
    spec.note ?? null,
    ...fields.map((f) => f.element),
    general,
    h("div", { class: "buttons" }, cancel, confirm),
  );
  const dialog = h("dialog", { "aria-labelledby": titleId, class: "action-dialog" }, form);
  document.body.appendChild(dialog);

  return new Promise<T | undefined>((resolve) => {
    let result: T | undefined;
    const close = () => dialog.close();
    dialog.addEventListener("close", () => {
      dialog.remove();
      if (opener?.isConnected) opener.focus();
      else document.querySelector<HTMLElement>("main h1")?.focus();
      resolve(result);
    });
    cancel.addEventListener("click", close);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      general.hidden = true;
      const missing = (spec.fields ?? []).filter((f) => f.required && !f.field.value());
      if (missing.length) {
        showFieldProblems(
          fields,
          missing.map((f) => ({ field: f.field.name, message: f.required! })),
        );
        announce("Some fields need attention.");
        return;
      }
      confirm.disabled = true;
      confirm.setAttribute("aria-busy", "true");
      const answer = await spec.run();
      confirm.disabled = false;
      confirm.removeAttribute("aria-busy");
      if (answer.ok) {
        result = answer.body;
        close();
        return;
      }
      const unowned = showFieldProblems(fields, answer.problem.errors);
      const owned = (answer.problem.errors?.length ?? 0) > unowned.length;
      const message = unowned.length ? unowned.join(" ") : owned ? "" : problemMessage(answer.problem);
      general.textContent = message;
      general.hidden = !message;
      announce(owned ? "Some fields need attention." : message);
    });
    dialog.showModal();
    (fields[0]?.input ?? cancel).focus();
  });
}
