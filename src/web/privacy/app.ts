import { call } from "../shared/api";
import { append, h } from "../shared/dom";
import { refuseFraming } from "../shared/frame-guard";
import type { Context } from "./context";
import { currentHandle } from "./handle";
import { initialLanguage, type Language, stringsFor } from "./i18n";
import type { ConsentPurpose, Policy } from "./types";
import { homeView } from "./views/home";
import { statusView } from "./views/status";

/**
 * The public privacy center (issue 21): file a request, confirm it with the code, follow it, in English or
 * Hindi. Talks only to the public API (docs/web-pages.md lists the routes each view calls).
 */

const main = document.getElementById("main")!;
const ctx: Context = {
  language: "en",
  t: stringsFor("en"),
  policy: undefined,
  purposes: [],
  main,
  refresh: () => void render(),
};

/** The policy and the consent purposes, in the language shown; both are cacheable public documents. */
async function load(language: Language): Promise<void> {
  const [policy, notices] = await Promise.all([
    call<Policy>("GET", `v1/policy?language=${language}`),
    call<{ purposes: ConsentPurpose[] }>("GET", "v1/consent-notices"),
  ]);
  ctx.policy = policy.ok ? policy.body : undefined;
  ctx.purposes = notices.ok ? notices.body.purposes : [];
}

async function setLanguage(language: Language): Promise<void> {
  ctx.language = language;
  ctx.t = stringsFor(language);
  document.documentElement.lang = language;
  document.title = ctx.t.title;
  await load(language);
  header();
}

/** The header: the name and the language switch, a real button naming the other language in it. */
function header(): void {
  const { t } = ctx;
  const other: Language = ctx.language === "en" ? "hi" : "en";
  const offered = ctx.policy?.languages.includes(other) ?? true;
  document.querySelector<HTMLAnchorElement>("a.skip")!.textContent = t.skip;
  const top = document.getElementById("top")!;
  top.replaceChildren();
  append(top, [
    h("p", { class: "brand" }, "CallMissed"),
    offered
      ? h(
          "button",
          {
            type: "button",
            class: "language",
            lang: other,
            "aria-label": t.switchToLabel,
            onclick: async () => {
              await setLanguage(other);
              await render();
            },
          },
          t.switchTo,
        )
      : null,
  ]);
}

async function render(): Promise<void> {
  const handle = currentHandle();
  if (handle) await statusView(ctx, handle);
  else homeView(ctx);
}

async function start(): Promise<void> {
  await setLanguage(initialLanguage());
  await render();
}

if (refuseFraming()) void start();
