import { h } from "../shared/dom";
import { href, type Route } from "./router";
import { ROLE_NAMES, type Session, type StaffRole } from "./session";

/** The menu: each role sees the views its role may read (the API refuses the rest anyway). */
const MENU: { route: Route["name"]; label: string; roles: StaffRole[] }[] = [
  { route: "queue", label: "Queue", roles: ["support", "privacy_officer"] },
  { route: "grievances", label: "Grievances", roles: ["support", "privacy_officer"] },
  { route: "breaches", label: "Breaches", roles: ["privacy_officer"] },
  { route: "backups", label: "Backups", roles: ["privacy_officer"] },
  { route: "processors", label: "Processors", roles: ["support", "privacy_officer"] },
];

export function header(
  session: Session | undefined,
  current: Route | undefined,
  signOut: () => void,
): Node[] {
  const brand = h("p", { class: "brand" }, "CallMissed privacy console");
  if (!session) return [brand];
  const active = current?.name === "request" ? "queue" : current?.name;
  const nav = h(
    "nav",
    { "aria-label": "Console" },
    h(
      "ul",
      {},
      ...MENU.filter((m) => m.roles.includes(session.role)).map((m) =>
        h(
          "li",
          {},
          h(
            "a",
            {
              href: href({ name: m.route } as Route),
              ...(active === m.route ? { "aria-current": "page" } : {}),
            },
            m.label,
          ),
        ),
      ),
    ),
  );
  const who = h(
    "div",
    { class: "who" },
    h("span", {}, "Signed in as ", h("strong", { id: "role" }, ROLE_NAMES[session.role])),
    h("button", { type: "button", class: "secondary", onclick: signOut }, "Sign out"),
  );
  return [brand, who, nav];
}
