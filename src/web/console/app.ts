import { show } from "../shared/dom";
import { refuseFraming } from "../shared/frame-guard";
import { header } from "./layout";
import { parseRoute, type Route } from "./router";
import { currentSession, endSession, type Session } from "./session";
import { whenSignedOut } from "./staff-api";
import { announce, liveRegion } from "./ui/live";
import { backupsView } from "./views/backups";
import { breachesView } from "./views/breaches";
import { type Cleanup, loading } from "./views/common";
import { grievancesView } from "./views/grievances";
import { processorsView } from "./views/processors";
import { queueView } from "./views/queue";
import { requestView } from "./views/request";
import { signInView } from "./views/signin";

/**
 * The staff console: signed out it shows only the sign-in; signed in, the view the hash names. Every view
 * reads the public HTTP API with the member of staff's token (docs/web-pages.md).
 */
const main = document.getElementById("main")!;
const top = document.getElementById("top")!;
let current: Route = { name: "queue" };
let renderSeq = 0;
let cleanup: Cleanup | undefined;

function signOut(notice?: string): void {
  endSession();
  render(notice ?? "You are signed out.");
  announce(notice ?? "You are signed out.");
}

async function render(notice?: string): Promise<void> {
  cleanup?.();
  cleanup = undefined;
  const seq = ++renderSeq;
  const stale = () => seq !== renderSeq;
  const session = currentSession();
  top.replaceChildren(...header(session, session ? current : undefined, () => signOut()));
  if (!session) {
    document.title = "Sign in · CallMissed privacy console";
    signInView(main, signedIn, notice);
    return;
  }
  const done = await view(current, session, stale);
  if (!stale() && done) cleanup = done;
}

async function view(route: Route, session: Session, stale: () => boolean): Promise<Cleanup | void> {
  const titles: Record<Route["name"], string> = {
    queue: "Queue",
    request: "Request",
    grievances: "Grievances",
    breaches: "Breach register",
    backups: "Backups",
    processors: "Processor register",
  };
  document.title = `${titles[route.name]} · CallMissed privacy console`;
  if (!main.querySelector("h1")) show(main, ...loading(titles[route.name]));
  switch (route.name) {
    case "queue":
      return queueView(main, session, stale);
    case "request":
      return requestView(main, route.id, session, stale);
    case "grievances":
      return grievancesView(main, stale);
    case "breaches":
      return breachesView(main, stale);
    case "backups":
      return backupsView(main, stale);
    case "processors":
      return processorsView(main, stale);
  }
}

function signedIn(_: Session): void {
  announce("Signed in.");
  if (location.hash === "#/queue") void render();
  else location.hash = "#/queue";
}

function onHash(): void {
  const route = parseRoute(location.hash);
  if (!route) return; // `#main` (the skip link) is no route: stay where we are
  current = route;
  void render();
}

if (refuseFraming()) {
  document.body.appendChild(liveRegion());
  whenSignedOut(() => signOut("Your sign-in has ended. Sign in again."));
  window.addEventListener("hashchange", onHash);
  current = parseRoute(location.hash) ?? { name: "queue" };
  if (!location.hash.startsWith("#/")) history.replaceState(null, "", "#/queue");
  void render();
}
