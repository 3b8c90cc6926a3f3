import { call } from "../../shared/api";
import { append, h } from "../../shared/dom";
import type { Context } from "../context";
import type { Handle } from "../handle";
import { dateTime } from "../ui/format";
import type { Certificate } from "../types";

/**
 * The certificate of a finished erasure (GET …/certificate): each category of data, what was done and how
 * many records, with the reason where something is kept; the backups; the audit chain's head that proves
 * it. The certificate's own text is the service's record, in English, marked so. Printable.
 */
export function certificateSection(ctx: Context, handle: Handle): HTMLElement {
  const { t } = ctx;
  const section = h(
    "section",
    { "aria-labelledby": "certificate", class: "certificate" },
    h("h2", { id: "certificate" }, t.certificateHeading),
    h("p", { class: "loading" }, t.loading),
  );
  void (async () => {
    const res = await call<Certificate>("GET", `v1/requests/${encodeURIComponent(handle.id)}/certificate`, {
      requestToken: handle.token,
    });
    section.querySelector(".loading")?.remove();
    if (!res.ok) {
      section.append(h("p", { class: "notice" }, t.certificateMissing));
      return;
    }
    const c = res.body;
    append(section, [
      h("p", {}, t.certificateIntro),
      h("p", {}, `${t.certificateIssued}: ${dateTime(ctx.language, c.issuedAt)}`),
      h(
        "table",
        {},
        h("caption", { class: "visually-hidden" }, t.certificateHeading),
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", { scope: "col" }, t.certificateCategory),
            h("th", { scope: "col" }, t.certificateAction),
            h("th", { scope: "col", class: "num" }, t.certificateCount),
          ),
        ),
        h(
          "tbody",
          {},
          ...c.categories.map((cat) =>
            h(
              "tr",
              {},
              h(
                "th",
                { scope: "row" },
                h("span", { lang: "en" }, cat.label),
                cat.reason ? h("small", { class: "reason", lang: "en" }, cat.reason) : null,
              ),
              h("td", {}, t.actions[cat.action] ?? cat.action),
              h("td", { class: "num" }, cat.count),
            ),
          ),
        ),
      ),
      c.backups
        ? h("p", {}, h("strong", {}, `${t.certificateBackups}: `), h("span", { lang: "en" }, c.backups.note))
        : null,
      h("p", { class: "hash" }, `${t.certificateHash}: `, h("code", {}, c.auditHeadHash)),
      h(
        "button",
        { type: "button", class: "secondary no-print", onclick: () => window.print() },
        t.certificatePrint,
      ),
    ]);
  })();
  return section;
}
