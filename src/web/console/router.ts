/**
 * Where the console is, in location.hash, so back and forward work: `#/queue`, `#/requests/<id>`,
 * `#/grievances`, `#/breaches`, `#/backups`, `#/processors`. Only ids ever go in the hash, never personal
 * data (the hash stays in the browser's history).
 */
export type Route =
  | { name: "queue" }
  | { name: "request"; id: string }
  | { name: "grievances" }
  | { name: "breaches" }
  | { name: "backups" }
  | { name: "processors" };

const SIMPLE = ["queue", "grievances", "breaches", "backups", "processors"] as const;

/** The route a hash names; undefined for a hash that is no route (the skip link's `#main`). */
export function parseRoute(hash: string): Route | undefined {
  if (!hash.startsWith("#/")) return undefined;
  const [first, second, ...rest] = hash.slice(2).split("/");
  if (first === "requests" && second && rest.length === 0) {
    try {
      return { name: "request", id: decodeURIComponent(second) };
    } catch {
      return { name: "queue" };
    }
  }
  const simple = SIMPLE.find((s) => s === first);
  return simple && second === undefined ? { name: simple } : { name: "queue" };
}

export function href(route: Route): string {
  return route.name === "request" ? `#/requests/${encodeURIComponent(route.id)}` : `#/${route.name}`;
}
