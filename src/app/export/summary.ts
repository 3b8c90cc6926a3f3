import { escapeHtml } from "../../domain/html";
import { parseDuration } from "../../domain/duration";
import type { InventoryEntry } from "../../domain/inventory/schema";
import type { Policy } from "../../domain/policy/periods";
import type { RefusedReference } from "../../domain/storage/record-references";

/**
 * The summary the right of access asks for (Privacy Policy §6; DPDP Act 2023 s.11): the categories of
 * personal data held, why (purpose) and on what legal basis, how long each is kept, from the inventory
 * and the periods in use, never from text written here. Pure: no I/O.
 */

export const DATA_FIDUCIARY = "CallMissed Technologies Pvt. Ltd.";

const REFUSED_REASON =
  "A record named a file in another business's storage: it was not read, and is not counted as yours.";

const UNITS: [keyof NonNullable<ReturnType<typeof parseDuration>>, string][] = [
  ["years", "year"],
  ["months", "month"],
  ["weeks", "week"],
  ["days", "day"],
  ["hours", "hour"],
  ["minutes", "minute"],
  ["seconds", "second"],
];

/** "P30D" → "30 days", "P1Y" → "1 year", "PT24H" → "24 hours". */
export function humanDuration(iso: string): string {
  const d = parseDuration(iso);
  if (!d) return iso;
  const parts = UNITS.filter(([k]) => d[k] > 0).map(([k, unit]) => `${d[k]} ${unit}${d[k] === 1 ? "" : "s"}`);
  return parts.length ? parts.join(", ") : iso;
}

export interface RetentionStatement {
  /** While the account (or, for a WhatsApp number, the business's account) is active. */
  whileActive: string;
  /** After the account is deleted (Account Deletion §3–§4). */
  afterAccountDeletion: string;
  /** After an erasure request for a WhatsApp number, where that applies. */
  onWhatsAppErasure?: string;
  basis: string[];
}

export function retentionStatement(entry: InventoryEntry, policy: Policy): RetentionStatement {
  const window = policy.periods.accountRetentionWindow;
  const basis: string[] = [];
  let whileActive = "For the life of the account (Privacy Policy §5)";
  if (entry.retention) {
    whileActive = `Up to ${humanDuration(entry.retention.duration)}`;
    basis.push(entry.retention.basis);
  }
  let afterAccountDeletion: string;
  const purge = entry.onAccountPurge;
  switch (purge.type) {
    case "delete":
    case "forfeit":
      afterAccountDeletion = `Deleted ${humanDuration(window.duration)} after the account is deleted${
        purge.type === "forfeit" ? " (any balance is forfeited)" : ""
      }`;
      basis.push(window.basis);
      break;
    case "anonymise":
      afterAccountDeletion = `Anonymised (${purge.fields.join(", ")} removed) and kept ${humanDuration(
        purge.thenRetain.duration,
      )}`;
      basis.push(purge.thenRetain.basis);
      break;
    case "retain":
      afterAccountDeletion = `Kept ${humanDuration(purge.retention.duration)}, also after the account is deleted`;
      basis.push(purge.retention.basis);
      break;
  }
  const wa = entry.onWhatsAppErasure;
  const onWhatsAppErasure =
    wa?.type === "delete"
      ? "Deleted when you ask for the data linked to your WhatsApp number to be deleted"
      : wa?.type === "anonymise"
        ? `Anonymised (${wa.fields.join(", ")} removed) when you ask for deletion: ${wa.reason}`
        : undefined;
  return {
    whileActive,
    afterAccountDeletion,
    ...(onWhatsAppErasure ? { onWhatsAppErasure } : {}),
    basis: [...new Set(basis)],
  };
}

export interface SummaryCategory {
  entry: InventoryEntry;
  /** Records (Cosmos) or files (Blob) in this package. */
  count: number;
  /** Where they are in the package: an NDJSON file or a folder of files. */
  location: string;
}

export interface SummaryInput {
  requestId: string;
  generatedAt: string;
  subject: { type: "account"; tenantId: string } | { type: "whatsapp_number"; number: string };
  categories: SummaryCategory[];
  notIncluded: { entry: InventoryEntry; reason: string }[];
  /** References on the records that named another business's files: not followed, not in the package. */
  refusedReferences?: readonly RefusedReference[];
  policy: Policy;
  grievanceOfficer: string;
}

export function buildSummary(input: SummaryInput) {
  const { policy } = input;
  return {
    format: "dpdp-rights-export/1",
    title: "Summary of your personal data held by CallMissed",
    dataFiduciary: { name: DATA_FIDUCIARY, grievanceOfficer: { email: input.grievanceOfficer } },
    requestId: input.requestId,
    generatedAt: input.generatedAt,
    subject: input.subject,
    categories: input.categories.map(({ entry, count, location }) => ({
      category: entry.category,
      label: entry.label,
      purpose: entry.purpose,
      legalBasis: entry.legalBasis,
      policy: entry.policyRef,
      ...(entry.store.kind === "cosmos" ? { records: count } : { files: count }),
      location,
      retention: retentionStatement(entry, policy),
    })),
    notIncluded: input.notIncluded.map(({ entry, reason }) => ({
      category: entry.category,
      label: entry.label,
      purpose: entry.purpose,
      legalBasis: entry.legalBasis,
      reason,
    })),
    refusedReferences: (input.refusedReferences ?? []).map(({ category, field, count }) => ({
      category,
      field,
      count,
      reason: REFUSED_REASON,
    })),
    generalRetention: [
      {
        what: policy.periods.backupRotation.label,
        duration: policy.periods.backupRotation.duration,
        basis: policy.periods.backupRotation.basis,
      },
      {
        what: policy.periods.exportExpiry.label,
        duration: policy.periods.exportExpiry.duration,
        basis: policy.periods.exportExpiry.basis,
      },
    ],
    yourRights: [
      "Correction: update inaccurate or incomplete personal data",
      "Erasure: request deletion (subject to legal retention)",
      "Grievance redressal: complain to our Grievance Officer",
      "Nomination: designate someone to exercise your rights in the event of death or incapacity",
      "Withdrawal of consent, where processing is based on consent",
    ],
    howToExercise: `Use the CallMissed dashboard or email support@callmissed.com. Grievance Officer: ${input.grievanceOfficer}. If you are not satisfied with our response, you may escalate to the Data Protection Board of India.`,
    files: {
      "summary.json": "This summary, for machines",
      "summary.html": "This summary, for people",
      "manifest.json": "Every file of this package with its size and SHA-256, and the record counts",
      "data/<category>.ndjson": "The records of one category, one JSON object per line",
      "files/<category>/…": "Files held for you (knowledge-base files, audio recordings, transcripts)",
    },
  };
}
export type Summary = ReturnType<typeof buildSummary>;

/** The same summary, readable in a browser without anything else (no scripts, no external resources). */
export function renderSummaryHtml(summary: Summary): string {
  const e = escapeHtml;
  const subject =
    summary.subject.type === "account"
      ? `the account ${e(summary.subject.tenantId)}`
      : `the WhatsApp number ${e(summary.subject.number)}`;
  const rows = summary.categories
    .map(
      (c) => `<tr>
<td><strong>${e(c.label)}</strong><br><code>${e(c.location)}</code></td>
<td>${"records" in c ? `${c.records} records` : `${c.files} files`}</td>
<td>${e(c.purpose)}</td>
<td>${e(c.legalBasis)}</td>
<td>${e(c.retention.whileActive)}.<br>${e(c.retention.afterAccountDeletion)}.${
        c.retention.onWhatsAppErasure ? `<br>${e(c.retention.onWhatsAppErasure)}.` : ""
      }<br><small>${c.retention.basis.map(e).join("<br>")}</small></td>
</tr>`,
    )
    .join("\n");
  const notIncluded = summary.notIncluded.length
    ? `<h2>Held but not in this package</h2>
<ul>${summary.notIncluded
        .map(
          (n) =>
            `<li><strong>${e(n.label)}</strong> (${e(n.purpose)}; ${e(n.legalBasis)}): ${e(n.reason)}</li>`,
        )
        .join("\n")}</ul>`
    : "";
  const refused = summary.refusedReferences.length
    ? `<h2>Links not followed</h2>
<ul>${summary.refusedReferences
        .map((r) => `<li>${r.count} in ${e(r.category)} (<code>${e(r.field)}</code>): ${e(r.reason)}</li>`)
        .join("\n")}</ul>`
    : "";
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${e(summary.title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;line-height:1.4}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.4rem;vertical-align:top;text-align:left}
small{color:#555}</style></head>
<body>
<h1>${e(summary.title)}</h1>
<p>For ${subject}. Request <code>${e(summary.requestId)}</code>, generated ${e(summary.generatedAt)} by
${e(summary.dataFiduciary.name)}. Grievance Officer: ${e(summary.dataFiduciary.grievanceOfficer.email)}.</p>
<h2>What we hold, why, and for how long</h2>
<table>
<thead><tr><th>Category</th><th>In this package</th><th>Purpose</th><th>Legal basis</th><th>How long we keep it</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
${notIncluded}
${refused}
<h2>Also</h2>
<ul>${summary.generalRetention
    .map((g) => `<li>${e(g.what)}: ${e(humanDuration(g.duration))} (${e(g.basis)})</li>`)
    .join("\n")}</ul>
<h2>Your other rights</h2>
<ul>${summary.yourRights.map((r) => `<li>${e(r)}</li>`).join("\n")}</ul>
<p>${e(summary.howToExercise)}</p>
<p><small>Every file of this package is listed with its SHA-256 in <code>manifest.json</code>.</small></p>
</body>
</html>
`;
}
