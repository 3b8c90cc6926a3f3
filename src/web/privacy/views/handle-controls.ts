import { call } from "../../shared/api";
import { h } from "../../shared/dom";
import type { Context } from "../context";
import { forgetHandle, type Handle } from "../handle";
import { announce } from "../ui/announce";
import { confirmAction } from "../ui/confirm";
import { FINISHED, type RequestView } from "../types";
import { failureMessage } from "./failure";

/**
 * What the page says about the handle it keeps, and the buttons that end it: "Forget this request", and
 * "Withdraw this request" where the API allows it (`allowedActions` has `cancel`). Each asks first.
 */
export function handleControls(ctx: Context, handle: Handle, request: RequestView): HTMLElement {
  const { t } = ctx;
  const finished = FINISHED.includes(request.status);
  const message = h("p", { class: "form-error", hidden: true });
  const cancel = request.allowedActions.includes("cancel")
    ? h(
        "button",
        {
          type: "button",
          class: "danger",
          onclick: async () => {
            if (!(await confirmAction(t, { title: t.cancelTitle, what: t.cancelWhat, undo: t.cancelUndo })))
              return;
            const res = await call("POST", `v1/requests/${encodeURIComponent(handle.id)}/cancel`, {
              requestToken: handle.token,
            });
            if (res.ok) return ctx.refresh();
            message.textContent = failureMessage(t, res.problem);
            message.hidden = false;
            announce(message.textContent);
          },
        },
        t.cancel,
      )
    : null;
  const forget = finished
    ? h(
        "button",
        {
          type: "button",
          class: "secondary",
          onclick: () => {
            forgetHandle();
            ctx.refresh();
          },
        },
        t.back,
      )
    : h(
        "button",
        {
          type: "button",
          class: "secondary",
          onclick: async () => {
            if (!(await confirmAction(t, { title: t.forgetTitle, what: t.forgetWhat, undo: t.forgetUndo })))
              return;
            forgetHandle();
            ctx.refresh();
          },
        },
        t.forget,
      );
  return h(
    "section",
    { class: "handle", "aria-label": t.forget },
    h("p", { class: "note" }, finished ? t.finishedNote : t.handleNote),
    message,
    h("div", { class: "actions" }, cancel, forget),
  );
}
