import { h } from "../../shared/dom";
import { when, words } from "../ui/format";
import type { AuditView } from "./request-model";

/**
 * The audit timeline, newest last as it was written, with the chain's verification: whether every link's
 * hash matches and (staff) whether the chain agrees with its anchors in the append-only record.
 */
export function auditSection(audit: AuditView): HTMLElement {
  const c = audit.chain;
  const verdict = c.valid
    ? `✓ The chain verifies: ${audit.events.length} events, each linked to the one before (head ${c.headHash.slice(0, 12)}…).`
    : `✗ The chain does NOT verify: it breaks at event ${c.brokenAt ?? "?"}. Report this to the privacy officer.`;
  const anchored = c.anchored
    ? c.anchored.anchors === 0
      ? "Not anchored yet: the append-only record seals the chains at each anchoring run."
      : c.anchored.valid
        ? `✓ It matches its ${c.anchored.anchors} anchor${c.anchored.anchors === 1 ? "" : "s"} in the append-only record.`
        : `✗ It does NOT match its anchors${c.anchored.reason ? ` (${c.anchored.reason})` : ""}${c.anchored.brokenAt !== undefined ? ` at event ${c.anchored.brokenAt}` : ""}.`
    : undefined;
  return h(
    "section",
    { "aria-labelledby": "audit-title", class: "timeline" },
    h("h2", { id: "audit-title" }, "Audit timeline"),
    h("p", { class: c.valid ? "verdict ok" : "verdict bad", id: "chain-verdict" }, verdict),
    anchored
      ? h(
          "p",
          { class: c.anchored?.valid || c.anchored?.anchors === 0 ? "verdict" : "verdict bad" },
          anchored,
        )
      : null,
    h(
      "ol",
      { class: "events" },
      ...audit.events.map((e) =>
        h(
          "li",
          {},
          h("span", { class: "event-action" }, words(e.action)),
          e.from || e.to ? ` (${words(e.from ?? "—")} → ${words(e.to ?? "—")})` : "",
          h("br"),
          h("span", { class: "event-meta" }, when(e.at), e.actor ? ` · by ${words(e.actor.kind)}` : ""),
          e.reason ? h("p", { class: "event-reason" }, e.reason) : null,
        ),
      ),
    ),
  );
}
