import { h } from "../../shared/dom";
import type { Strings } from "../i18n";

/**
 * No action without a confirmation that says what it does and whether it can be undone: a modal
 * <dialog> (focus moves into it, Escape or "No" closes it, focus goes back to what opened it). `extra`
 * holds fields the action needs (they are read by `accept` before the dialog closes); `accept` may
 * refuse by returning false (a field's error is then shown in the dialog, which stays open).
 */
export function confirmAction(
  t: Strings,
  spec: {
    title: string;
    what: string;
    undo: string;
    extra?: Node;
    accept?: () => boolean | Promise<boolean>;
  },
): Promise<boolean> {
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : undefined;
  const titleId = `dialog-title-${Date.now()}`;
  return new Promise((resolve) => {
    let confirmed = false;
    const dialog = h(
      "dialog",
      { class: "confirm", "aria-labelledby": titleId },
      h("h2", { id: titleId }, spec.title),
      h("p", {}, spec.what),
      h("p", {}, h("strong", {}, `${t.undoable} `), spec.undo),
      spec.extra ?? null,
      h(
        "div",
        { class: "actions" },
        h("button", { type: "button", class: "secondary", onclick: () => dialog.close() }, t.dismiss),
        h(
          "button",
          {
            type: "button",
            class: "danger",
            onclick: async () => {
              if (spec.accept && !(await spec.accept())) return;
              confirmed = true;
              dialog.close();
            },
          },
          t.confirm,
        ),
      ),
    );
    dialog.addEventListener("close", () => {
      dialog.remove();
      opener?.focus();
      resolve(confirmed);
    });
    document.body.append(dialog);
    dialog.showModal();
    // The safe choice first: Enter on the opened dialog does not confirm by accident.
    dialog.querySelector<HTMLButtonElement>("button.secondary")?.focus();
  });
}
