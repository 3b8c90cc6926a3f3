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

/** The API's request id (src/domain/requests/request-id.ts; the page cannot import it): `r-<uuid>.<t|w|c|x>.<partition>`. */
const REQUEST_ID =
  /^r-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.[twcx]\.[A-Za-z0-9_-]{1,300}$/;
const SIMPLE = ["queue", "grievances", "breaches", "backups", "processors"] as const;

/** The route a hash names; undefined for a hash that is no route (the skip link's `#main`). */
export function parseRoute(hash: string): Route | undefined {
  if (!hash.startsWith("#/")) return undefined;
  const [first, second, ...rest] = hash.slice(2).split("/");
  // Only a request id: never "..", which would aim the staff token at another API path.
  if (first === "requests" && second && rest.length === 0)
    return REQUEST_ID.test(second) ? { name: "request", id: second } : { name: "queue" };
  const simple = SIMPLE.find((s) => s === first);
  return simple && second === undefined ? { name: simple } : { name: "queue" };
}

export function href(route: Route): string {
  return route.name === "request" ? `#/requests/${encodeURIComponent(route.id)}` : `#/${route.name}`;
}
