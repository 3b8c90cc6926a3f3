import type { Problem } from "../../shared/api";
import { h } from "../../shared/dom";
import type { Language, Strings } from "../i18n";

/**
 * A form control with its label, hint and error bound to it: the label by `for`, hint and error by
 * `aria-describedby`, `aria-invalid` while the error shows. The error sits beside the field that caused it.
 */
export interface FieldSlot {
  /** The element to show or hide as a whole. */
  wrap: HTMLElement;
  /** What gets focus when its error is the first. */
  focusTarget: HTMLElement;
  setError(message: string | undefined, lang?: string): void;
}

/** A group (fieldset) gets its error by aria-describedby only: aria-invalid belongs to form controls. */
function errorSlot(id: string, target: HTMLElement, described: string[]) {
  const control = !(target instanceof HTMLFieldSetElement);
  const error = h("p", { id: `${id}-error`, class: "field-error", hidden: true });
  return {
    error,
    setError(message: string | undefined, lang?: string) {
      error.replaceChildren(message ?? "");
      error.hidden = !message;
      if (lang) error.setAttribute("lang", lang);
      else error.removeAttribute("lang");
      if (message && control) target.setAttribute("aria-invalid", "true");
      else target.removeAttribute("aria-invalid");
      target.setAttribute("aria-describedby", [...described, ...(message ? [error.id] : [])].join(" "));
    },
  };
}

export function textField(
  id: string,
  label: string,
  options: {
    type?: "text" | "tel" | "email";
    hint?: string;
    autocomplete?: string;
    inputmode?: string;
    multiline?: boolean;
    maxlength?: number;
  } = {},
): FieldSlot & { input: HTMLInputElement | HTMLTextAreaElement } {
  const input = options.multiline
    ? h("textarea", { id, name: id, rows: 5, maxlength: options.maxlength })
    : h("input", {
        id,
        name: id,
        type: options.type ?? "text",
        autocomplete: options.autocomplete,
        inputmode: options.inputmode,
        maxlength: options.maxlength,
        spellcheck: options.type === "tel" || options.type === "email" ? "false" : undefined,
      });
  const hint = options.hint ? h("p", { id: `${id}-hint`, class: "hint" }, options.hint) : null;
  const described = hint ? [hint.id] : [];
  if (described.length) input.setAttribute("aria-describedby", described.join(" "));
  const slot = errorSlot(id, input, described);
  const wrap = h("div", { class: "field" }, h("label", { for: id }, label), hint, slot.error, input);
  return { wrap, input, focusTarget: input, setError: slot.setError };
}

/** Checkboxes or radios in a fieldset whose legend names the group; the error is the group's. */
export function choiceGroup(
  id: string,
  legend: string,
  type: "radio" | "checkbox",
  choices: { value: string; label: string; hint?: string; lang?: string }[],
): FieldSlot & { inputs: HTMLInputElement[]; fieldset: HTMLFieldSetElement } {
  const inputs = choices.map((c, i) =>
    h("input", {
      type,
      id: `${id}-${i}`,
      name: id,
      value: c.value,
      "aria-describedby": c.hint ? `${id}-${i}-hint` : undefined,
    }),
  );
  const fieldset = h(
    "fieldset",
    { id },
    h("legend", {}, legend),
    ...choices.map((c, i) =>
      h(
        "div",
        { class: "choice" },
        inputs[i]!,
        h("label", { for: inputs[i]!.id, lang: c.lang }, c.label),
        c.hint ? h("p", { id: `${id}-${i}-hint`, class: "hint", lang: c.lang }, c.hint) : null,
      ),
    ),
  );
  const slot = errorSlot(id, fieldset, []);
  fieldset.insertBefore(slot.error, fieldset.children[1] ?? null);
  return { wrap: fieldset, fieldset, inputs, focusTarget: inputs[0] ?? fieldset, setError: slot.setError };
}

/**
 * Puts each of a problem's `errors[]` beside its field: `fields` maps the API's field names (a prefix
 * such as `body.scope.phone` matches `body.scope.phone` and `body.scope.phone.0`) to the page's field and
 * the page's own message key. In English the API's message is shown; in another language the page's own
 * words (the API's messages are English). Returns the messages placed; focus goes to the first field.
 */
export function placeProblems(
  problem: Problem,
  fields: { apiField: string; slot: FieldSlot; key: string }[],
  language: Language,
  t: Strings,
): { placed: number; unplaced: string[] } {
  for (const f of fields) f.slot.setError(undefined);
  const byField = new Map<FieldSlot, string[]>();
  const unplaced: string[] = [];
  const keys = new Map<FieldSlot, string>();
  for (const e of problem.errors ?? []) {
    const match = fields
      .filter((f) => e.field === f.apiField || e.field.startsWith(`${f.apiField}.`))
      .sort((a, b) => b.apiField.length - a.apiField.length)[0];
    if (!match || match.slot.wrap.hidden) {
      unplaced.push(e.message);
      continue;
    }
    byField.set(match.slot, [...(byField.get(match.slot) ?? []), e.message]);
    keys.set(match.slot, match.key);
  }
  let first: FieldSlot | undefined;
  for (const [slot, messages] of byField) {
    const own = t.fieldErrors[keys.get(slot) ?? ""];
    // The most specific of the API's messages for the field is its last (zod reports the coarse check first).
    if (language === "en" || !own)
      slot.setError(sentence(messages.at(-1)!), language === "en" ? undefined : "en");
    else slot.setError(own);
    first ??= slot;
  }
  first?.focusTarget.focus();
  return { placed: byField.size, unplaced };
}

const sentence = (s: string) => s.charAt(0).toUpperCase() + s.slice(1) + (/[.!?)]$/.test(s) ? "" : ".");
