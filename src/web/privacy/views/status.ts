import { call } from "../../shared/api";
import { h, show } from "../../shared/dom";
import { kindLabel, type Context } from "../context";
import { forgetHandle, type Handle, releaseHandle } from "../handle";
import { dateTime } from "../ui/format";
import { FINISHED, type RequestView } from "../types";
import { certificateSection } from "./certificate";
import { consentsSection } from "./consents";
import { exportSection } from "./export";
import { failureMessage } from "./failure";
import { handleControls } from "./handle-controls";
import { verifyView } from "./verify";

/**
 * The request as the API shows it to its requester (GET /api/v1/requests/{id} with X-Request-Token):
 * status, deadline and days left, what happens next; the export while its link lives, the certificate of
 * a finished erasure, the person's consents once verified. A finished request: the tab lets go of its key.
 * A handle the API does not know (another person's id, a wrong key) shows nothing and is forgotten.
 */
export async function statusView(ctx: Context, handle: Handle): Promise<void> {
  const { t } = ctx;
  const res = await call<RequestView>("GET", `v1/requests/${encodeURIComponent(handle.id)}`, {
    requestToken: handle.token,
  });
  if (!res.ok) {
    const gone = [400, 401, 403, 404].includes(res.problem.status);
    if (gone) forgetHandle();
    show(
      ctx.main,
      h("h1", {}, t.statusHeading),
      h("p", { class: "notice" }, gone ? t.notFound : failureMessage(t, res.problem)),
      h("button", { type: "button", onclick: () => ctx.refresh() }, gone ? t.back : t.tryAgain),
    );
    return;
  }
  const request = res.body;
  if (request.status === "pending_verification") return verifyView(ctx, handle, request);
  if (FINISHED.includes(request.status)) releaseHandle();

  const row = (term: string, ...value: (Node | string)[]) => [h("dt", {}, term), h("dd", {}, ...value)];
  const deadline = request.dueAt
    ? row(
        t.deadline,
        dateTime(ctx.language, request.dueAt),
        request.daysLeft !== undefined && !FINISHED.includes(request.status)
          ? ` (${t.daysLeft(request.daysLeft)})`
          : "",
      )
    : [];
  const verified = request.verifiedAt !== undefined;
  show(
    ctx.main,
    h("h1", {}, t.statusHeading),
    h(
      "dl",
      { class: "facts" },
      ...row(t.kind, kindLabel(ctx, request.kind)),
      ...row(
        t.status,
        h(
          "strong",
          { class: `status status-${request.status}` },
          t.statuses[request.status] ?? request.status,
        ),
      ),
      ...row(t.reference, h("code", { class: "ref" }, request.id)),
      ...row(t.filed, dateTime(ctx.language, request.createdAt)),
      ...deadline,
    ),
    request.overdue ? h("p", { class: "notice warn" }, t.overdue) : null,
    request.onHold ? h("p", { class: "notice" }, t.onHold) : null,
    h(
      "section",
      { "aria-labelledby": "next" },
      h("h2", { id: "next" }, t.nextHeading),
      h("p", {}, t.next[request.status] ?? ""),
      request.closedReason
        ? h("p", {}, h("strong", {}, `${t.outcome}: `), h("span", { lang: "en" }, request.closedReason))
        : null,
      FINISHED.includes(request.status)
        ? null
        : h("button", { type: "button", class: "secondary", onclick: () => ctx.refresh() }, t.refresh),
    ),
    request.kind === "access" && verified ? exportSection(ctx, handle) : null,
    request.kind === "erasure" && request.status === "completed" ? certificateSection(ctx, handle) : null,
    request.scope.type === "whatsapp_number" && verified && request.kind !== "erasure"
      ? consentsSection(ctx, handle)
      : null,
    handleControls(ctx, handle, request),
  );
}
