import { call } from "../../shared/api";
import { h, show } from "../../shared/dom";
import { field, showFieldProblems } from "../ui/field";
import { announce } from "../ui/live";
import { problemMessage } from "../ui/problem";
import { keepSession, sessionOf, type Session } from "../session";

/**
 * Sign-in: paste a staff JWT. On the local host (only there does `POST _dev/token` exist) also a
 * "Sign in (local demo)" that mints a dev token for the chosen role.
 */
export function signInView(main: HTMLElement, signedIn: (s: Session) => void, notice?: string): void {
  const token = field("token", "Staff token (JWT)", {
    type: "textarea",
    hint: "Paste the token your identity provider issued. It is kept in this tab only, until you sign out or close it.",
  });
  const general = h("p", { class: "form-error", hidden: true });
  const form = h(
    "form",
    { novalidate: true, "aria-labelledby": "signin-title" },
    h("h2", { id: "signin-title" }, "With your staff token"),
    token.element,
    general,
    h("button", { type: "submit" }, "Sign in"),
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const s = token.value() ? sessionOf(token.value()) : { problem: "Paste your staff token." };
    if ("problem" in s) {
      showFieldProblems([token], [{ field: "token", message: s.problem }]);
      announce(s.problem);
      return;
    }
    keepSession(s);
    signedIn(s);
  });
  const demo = h("section", { class: "demo", hidden: true, "aria-labelledby": "demo-title" });
  show(
    main,
    h("h1", {}, "Sign in to the privacy console"),
    notice ? h("p", { class: "notice", role: "status" }, notice) : null,
    form,
    demo,
  );
  void offerDemo(demo, signedIn);
}

async function offerDemo(demo: HTMLElement, signedIn: (s: Session) => void): Promise<void> {
  // The route answers only on the local host; in Azure it does not exist and the section stays hidden.
  const probe = await call<{ token: string }>("POST", "_dev/token", { body: { role: "support" } });
  if (!probe.ok) return;
  const role = field("role", "Role", {
    type: "select",
    choices: [
      ["privacy_officer", "Privacy officer"],
      ["support", "Support"],
    ],
  });
  const general = h("p", { class: "form-error", hidden: true });
  const button = h("button", { type: "submit", class: "secondary" }, "Sign in (local demo)");
  const form = h("form", { novalidate: true }, role.element, general, button);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const minted = await call<{ token: string }>("POST", "_dev/token", { body: { role: role.value() } });
    const s = minted.ok ? sessionOf(minted.body.token) : { problem: problemMessage(minted.problem) };
    if ("problem" in s) {
      general.textContent = s.problem;
      general.hidden = false;
      announce(s.problem);
      return;
    }
    keepSession(s);
    signedIn(s);
  });
  demo.replaceChildren(
    h("h2", { id: "demo-title" }, "Local demo"),
    h("p", {}, "This host is a local one: it can mint a demonstration token for a staff role."),
    form,
  );
  demo.hidden = false;
}
