import { h, show } from "../../shared/dom";
import { staffCall, seg } from "../staff-api";
import { confirmAction } from "../ui/dialog";
import { field } from "../ui/field";
import { clock, when, words } from "../ui/format";
import { announce } from "../ui/live";
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
              open ? reportButton(b, reload) : null,
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

function reportButton(b: Breach, reload: () => Promise<void>): HTMLElement {
  return h(
    "button",
    {
      type: "button",
      "data-action": "board-report",
      onclick: async () => {
        const reference = field("reference", "The Board's reference", {
          hint: "The acknowledgement or filing reference the Board gave.",
        });
        const done = await confirmAction({
          title: "Record the Board report",
          does: "Records that this breach was reported to the Data Protection Board, with its reference; the 72-hour clock stops.",
          undo: "It cannot be undone: the register keeps the report as filed.",
          fields: [{ field: reference, required: "Give the Board's reference." }],
          confirmLabel: "Record report",
          run: () =>
            staffCall("POST", `v1/breaches/${seg(b.id)}/board-report`, { reference: reference.value() }),
        });
        if (done === undefined) return;
        announce("The Board report is recorded.");
        await reload();
      },
    },
    "Record the Board report…",
  );
}
