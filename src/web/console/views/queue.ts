import { h, show } from "../../shared/dom";
import { href } from "../router";
import type { Session } from "../session";
import { staffCall } from "../staff-api";
import { field } from "../ui/field";
import { timeLeft, when, words } from "../ui/format";
import { announce } from "../ui/live";
import { failed, overdueMark } from "./common";

/** One item of `GET v1/sla` (the API lists them most urgent first). */
export interface SlaItem {
  id: string;
  kind: string;
  status: string;
  deadline: string;
  dueAt: string;
  timeLeftSeconds: number;
  overdue: boolean;
  onHold?: boolean;
  awaitingReview?: boolean;
  assignee?: string;
  acknowledgement?: { late: boolean };
  failure?: { step: string };
}
interface SlaView {
  items: SlaItem[];
  counts: { total: number; overdue: number; acknowledgementsLate: number };
  awaitingVerification: number;
}

const KINDS = ["erasure", "access", "correction", "consent_withdrawal", "nomination", "grievance", "breach"];

/** The SLA queue: every open request and breach, most urgent first, filtered by kind, status, overdue. */
export async function queueView(main: HTMLElement, session: Session, stale: () => boolean): Promise<void> {
  const kind = field("kind", "Kind", {
    type: "select",
    choices: [["", "All kinds"], ...KINDS.map((k): [string, string] => [k, capital(words(k))])],
  });
  const status = field("status", "Status", { type: "select", choices: [["", "All statuses"]] });
  const overdueOnly = h("input", { type: "checkbox", id: "overdue-only", name: "overdue" });
  const summary = h("p", { class: "summary" });
  const list = h("div", { class: "queue" });
  const filters = h(
    "div",
    { class: "filters", role: "group", "aria-label": "Filters" },
    kind.element,
    status.element,
    h("div", { class: "check" }, overdueOnly, h("label", { for: "overdue-only" }, "Overdue only")),
  );
  let items: SlaItem[] = [];

  const render = () => {
    const shown = items.filter((i) => !status.value() || i.status === status.value());
    list.replaceChildren(
      shown.length
        ? h("ol", { class: "cards" }, ...shown.map((i) => card(i, session)))
        : h("p", {}, "Nothing open matches these filters."),
    );
    return shown.length;
  };
  const load = async (announceCount: boolean) => {
    const query = new URLSearchParams();
    if (kind.value()) query.set("kind", kind.value());
    if (overdueOnly.checked) query.set("overdue", "true");
    const res = await staffCall<SlaView>("GET", `v1/sla${query.toString() ? `?${query.toString()}` : ""}`);
    if (stale()) return false;
    if (!res.ok) {
      show(main, ...failed("Queue", res.problem));
      return false;
    }
    items = res.body.items;
    const c = res.body.counts;
    summary.textContent = `${c.total} open, ${c.overdue} overdue, ${c.acknowledgementsLate} acknowledgements late; ${res.body.awaitingVerification} waiting for the requester's code (no clock yet).`;
    const statuses = [...new Set(items.map((i) => i.status))].sort();
    const chosen = status.value();
    status.input.replaceChildren(
      h("option", { value: "" }, "All statuses"),
      ...statuses.map((s) => h("option", { value: s }, capital(words(s)))),
    );
    status.input.value = statuses.includes(chosen) ? chosen : "";
    const n = render();
    if (announceCount) announce(`${n} shown.`);
    return true;
  };
  kind.input.addEventListener("change", () => void load(true));
  overdueOnly.addEventListener("change", () => void load(true));
  status.input.addEventListener("change", () => announce(`${render()} shown.`));

  if (!(await load(false))) return;
  show(main, h("h1", {}, "Queue"), summary, filters, list);
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function card(i: SlaItem, session: Session): HTMLElement {
  const title = `${capital(words(i.kind))} · ${i.id.slice(0, 10)}`;
  const link =
    i.kind === "breach"
      ? session.role === "privacy_officer"
        ? h("a", { href: href({ name: "breaches" }) }, title)
        : h("span", {}, title)
      : h("a", { href: href({ name: "request", id: i.id }) }, title);
  const flags = [
    i.overdue ? overdueMark() : null,
    i.onHold ? h("span", { class: "badge" }, "On legal hold") : null,
    i.awaitingReview ? h("span", { class: "badge" }, "Awaiting review") : null,
    i.acknowledgement?.late ? h("span", { class: "badge overdue" }, "⚠ Acknowledgement late") : null,
    i.failure ? h("span", { class: "badge overdue" }, `⚠ Failed at ${words(i.failure.step)}`) : null,
  ];
  return h(
    "li",
    { class: i.overdue ? "card is-overdue" : "card" },
    h("h2", { class: "card-title" }, link),
    h(
      "p",
      { class: "time-left" },
      h("strong", {}, timeLeft(i.timeLeftSeconds)),
      ` · due ${when(i.dueAt)} (${words(i.deadline)})`,
    ),
    h(
      "p",
      {},
      `Status: ${words(i.status)}`,
      i.assignee ? ` · assigned to ${i.assignee}` : "",
      ...flags.flatMap((f) => (f ? [" ", f] : [])),
    ),
  );
}
