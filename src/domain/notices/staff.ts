import type { StaffNoticeData, TemplateRenderers } from "./types";

/**
 * Alerts to CallMissed staff (the privacy officer). ENGLISH ONLY, on purpose: they go to the team, not
 * to a data principal, so the language of the request does not apply (DPDP Act s.5(3) is about notices
 * to data principals) and they carry no DPO footer. Adding a staff alert is adding an entry here.
 */
export const staffTemplates: TemplateRenderers<StaffNoticeData> = {
  execution_failure_alert: (n) => ({
    subject: `Request ${n.requestId} keeps failing`,
    body: `Request ${n.requestId} (${n.kind}) failed ${n.attempts} times at step '${n.step}'.`,
    next: "Open it and retry from that step once the cause is fixed.",
  }),
  breach_report_reminder: (n, h) => ({
    subject: `Breach ${n.breachId}: Board report due in ${Math.max(0, n.hoursLeft)} hours`,
    body: `Breach ${n.breachId} was discovered ${n.hours} hours ago and is not yet reported to the Data Protection Board. The detailed report is due by ${h.date(n.dueAt)} (${n.dueAt}, DPDP Rules 2025 Rule 7(2)(b): within 72 hours).`,
    next: "Export the report (GET /api/v1/breaches/{id}/report?format=html), file it with the Board, then record the filing (POST /api/v1/breaches/{id}/board-report).",
  }),
  breach_texts_missing: (n) => ({
    subject: `Breach ${n.breachId}: notices sent without texts in ${n.language}`,
    body: `${n.readers} people whose language is '${n.language}' got the breach notice with the four Rule 7(1) texts in '${n.usedLanguage}', labelled as such: the register has no texts in their language.`,
    next: `Write the texts in '${n.language}' (POST /api/v1/breaches/${n.breachId}/texts/${n.language}) and answer anyone who asks the Grievance Officer what the notice says.`,
  }),
};
