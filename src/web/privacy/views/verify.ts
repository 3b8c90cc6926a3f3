import { call } from "../../shared/api";
import { h, show } from "../../shared/dom";
import type { Context } from "../context";
import { kindLabel } from "../context";
import type { Handle } from "../handle";
import { announce } from "../ui/announce";
import { placeProblems, textField } from "../ui/field";
import type { RequestView } from "../types";
import { failureMessage } from "./failure";
import { handleControls } from "./handle-controls";

/**
 * The one-time code (POST …/verification): nothing runs before it. A wrong code is said beside the field;
 * a new code can be asked for (POST …/verification/resend); the request can be withdrawn instead.
 */
export function verifyView(ctx: Context, handle: Handle, request: RequestView): void {
  const { t } = ctx;
  const code = textField("code", t.codeLabel, {
    inputmode: "numeric",
    autocomplete: "one-time-code",
    maxlength: 6,
  });
  code.input.setAttribute("pattern", "[0-9]*");
  const formError = h("p", { class: "form-error", hidden: true });
  const submit = h("button", { type: "submit" }, t.verifySubmit);
  const form = h("form", { novalidate: true, "aria-label": t.verifyHeading }, code.wrap, formError, submit);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void verify();
  });

  async function verify() {
    formError.hidden = true;
    submit.disabled = true;
    const res = await call<RequestView>("POST", `v1/requests/${encodeURIComponent(handle.id)}/verification`, {
      body: { code: code.input.value.trim() },
      requestToken: handle.token,
    });
    submit.disabled = false;
    if (res.ok) return ctx.refresh();
    const p = res.problem;
    if (p.status === 400) {
      const { placed } = placeProblems(
        p,
        [{ apiField: "body.code", slot: code, key: "code" }],
        ctx.language,
        t,
      );
      if (placed === 0) {
        // A wrong or expired code is a 400 naming no field: it is still this field's.
        code.setError(ctx.language === "en" && p.detail ? p.detail : t.fieldErrors.code);
        code.input.focus();
      }
      announce(t.problemsFound(1));
      return;
    }
    formError.textContent = failureMessage(t, p);
    formError.hidden = false;
    announce(formError.textContent);
  }

  const resend = h(
    "button",
    {
      type: "button",
      class: "secondary",
      onclick: async () => {
        const res = await call("POST", `v1/requests/${encodeURIComponent(handle.id)}/verification/resend`, {
          requestToken: handle.token,
        });
        const message = res.ok ? t.resent : failureMessage(t, res.problem);
        formError.textContent = message;
        formError.hidden = false;
        formError.classList.toggle("ok", res.ok);
        announce(message);
      },
    },
    t.resend,
  );

  show(
    ctx.main,
    h("h1", {}, t.verifyHeading),
    h("p", { class: "kind" }, kindLabel(ctx, request.kind)),
    h("p", {}, t.verifyIntro(request.scope.phone ?? "")),
    form,
    h("div", { class: "actions" }, resend),
    handleControls(ctx, handle, request),
  );
}
