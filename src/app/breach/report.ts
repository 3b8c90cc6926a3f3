import { escapeHtml } from "../../domain/html";
import type { AppContext } from "../context";
import type { BreachDoc } from "./model";

/**
 * The detailed report to the Data Protection Board (DPDP Rules 2025 Rule 7(2)(b)): the facts, the
 * circumstances and reasons, the measures taken, the intimations given to the people affected. JSON
 * for systems, printable HTML for filing. Counts and categories only: no affected person is named.
 */
export function boardReport(app: AppContext, breach: BreachDoc, now: Date) {
  const labels = new Map(app.inventory.map((e) => [e.category, e.label]));
  return {
    report: "Personal data breach: detailed report to the Data Protection Board of India",
    basis: app.policy.periods.breachBoardReport.basis,
    generatedAt: now.toISOString(),
    dataFiduciary: {
      name: "CallMissed Technologies Pvt. Ltd.",
      grievanceOfficer: app.settings.dpoContact,
    },
    breach: {
      id: breach.id,
      status: breach.state,
      discoveredAt: breach.discoveredAt,
      ...(breach.occurredAt ? { occurredAt: breach.occurredAt } : {}),
      registeredAt: breach.registeredAt,
      nature: breach.nature,
      ...(breach.cause ? { cause: breach.cause } : {}),
      likelyConsequences: breach.likelyConsequences,
      measuresTaken: breach.measuresTaken,
      safetyStepsAdvised: breach.safetySteps,
      dataCategories: breach.dataCategories.map((c) => ({ category: c, label: labels.get(c) ?? c })),
    },
    affected: {
      tenants: { count: breach.tenantsAffected.length, ids: breach.tenantsAffected },
      principals: {
        estimated: breach.principals.estimated,
        addressesRecorded: breach.principals.contacts.length,
      },
    },
    deadlines: {
      boardReportDueAt: breach.boardDueAt,
      certInReportDueAt: breach.certInDueAt,
      certInBasis: app.policy.periods.breachCertInReport.basis,
    },
    intimationToPrincipals: breach.notices
      ? {
          sent: true,
          lastSentAt: breach.notices.lastSentAt,
          principalsNotified: breach.notices.principalsNotified,
          accountOwnersNotified: breach.notices.ownersNotified,
        }
      : { sent: false },
    board: breach.board
      ? {
          reportedAt: breach.board.reportedAt,
          reference: breach.board.reference,
          withinDeadline: Date.parse(breach.board.reportedAt) <= Date.parse(breach.boardDueAt),
        }
      : null,
  };
}

export type BoardReport = ReturnType<typeof boardReport>;

const when = (iso: string) => {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return escapeHtml(iso);
  const ist = new Intl.DateTimeFormat("en-IN", {
    dateStyle: "long",
    timeStyle: "short",
    timeZone: "Asia/Kolkata",
  });
  return `${escapeHtml(ist.format(new Date(t)))} IST <small>(${escapeHtml(iso)})</small>`;
};

const row = (label: string, html: string) =>
  `<tr><th scope="row">${escapeHtml(label)}</th><td>${html}</td></tr>`;
const para = (s: string) => escapeHtml(s).replace(/\n/g, "<br>");

/** The same report as one self-contained, printable HTML page (no scripts, no external resources). */
export function boardReportHtml(r: BoardReport): string {
  const b = r.breach;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Breach report ${escapeHtml(b.id)}</title>
<style>
body{font:11pt/1.45 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#111}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.6rem;border-bottom:1px solid #999}
table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;padding:.3rem .5rem;border-bottom:1px solid #ddd}
th{width:32%}small{color:#555}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}tr{break-inside:avoid}}
</style>
</head>
<body>
<h1>${escapeHtml(r.report)}</h1>
<p>${escapeHtml(r.basis)}</p>
<h2>Data fiduciary</h2>
<table>
${row("Name", escapeHtml(r.dataFiduciary.name))}
${row("Grievance Officer / DPO", escapeHtml(r.dataFiduciary.grievanceOfficer))}
</table>
<h2>The breach</h2>
<table>
${row("Reference", escapeHtml(b.id))}
${row("Status", escapeHtml(b.status))}
${row("Discovered", when(b.discoveredAt))}
${b.occurredAt ? row("Occurred", when(b.occurredAt)) : ""}
${row("Registered", when(b.registeredAt))}
${row("Nature", para(b.nature))}
${b.cause ? row("Cause", para(b.cause)) : ""}
${row("Likely consequences", para(b.likelyConsequences))}
${row("Measures taken", para(b.measuresTaken))}
${row("Safety steps advised", para(b.safetyStepsAdvised))}
${row("Data categories", `<ul>${b.dataCategories.map((c) => `<li>${escapeHtml(c.label)} <small>(${escapeHtml(c.category)})</small></li>`).join("")}</ul>`)}
</table>
<h2>Who is affected</h2>
<table>
${row("Customer accounts (tenants)", `${r.affected.tenants.count}${r.affected.tenants.count ? `: ${r.affected.tenants.ids.map(escape).join(", ")}` : ""}`)}
${row("Data principals (estimated)", String(r.affected.principals.estimated))}
${row("Addresses recorded for notice", String(r.affected.principals.addressesRecorded))}
</table>
<h2>Deadlines</h2>
<table>
${row("Report to the Board due", when(r.deadlines.boardReportDueAt))}
${row("CERT-In report due", `${when(r.deadlines.certInReportDueAt)}<br><small>${escapeHtml(r.deadlines.certInBasis)}</small>`)}
${r.board ? row("Reported to the Board", `${when(r.board.reportedAt)}, reference ${escapeHtml(r.board.reference)}${r.board.withinDeadline ? "" : " <strong>(after the deadline)</strong>"}`) : row("Reported to the Board", "not yet")}
</table>
<h2>Intimation to the people affected (Rule 7(1))</h2>
<table>
${
  r.intimationToPrincipals.sent
    ? `${row("Last sent", when(r.intimationToPrincipals.lastSentAt ?? ""))}
${row("Data principals notified", String(r.intimationToPrincipals.principalsNotified ?? 0))}
${row("Account owners notified", String(r.intimationToPrincipals.accountOwnersNotified ?? 0))}`
    : row("Sent", "not yet")
}
</table>
<p><small>Generated ${when(r.generatedAt)} by dpdp-rights.</small></p>
</body>
</html>
`;
}
