import { h } from "../../shared/dom";
import type { FieldProblem } from "../../shared/api";
import { fieldKey } from "./problem";

/**
 * A labelled input with its own message line: the label is bound to the input, the message is linked by
 * aria-describedby and the input marked aria-invalid while it shows one.
 */
export interface Field {
  name: string;
  element: HTMLElement;
  input: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;
  setError(message: string | undefined): void;
  value(): string;
}

let seq = 0;

export function field(
  name: string,
  label: string,
  options: {
    type?: "text" | "date" | "datetime-local" | "textarea" | "select";
    inputmode?: "numeric";
    hint?: string;
    choices?: [string, string][];
    value?: string;
    autocomplete?: string;
  } = {},
): Field {
  const id = `f-${name}-${++seq}`;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = options.hint ? hintId : undefined;
  const common = { id, name, ...(describedBy ? { "aria-describedby": describedBy } : {}) };
  const input =
    options.type === "textarea"
      ? h("textarea", { ...common, rows: 3 })
      : options.type === "select"
        ? h("select", common, ...(options.choices ?? []).map(([v, t]) => h("option", { value: v }, t)))
        : h("input", {
            ...common,
            type: options.type ?? "text",
            autocomplete: options.autocomplete ?? "off",
            ...(options.inputmode ? { inputmode: options.inputmode } : {}),
          });
  if (options.value !== undefined) input.value = options.value;
  const error = h("p", { class: "field-error", id: errorId, hidden: true });
  const element = h(
    "div",
    { class: "field" },
    h("label", { for: id }, label),
    options.hint ? h("p", { class: "hint", id: hintId }, options.hint) : null,
    input,
    error,
  );
  return {
    name,
    element,
    input,
    value: () => input.value.trim(),
    setError(message) {
      error.textContent = message ?? "";
      error.hidden = !message;
      if (message) {
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-describedby", [describedBy, errorId].filter(Boolean).join(" "));
      } else {
        input.removeAttribute("aria-invalid");
        if (describedBy) input.setAttribute("aria-describedby", describedBy);
        else input.removeAttribute("aria-describedby");
      }
    },
  };
}

/**
 * Puts each of the API's field messages beside its field; returns the messages no field here owns (shown
 * with the form's general message). The first field with a message gets the focus.
 */
export function showFieldProblems(fields: Field[], problems: FieldProblem[] = []): string[] {
  const unowned: string[] = [];
  for (const f of fields) f.setError(undefined);
  let first: Field | undefined;
  for (const p of problems) {
    const key = fieldKey(p.field);
    const f = fields.find((x) => x.name === key || key.startsWith(`${x.name}.`));
    if (f) {
      f.setError(p.message);
      first ??= f;
    } else unowned.push(p.message);
  }
  first?.input.focus();
  return unowned;
}
