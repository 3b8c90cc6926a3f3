import { h, show } from "../../shared/dom";
import { staffCall } from "../staff-api";
import { noticesButton, registerButton, reportButton } from "./breach-actions";
import { clock, when, words } from "../ui/format";
import { type Cleanup, facts, failed, overdueMark } from "./common";

interface Breach {
  id: string;
  state: "open" | "reported";
  discoveredAt: string;
  boardDueAt: string;
  certInDueAt?: string;
  timeLeftSeconds?: number;
  overdue: boolean;
  nature?: string;
  dataCategories?: string[];
  principalsAffected?: { estimated: number };
  board?: { reportedAt: string; reference: string };
  notices?: { lastSentAt: string };
}

/**
 * The breach register (`GET v1/breaches`) with the Board's 72-hour clock running: each open breach counts
 * down to the second from the time left the API computed (the server's clock, not this machine's).
 */
export async function breachesView(main: HTMLElement, stale: () => boolean): Promise<Cleanup | void> {
  const res = await staffCall<{ items: Breach[] }>("GET", "v1/breaches");
  if (stale()) return;
  if (!res.ok) return show(main, ...failed("Breach register", res.problem));
  const readAt = performance.now();
  const timers: { el: HTMLElement; left: number }[] = [];
  const items = [...res.body.items].sort(
    (a, b) =>
      Number(b.state === "open") - Number(a.state === "open") ||
      Date.parse(a.boardDueAt) - Date.parse(b.boardDueAt),
  );
  const tick = () => {
    const elapsed = (performance.now() - readAt) / 1000;
    for (const t of timers) {
      const left = t.left - elapsed;
      t.el.textContent =
        left >= 0 ? `Board report due in ${clock(left)}` : `Board report overdue by ${clock(left)}`;
    }
  };
  const reload = async () => {
    cleanup();
    const next = await breachesView(main, stale);
    if (next) cleanup = next;
  };
  show(
    main,
    h("h1", {}, "Breach register"),
    h(
      "p",
      {},
      "The Data Protection Board must have the report within 72 hours of our becoming aware of a breach.",
    ),
    registerButton(reload),
    items.length
      ? h(
          "ul",
          { class: "cards" },
          ...items.map((b) => {
            const open = b.state === "open";
            const countdown = h("strong", { role: "timer", class: "countdown" });
            if (open && b.timeLeftSeconds !== undefined)
              timers.push({ el: countdown, left: b.timeLeftSeconds });
            return h(
              "li",
              { class: b.overdue ? "card is-overdue" : "card" },
              h("h2", { class: "card-title" }, `Breach ${b.id.slice(0, 10)}`, open ? "" : " (reported)"),
              open ? h("p", {}, countdown, b.overdue ? " " : "", b.overdue ? overdueMark() : null) : null,
              facts([
                ["What happened", b.nature],
                ["Discovered", when(b.discoveredAt)],
                ["Board report due", when(b.boardDueAt)],
                ["CERT-In report due", b.certInDueAt ? when(b.certInDueAt) : undefined],
                ["Data", b.dataCategories?.map(words).join(", ")],
                [
                  "People affected (estimate)",
                  b.principalsAffected ? String(b.principalsAffected.estimated) : undefined,
                ],
                ["Notices sent", b.notices ? when(b.notices.lastSentAt) : undefined],
                [
                  "Reported to the Board",
                  b.board ? `${when(b.board.reportedAt)}, reference ${b.board.reference}` : undefined,
                ],
              ]),
              open
                ? h("div", { class: "action-list" }, noticesButton(b.id, reload), reportButton(b.id, reload))
                : null,
            );
          }),
        )
      : h("p", {}, "No breaches registered."),
  );
  tick();
  const interval = window.setInterval(tick, 1000);
  let cleanup: Cleanup = () => window.clearInterval(interval);
  return () => cleanup();
}
