import { h, show } from "../../shared/dom";
import { href } from "../router";
import { staffCall } from "../staff-api";
import { when } from "../ui/format";
import { failed, overdueMark } from "./common";
import type { RequestView } from "./request-model";

/**
 * Open grievances (`GET v1/requests?kind=grievance&status=in_progress`), soonest due first; each opens on
 * its request page, where it is assigned, answered and resolved.
 */
export async function grievancesView(main: HTMLElement, stale: () => boolean): Promise<void> {
  const res = await staffCall<{ items: RequestView[] }>(
    "GET",
    "v1/requests?kind=grievance&status=in_progress&limit=100",
  );
  if (stale()) return;
  if (!res.ok) return show(main, ...failed("Grievances", res.problem));
  const items = [...res.body.items].sort(
    (a, b) => Date.parse(a.dueAt ?? "9999") - Date.parse(b.dueAt ?? "9999"),
  );
  show(
    main,
    h("h1", {}, "Grievances"),
    h("p", {}, `${items.length} open. Open one to assign, answer or resolve it.`),
    items.length
      ? h(
          "ol",
          { class: "cards" },
          ...items.map((g) => {
            const handling = (g.details?.handling ?? {}) as { assignee?: string };
            const summary = typeof g.details?.summary === "string" ? g.details.summary : "";
            return h(
              "li",
              { class: g.overdue ? "card is-overdue" : "card" },
              h(
                "h2",
                { class: "card-title" },
                h("a", { href: href({ name: "request", id: g.id }) }, `Grievance · ${g.id.slice(0, 10)}`),
              ),
              h("p", { class: "summary-text" }, summary.length > 160 ? `${summary.slice(0, 160)}…` : summary),
              h(
                "p",
                {},
                `Due ${when(g.dueAt)} · ${handling.assignee ? `assigned to ${handling.assignee}` : "not assigned"}`,
                g.overdue ? " " : "",
                g.overdue ? overdueMark() : null,
              ),
            );
          }),
        )
      : h("p", {}, "No open grievances."),
  );
}
