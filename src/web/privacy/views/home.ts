import { h, show } from "../../shared/dom";
import type { Context } from "../context";
import { fileForm } from "./file-form";
import { policySections } from "./policy";

/** The privacy center's front page: what it is for, the request form, then the policy it runs on. */
export function homeView(ctx: Context): void {
  const { t } = ctx;
  show(
    ctx.main,
    h("h1", {}, t.heading),
    h("p", { class: "lead" }, t.intro),
    ctx.policy ? fileForm(ctx) : null,
    ...policySections(ctx),
  );
}
