import { h } from "../../shared/dom";
import type { Context } from "../context";
import { duration } from "../ui/format";

/**
 * What CallMissed does with data, the rights with their periods, every retention period, the Grievance
 * Officer and the Board: all rendered from GET /api/v1/policy in the page's language (never a copy here).
 * Legal citations stay as the policy writes them, marked English for screen readers.
 */
export function policySections(ctx: Context): HTMLElement[] {
  const { t, policy } = ctx;
  if (!policy) return [h("p", { class: "notice" }, t.unreachable)];
  const citation = (basis: string) => h("small", { class: "basis", lang: "en" }, basis);
  return [
    h(
      "section",
      { "aria-labelledby": "what-we-do" },
      h("h2", { id: "what-we-do" }, t.policyHeading),
      h("p", {}, h("strong", {}, `${t.residency}: `), policy.processing.residency),
      ...policy.processing.categories.map((c) =>
        h(
          "div",
          { class: "card" },
          h("h3", {}, c.label),
          h(
            "dl",
            {},
            h("dt", {}, t.dataHeld),
            h("dd", {}, c.data),
            h("dt", {}, t.purpose),
            h("dd", {}, c.purpose),
          ),
          citation(c.basis),
        ),
      ),
    ),
    h(
      "section",
      { "aria-labelledby": "rights" },
      h("h2", { id: "rights" }, t.rightsHeading),
      h(
        "ul",
        { class: "rights" },
        ...policy.requests.map((r) =>
          h(
            "li",
            {},
            h("strong", {}, r.label),
            h(
              "span",
              {},
              ` ${t.answerWithin(duration(t, r.answerWithin.duration))}, ${
                r.clockStarts === "receipt" ? t.clockFromReceipt : t.clockFromVerification
              }.`,
            ),
          ),
        ),
      ),
      h("h3", {}, t.channelsHeading),
      h(
        "ul",
        {},
        ...policy.channels.map((c) =>
          h(
            "li",
            {},
            c.description,
            c.address ? h("span", {}, " ", h("a", { href: `mailto:${c.address}` }, c.address)) : null,
          ),
        ),
      ),
    ),
    h(
      "section",
      { "aria-labelledby": "officer" },
      h("h2", { id: "officer" }, t.officerHeading),
      h(
        "p",
        {},
        `${policy.grievanceOfficer.role}, ${policy.dataFiduciary}. ${t.officerWrite}: `,
        h("a", { href: `mailto:${policy.grievanceOfficer.email}` }, policy.grievanceOfficer.email),
      ),
      citation(policy.grievanceOfficer.basis),
      h("h3", {}, t.escalationHeading),
      h("p", {}, `${policy.escalation.to}: ${policy.escalation.when}.`),
      citation(policy.escalation.basis),
    ),
    h(
      "section",
      { "aria-labelledby": "periods" },
      h("h2", { id: "periods" }, t.periodsHeading),
      h(
        "details",
        {},
        h("summary", {}, t.periodsSummary),
        h(
          "ul",
          { class: "periods" },
          ...policy.periods.map((p) =>
            h("li", {}, h("strong", {}, duration(t, p.duration)), ` — ${p.label}. `, citation(p.basis)),
          ),
        ),
      ),
    ),
  ];
}
