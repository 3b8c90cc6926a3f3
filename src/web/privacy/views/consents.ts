import { call, newIdempotencyKey } from "../../shared/api";
import { h } from "../../shared/dom";
import { purposeLabel, type Context } from "../context";
import { keepHandle, type Handle } from "../handle";
import { confirmAction } from "../ui/confirm";
import { placeProblems, textField } from "../ui/field";
import { date } from "../ui/format";
import type { Artefact, RequestView } from "../types";

/**
 * The person's consents once their request is verified (GET …/consents: the artefact history, docs/consent.md),
 * the latest act per purpose deciding its state, and a withdrawal for each one in force: a
 * `consent_withdrawal` request for the number (POST /api/v1/requests), confirmed with a new code like any
 * other (the number is asked again: the page keeps no number, only the request's handle).
 */
export function consentsSection(ctx: Context, handle: Handle): HTMLElement {
  const { t } = ctx;
  const section = h(
    "section",
    { "aria-labelledby": "consents" },
    h("h2", { id: "consents" }, t.consentsHeading),
    h("p", { class: "loading" }, t.loading),
  );
  void (async () => {
    const res = await call<{ artefacts: Artefact[] }>(
      "GET",
      `v1/requests/${encodeURIComponent(handle.id)}/consents`,
      {
        requestToken: handle.token,
      },
    );
    section.querySelector(".loading")?.remove();
    if (!res.ok) return section.remove();
    const latest = new Map<string, Artefact>();
    for (const a of res.body.artefacts) latest.set(a.purpose, a);
    if (latest.size === 0) return void section.append(h("p", {}, t.consentsNone));
    const now = Date.now();
    section.append(
      h(
        "ul",
        { class: "consents" },
        ...[...latest.values()].map((a) => {
          const state =
            a.action === "withdraw"
              ? "withdrawn"
              : a.expiresAt && Date.parse(a.expiresAt) < now
                ? "expired"
                : "granted";
          const label = purposeLabel(ctx, a.purpose);
          return h(
            "li",
            {},
            h("strong", {}, label),
            h("span", {}, ` — ${t[state]} (${t.consentSince} ${date(ctx.language, a.effectiveAt)})`),
            state === "granted"
              ? h(
                  "button",
                  { type: "button", class: "danger", onclick: () => withdraw(ctx, a.purpose, label) },
                  `${t.withdraw}: ${label}`,
                )
              : null,
          );
        }),
      ),
    );
  })();
  return section;
}

async function withdraw(ctx: Context, purpose: string, label: string): Promise<void> {
  const { t } = ctx;
  const phone = textField("withdraw-phone", t.phoneLabel, {
    type: "tel",
    hint: t.phoneHint,
    autocomplete: "tel",
    inputmode: "tel",
    maxlength: 32,
  });
  const idempotencyKey = newIdempotencyKey();
  let filed: RequestView | undefined;
  const ok = await confirmAction(t, {
    title: t.withdrawTitle(label),
    what: t.withdrawWhat,
    undo: t.withdrawUndo,
    extra: phone.wrap,
    accept: async () => {
      const res = await call<RequestView>("POST", "v1/requests", {
        body: {
          kind: "consent_withdrawal",
          language: ctx.language,
          scope: { type: "whatsapp_number", phone: phone.input.value },
          purposes: [purpose],
        },
        idempotencyKey,
      });
      if (res.ok) {
        filed = res.body;
        return true;
      }
      const { placed } = placeProblems(
        res.problem,
        [{ apiField: "body.scope", slot: phone, key: "phone" }],
        ctx.language,
        t,
      );
      if (placed === 0) phone.setError(res.problem.status === 429 ? t.tooMany(10) : t.checkForm);
      return false;
    },
  });
  if (ok && filed?.requestToken) {
    keepHandle({ id: filed.id, token: filed.requestToken });
    ctx.refresh();
  }
}
