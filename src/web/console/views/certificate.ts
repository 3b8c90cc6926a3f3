import { h } from "../../shared/dom";
import { staffCall, seg } from "../staff-api";
import { when, words } from "../ui/format";
import { problemMessage } from "../ui/problem";

interface Certificate {
  requestId: string;
  scope: string;
  issuedAt: string;
  categories: { category: string; label: string; action: string; count: number }[];
  backups: { held: number; note: string; keyShreddedAt?: string; residualUntil?: string };
  auditHeadHash: string;
  anchor?: { name: string; sealedAt: string; certificateHash: string };
}

/**
 * The certificate of a finished erasure (`GET v1/requests/{id}/certificate`), printable: "Print" prints
 * this section alone (the print stylesheet hides the rest while `body.print-certificate` is set).
 */
export async function certificateSection(id: string): Promise<HTMLElement> {
  const res = await staffCall<Certificate>("GET", `v1/requests/${seg(id)}/certificate`);
  const section = h(
    "section",
    { "aria-labelledby": "certificate-title", class: "certificate" },
    h("h2", { id: "certificate-title" }, "Certificate of erasure"),
  );
  if (!res.ok) {
    section.append(h("p", { class: "form-error" }, problemMessage(res.problem)));
    return section;
  }
  const c = res.body;
  const print = h("button", { type: "button", class: "secondary no-print" }, "Print certificate");
  print.addEventListener("click", () => {
    document.body.classList.add("print-certificate");
    window.addEventListener("afterprint", () => document.body.classList.remove("print-certificate"), {
      once: true,
    });
    window.print();
  });
  section.append(
    h("p", {}, `Request ${c.requestId}: ${c.scope}. Issued ${when(c.issuedAt)}.`),
    h(
      "ul",
      { class: "categories" },
      ...c.categories.map((k) => h("li", {}, `${k.label}: ${k.count} ${words(k.action)}`)),
    ),
    h("p", {}, `Backups: ${c.backups.note}`),
    h("p", { class: "hash" }, `Audit head hash: ${c.auditHeadHash}`),
    ...(c.anchor
      ? [h("p", { class: "hash" }, `Anchored as ${c.anchor.name}, sealed ${when(c.anchor.sealedAt)}`)]
      : []),
    print,
  );
  return section;
}
