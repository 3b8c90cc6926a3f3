import { call } from "../../shared/api";
import { h } from "../../shared/dom";
import type { Context } from "../context";
import type { Handle } from "../handle";
import { announce } from "../ui/announce";
import { date, dateTime } from "../ui/format";
import type { ExportLink } from "../types";
import { failureMessage } from "./failure";

/**
 * The access export (GET …/export): a link is asked for only when the person presses the button, because
 * it lives 15 minutes; the page says until when it works and when the export itself is deleted.
 */
export function exportSection(ctx: Context, handle: Handle): HTMLElement {
  const { t } = ctx;
  const out = h("div", { class: "export-out" });
  const button = h(
    "button",
    {
      type: "button",
      onclick: async () => {
        const res = await call<ExportLink>("GET", `v1/requests/${encodeURIComponent(handle.id)}/export`, {
          requestToken: handle.token,
        });
        // Only a web address is ever a link: a `javascript:` URL from a tampered answer must not run on click.
        if (res.ok && !isWebUrl(res.body.url)) {
          out.replaceChildren(h("p", { class: "notice" }, t.exportGone));
        } else if (res.ok) {
          out.replaceChildren(
            h("p", {}, h("a", { href: res.body.url, rel: "noreferrer", download: "" }, t.exportLink)),
            h("p", {}, t.exportLinkUntil(dateTime(ctx.language, res.body.expiresAt))),
            h("p", {}, t.exportKeptUntil(date(ctx.language, res.body.availableUntil))),
          );
          out.querySelector("a")?.focus();
        } else {
          const s = res.problem.status;
          out.replaceChildren(
            h(
              "p",
              { class: "notice" },
              s === 409 ? t.exportNotReady : s === 410 ? t.exportGone : failureMessage(t, res.problem),
            ),
          );
        }
        announce(out.textContent ?? "");
      },
    },
    t.exportGet,
  );
  return h(
    "section",
    { "aria-labelledby": "export" },
    h("h2", { id: "export" }, t.exportHeading),
    button,
    out,
  );
}

function isWebUrl(url: string): boolean {
  try {
    return ["https:", "http:"].includes(new URL(url).protocol);
  } catch {
    return false;
  }
}
