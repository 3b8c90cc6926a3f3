import { h, show } from "../../shared/dom";
import { staffCall, seg } from "../staff-api";
import { languageName, when, words } from "../ui/format";
import { actionsSection } from "./request-actions";
import { auditSection } from "./audit";
import { certificateSection } from "./certificate";
import { facts, failed, overdueMark } from "./common";
import { partnersSection } from "./partners";
import type { AuditView, RequestView } from "./request-model";
import type { Session } from "../session";

/**
 * One request: its status and deadlines, the actions its `allowedActions` lists, the partners' confirmations,
 * the audit timeline with the chain's verification, and a finished erasure's certificate.
 */
export async function requestView(
  main: HTMLElement,
  id: string,
  session: Session,
  stale: () => boolean,
): Promise<void> {
  const [req, audit] = await Promise.all([
    staffCall<RequestView>("GET", `v1/requests/${seg(id)}`),
    staffCall<AuditView>("GET", `v1/requests/${seg(id)}/audit`),
  ]);
  if (stale()) return;
  if (!req.ok) return show(main, ...failed("Request", req.problem));
  const r = req.body;
  const certificate =
    r.kind === "erasure" && r.status === "completed" ? await certificateSection(r.id) : null;
  if (stale()) return;
  const reload = () => requestView(main, id, session, stale);
  const grievance = r.kind === "grievance" ? grievanceFacts(r.details) : null;
  show(
    main,
    h("h1", {}, `${capital(words(r.kind))} request`),
    h("p", { class: "request-id" }, `Request id: ${r.id}`),
    h(
      "section",
      { "aria-labelledby": "status-title" },
      h("h2", { id: "status-title" }, "Status and deadlines"),
      facts([
        ["Status", h("span", { id: "request-status" }, words(r.status))],
        ["About", scopeText(r)],
        ["Filed", when(r.createdAt)],
        ["Verified", r.verifiedAt ? when(r.verifiedAt) : undefined],
        [
          "Due",
          r.dueAt
            ? h(
                "span",
                { id: "request-due" },
                when(r.dueAt),
                r.daysLeft !== undefined ? ` (${r.daysLeft} days left)` : "",
                r.overdue ? " " : "",
                r.overdue ? overdueMark() : null,
              )
            : undefined,
        ],
        ["Acknowledge by", r.acknowledgeDueAt ? when(r.acknowledgeDueAt) : undefined],
        ["Acknowledged", r.acknowledgedAt ? when(r.acknowledgedAt) : undefined],
        ["Deactivated", r.deactivatedAt ? when(r.deactivatedAt) : undefined],
        ["Purge due", r.purgeDueAt ? when(r.purgeDueAt) : undefined],
        [
          "Legal hold",
          r.hold ? `Since ${when(r.hold.since)}${r.hold.reason ? `: ${r.hold.reason}` : ""}` : undefined,
        ],
        [
          "Failed",
          r.failure
            ? `At ${words(r.failure.step)} (${r.failure.attempts} attempts), ${when(r.failure.at)}: ${r.failure.message}`
            : undefined,
        ],
        ["Closed because", r.closedReason],
        ["The requester reads", languageName(r.noticeLanguage ?? r.language ?? "en")],
      ]),
      r.deadlineExtensions?.length
        ? h(
            "ul",
            { class: "extensions" },
            ...r.deadlineExtensions.map((x) =>
              h("li", {}, `Extended ${when(x.at)}: ${when(x.from)} → ${when(x.to)}. ${x.reason}`),
            ),
          )
        : null,
    ),
    grievance,
    actionsSection(r, reload),
    partnersSection(r.processors, session.role, reload),
    audit.ok ? auditSection(audit.body) : null,
    certificate,
  );
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function scopeText(r: RequestView): string {
  if (r.scope.type === "account") return `Account ${r.scope.tenantId ?? ""}`;
  if (r.scope.type === "whatsapp_number") return `WhatsApp number ${r.scope.phone ?? ""}`;
  return "The requester's own contact";
}

/** A grievance's summary and how it is being handled (assignee, answers, resolution). */
function grievanceFacts(details: Record<string, unknown> | undefined): HTMLElement | null {
  if (!details) return null;
  const handling = (details.handling ?? {}) as {
    assignee?: string;
    responses?: number;
    lastResponseAt?: string;
    resolution?: string;
  };
  const text = (v: unknown) => (typeof v === "string" ? v : undefined);
  return h(
    "section",
    { "aria-labelledby": "grievance-title" },
    h("h2", { id: "grievance-title" }, "The grievance"),
    facts([
      ["Complaint", text(details.summary)],
      ["Assigned to", h("span", { id: "assignee" }, handling.assignee ?? "nobody yet")],
      [
        "Answers sent",
        handling.responses ? `${handling.responses}, last ${when(handling.lastResponseAt)}` : undefined,
      ],
      ["Resolution", text(handling.resolution)],
    ]),
  );
}
