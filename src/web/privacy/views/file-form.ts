import { call, newIdempotencyKey } from "../../shared/api";
import { h } from "../../shared/dom";
import { kindLabel, purposeLabel, type Context } from "../context";
import { keepHandle } from "../handle";
import { announce } from "../ui/announce";
import { choiceGroup, placeProblems, textField } from "../ui/field";
import { PUBLIC_KINDS, type PublicKind, type RequestView } from "../types";
import { failureMessage } from "./failure";

/**
 * The request form: one of the public kinds (POST /api/v1/requests), each asking only for what its kind
 * needs. The number goes as typed (098…, spaces, +91): the API normalises it. The page's language is the
 * request's, so the code and every notice come in it. Errors from the answer's `errors[].field` are shown
 * beside their field; anything else above the button, in words, never the raw problem.
 */
export function fileForm(ctx: Context): HTMLElement {
  const { t } = ctx;
  const kinds = choiceGroup(
    "kind",
    t.kindLegend,
    "radio",
    PUBLIC_KINDS.map((k) => ({ value: k, label: kindLabel(ctx, k) })),
  );
  const phone = textField("phone", t.phoneLabel, {
    type: "tel",
    hint: t.phoneHint,
    autocomplete: "tel",
    inputmode: "tel",
    maxlength: 32,
  });
  const purposes = choiceGroup(
    "purposes",
    t.purposesLegend,
    "checkbox",
    ctx.purposes.map((p) => ({
      value: p.purpose,
      label: purposeLabel(ctx, p.purpose),
      hint: p.description[ctx.language] ?? p.description.en,
    })),
  );
  const email = textField("email", t.emailLabel, {
    type: "email",
    hint: t.emailHint,
    autocomplete: "email",
    maxlength: 254,
  });
  const contactPhone = textField("contact-phone", t.contactPhoneLabel, {
    type: "tel",
    autocomplete: "tel",
    inputmode: "tel",
    maxlength: 32,
  });
  const summary = textField("summary", t.summaryLabel, {
    multiline: true,
    hint: t.summaryHint,
    maxlength: 4000,
  });
  const formError = h("div", { class: "form-error", id: "form-error", tabindex: -1, hidden: true });
  const submit = h("button", { type: "submit" }, t.submit);

  const needs: Record<PublicKind, HTMLElement[]> = {
    erasure: [phone.wrap],
    access: [phone.wrap],
    consent_withdrawal: [phone.wrap, purposes.wrap],
    grievance: [email.wrap, contactPhone.wrap, summary.wrap],
  };
  const chosen = (): PublicKind => (kinds.inputs.find((i) => i.checked)?.value ?? "erasure") as PublicKind;
  const showFieldsFor = () => {
    const visible = new Set(needs[chosen()]);
    for (const el of [phone.wrap, purposes.wrap, email.wrap, contactPhone.wrap, summary.wrap])
      el.hidden = !visible.has(el);
  };
  kinds.inputs[0]!.checked = true;
  for (const input of kinds.inputs) input.addEventListener("change", showFieldsFor);
  showFieldsFor();

  // One key per attempt to file: a double press or a retry after a lost answer files once.
  let idempotencyKey = newIdempotencyKey();

  const fields = [
    { apiField: "body.scope.phone", slot: phone, key: "phone" },
    { apiField: "body.scope", slot: phone, key: "phone" },
    { apiField: "body.purposes", slot: purposes, key: "purposes" },
    { apiField: "body.contact.email", slot: email, key: "email" },
    { apiField: "body.contact.phone", slot: contactPhone, key: "contactPhone" },
    { apiField: "body.contact", slot: email, key: "contact" },
    { apiField: "body.details.summary", slot: summary, key: "summary" },
    { apiField: "body.details", slot: summary, key: "summary" },
  ];

  function body(): Record<string, unknown> {
    const kind = chosen();
    const common = { kind, language: ctx.language };
    const scope = { type: "whatsapp_number", phone: phone.input.value };
    if (kind === "grievance") {
      const contact: Record<string, string> = {};
      if (email.input.value.trim()) contact.email = email.input.value.trim();
      if (contactPhone.input.value.trim()) contact.phone = contactPhone.input.value;
      return { ...common, contact, details: { summary: summary.input.value } };
    }
    if (kind === "consent_withdrawal")
      return { ...common, scope, purposes: purposes.inputs.filter((i) => i.checked).map((i) => i.value) };
    return { ...common, scope };
  }

  const form = h(
    "form",
    { novalidate: true, "aria-labelledby": "file-heading" },
    kinds.wrap,
    phone.wrap,
    purposes.wrap,
    email.wrap,
    contactPhone.wrap,
    summary.wrap,
    formError,
    submit,
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void send();
  });

  async function send() {
    formError.hidden = true;
    submit.disabled = true;
    submit.textContent = t.sending;
    const res = await call<RequestView>("POST", "v1/requests", { body: body(), idempotencyKey });
    submit.disabled = false;
    submit.textContent = t.submit;
    if (res.ok) {
      idempotencyKey = newIdempotencyKey();
      if (res.body.requestToken) {
        keepHandle({ id: res.body.id, token: res.body.requestToken });
        ctx.refresh();
      } else {
        showFormError(t.alreadyOpen);
      }
      return;
    }
    const { placed, unplaced } = placeProblems(res.problem, fields, ctx.language, t);
    if (placed > 0) {
      announce(t.problemsFound(placed + unplaced.length));
      if (unplaced.length) showFormError(t.problemsFound(placed + unplaced.length), false);
      return;
    }
    showFormError(failureMessage(t, res.problem));
  }

  function showFormError(message: string, focus = true) {
    formError.replaceChildren(h("p", {}, message));
    formError.hidden = false;
    announce(message);
    if (focus) formError.focus();
  }

  return h(
    "section",
    { "aria-labelledby": "file-heading" },
    h("h2", { id: "file-heading" }, t.fileHeading),
    form,
  );
}
