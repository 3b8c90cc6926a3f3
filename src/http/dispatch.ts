import type { HttpRoute } from "./route";

/*
 * HTTP routing as the Azure Functions host does it, in one module: the local host routes with it, the
 * Azure catch-all function answers 404/405 with it, and the function table is checked against it.
 *
 * What the host does (Azure/azure-functions-host @89dc438, Azure/azure-webjobs-sdk-extensions @2e7550f):
 * - Functions are ordered by name, `StringComparer.OrdinalIgnoreCase`
 *   (src/WebJobs.Script/Host/FunctionMetadataManager.cs:192, since commit af6d87c, October 2020).
 * - One route per HTTP function is added in that order, with an `httpMethod` constraint listing its
 *   methods (src/WebJobs.Script.WebHost/WebScriptHostHttpRoutesManager.cs:48-68); the builder keeps
 *   that order (src/WebJobs.Extensions.Http/Routing/WebJobsRouteBuilder.cs:74-84: a plain
 *   RouteCollection), and a RouteCollection takes the first route whose template AND constraints match.
 *   So the first function, by name, whose template and method match wins: a catch-all shadows every
 *   function named after it. Reported in azure-functions-host#3153, #9876, #6062 (before the ordering
 *   commit), azure-functions-nodejs-library#300, MicrosoftDocs/azure-docs#11755; the precedence PR
 *   (azure-webjobs-sdk-extensions#842) is not merged.
 * - Templates are ASP.NET Core route templates under the routePrefix (host.json `api`). Matching
 *   (dotnet/aspnetcore src/Http/Routing/src/Patterns/RoutePatternMatcher.cs, PathTokenizer.cs): literal
 *   segments compare OrdinalIgnoreCase; a parameter needs a non-empty segment unless optional; a
 *   catch-all takes the rest, even nothing; one trailing slash is ignored; an empty segment ("a//b")
 *   matches no route at all.
 * - The host refuses at start a function whose route equals another's (ignoring case and slashes) with
 *   an intersecting method, and routes starting with "admin" or "runtime"
 *   (src/WebJobs.Script/Host/ScriptHost.cs ValidateFunction, ValidateHttpFunction, HttpRoutesConflict);
 *   function names must match `^[a-z][a-z0-9_\-]{0,127}$` ignoring case, and not be "host"
 *   (src/WebJobs.Script/Utility.cs:59).
 */

/** Every method an HTTP trigger may list: the catch-all lists them all. */
export const HOST_HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] as const;

/** host.json `extensions.http.routePrefix`. */
export const ROUTE_PREFIX = "api";

/** An HTTP function as the host sees it: its name, its route template (no prefix) and its methods. */
export interface HostHttpFunction {
  name: string;
  route: string;
  methods: readonly string[];
}

/**
 * `StringComparer.OrdinalIgnoreCase`: both strings upper-cased (invariant culture), then compared by
 * UTF-16 code unit. So `_` (0x5F) sorts after every letter, unlike a lower-casing comparison.
 */
export function compareFunctionNames(a: string, b: string): number {
  const x = a.toUpperCase();
  const y = b.toUpperCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

const FUNCTION_NAME = /^[a-z][a-z0-9_-]{0,127}$/i;

/** Utility.IsValidFunctionName of the host: every function's name, whatever its trigger. */
export const isValidFunctionName = (name: string) =>
  FUNCTION_NAME.test(name) && name.toLowerCase() !== "host";

type Constraint = { name: string; test(value: string): boolean; sample(base: string): string };

type TemplateSegment =
  | { kind: "literal"; text: string }
  | { kind: "param"; name: string; optional: boolean; constraints: Constraint[] }
  | { kind: "catchAll"; name: string };

export interface RouteTemplate {
  template: string;
  segments: TemplateSegment[];
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The inline constraints this model knows; any other is refused rather than guessed. */
function constraint(spec: string): Constraint {
  const m = /^([a-z]+)(?:\((\d+)(?:,(\d+))?\))?$/i.exec(spec);
  const name = m?.[1]?.toLowerCase();
  const a = m?.[2] === undefined ? undefined : Number(m[2]);
  const b = m?.[3] === undefined ? undefined : Number(m[3]);
  const pad = (s: string, n: number) => (s.length >= n ? s : s + "a".repeat(n - s.length));
  if (name === "int" && a === undefined)
    return {
      name,
      test: (v) => /^-?\d+$/.test(v) && Math.abs(Number(v)) <= 2 ** 31,
      sample: () => "7",
    };
  if (name === "alpha" && a === undefined)
    return { name, test: (v) => /^[a-z]*$/i.test(v), sample: (s) => s.replace(/[^a-z]/gi, "") || "a" };
  if (name === "guid" && a === undefined)
    return { name, test: (v) => GUID.test(v), sample: () => "00000000-0000-4000-8000-000000000000" };
  if (name === "bool" && a === undefined)
    return { name, test: (v) => /^(true|false)$/i.test(v), sample: () => "true" };
  if (name === "minlength" && a !== undefined && b === undefined)
    return { name, test: (v) => v.length >= a, sample: (s) => pad(s, a) };
  if (name === "maxlength" && a !== undefined && b === undefined)
    return { name, test: (v) => v.length <= a, sample: (s) => s.slice(0, a) };
  if (name === "length" && a !== undefined) {
    const max = b ?? a;
    return { name, test: (v) => v.length >= a && v.length <= max, sample: (s) => pad(s, a).slice(0, max) };
  }
  throw new Error(`The route constraint "${spec}" is not modelled: add it to src/http/dispatch.ts first.`);
}

/**
 * Parses a route template as ASP.NET Core reads it, for the forms this model covers: literal segments,
 * `{name}`, `{name?}`, `{*name}` / `{**name}` (last segment only) and inline constraints `{id:int}`.
 * Defaults, complex segments (`{a}.{b}`) and other constraints are refused, not guessed.
 */
export function parseRouteTemplate(template: string): RouteTemplate {
  const parts = template.split("/");
  const segments = parts.map((s, i): TemplateSegment => {
    if (s === "") throw new Error(`Route "${template}": empty segment (leading, trailing or double "/").`);
    if (!/[{}]/.test(s)) {
      if (s.includes("?")) throw new Error(`Route "${template}": "?" in a literal segment.`);
      return { kind: "literal", text: s };
    }
    const m = /^\{(\*{1,2})?([A-Za-z_][A-Za-z0-9_]*)((?::[^:{}?]+)*)(\?)?\}$/.exec(s);
    if (!m?.[2]) throw new Error(`Route "${template}": segment "${s}" is not a form this model knows.`);
    if (m[1]) {
      if (i !== parts.length - 1 || m[3] || m[4])
        throw new Error(`Route "${template}": a catch-all must be the last segment, plain.`);
      return { kind: "catchAll", name: m[2] };
    }
    const constraints = (m[3] ?? "").split(":").filter(Boolean).map(constraint);
    return { kind: "param", name: m[2], optional: Boolean(m[4]), constraints };
  });
  return { template, segments };
}

/**
 * The request path's segments as ASP.NET Core's PathTokenizer cuts them (leading "/" skipped, one
 * trailing "/" ignored), each percent-decoded (so an encoded "/" stays inside its segment). Undefined
 * when a segment does not decode.
 */
function tokenize(path: string): string[] | undefined {
  const p = path.startsWith("/") ? path : `/${path}`;
  if (p.length <= 1) return [];
  const body = p.endsWith("/") ? p.slice(1, -1) : p.slice(1);
  try {
    return body.split("/").map(decodeURIComponent);
  } catch {
    return undefined;
  }
}

/** RoutePatternMatcher.TryMatch plus the template's inline constraints. */
function matchTemplate(t: RouteTemplate, parts: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < t.segments.length; i++) {
    const seg = t.segments[i]!;
    const part = parts[i];
    // An empty request segment fails the match, checked up to (and including) a catch-all's first one.
    if (part === "") return undefined;
    if (seg.kind === "catchAll") {
      const rest = parts.slice(i).join("/");
      if (rest) params[seg.name] = rest;
      return params;
    }
    if (part === undefined) {
      // Out of request segments: what is left must be optional parameters.
      if (seg.kind === "param" && seg.optional) continue;
      return undefined;
    }
    if (seg.kind === "literal") {
      if (part.toUpperCase() !== seg.text.toUpperCase()) return undefined;
    } else {
      if (!seg.constraints.every((c) => c.test(part))) return undefined;
      params[seg.name] = part;
    }
  }
  // More request segments than the template has: no match (RoutePatternMatcher: "out of route segments").
  return parts.length <= t.segments.length ? params : undefined;
}

export interface HostMatch<F> {
  fn: F;
  params: Record<string, string>;
}

/**
 * Routes a request path (the URL's pathname, prefix included: `/api/v1/requests/r-1`) the way the host
 * does: the first function, in name order, whose template and method both match; undefined when none
 * does (the host's own 404).
 */
export function createHostRouter<F extends HostHttpFunction>(
  functions: readonly F[],
  routePrefix: string = ROUTE_PREFIX,
): (method: string, path: string) => HostMatch<F> | undefined {
  const ordered = [...functions]
    .sort((a, b) => compareFunctionNames(a.name, b.name))
    .map((fn) => ({
      fn,
      template: parseRouteTemplate(routePrefix ? `${routePrefix}/${fn.route}` : fn.route),
      methods: new Set(fn.methods.map((m) => m.toUpperCase())),
    }));
  return (method, path) => {
    const parts = tokenize(path);
    if (!parts) return undefined;
    const m = method.toUpperCase();
    for (const { fn, template, methods } of ordered) {
      if (!methods.has(m)) continue;
      const params = matchTemplate(template, parts);
      if (params) return { fn, params };
    }
    return undefined;
  };
}

/**
 * Paths the template matches, a sample value for each parameter that no literal shares: the full form
 * first, then the shorter forms that leave out trailing optional parameters or an empty catch-all.
 */
export function samplePaths(template: string, avoid: ReadonlySet<string> = new Set()): string[] {
  const fresh = (base: string) => {
    let s = base;
    for (let n = 2; avoid.has(s.toUpperCase()); n++) s = `${base}${n}`;
    return s;
  };
  const segments = parseRouteTemplate(template).segments;
  const parts = segments.map((seg) => {
    if (seg.kind === "literal") return seg.text;
    if (seg.kind === "catchAll") return `${fresh("sample")}/${fresh("rest")}`;
    return seg.constraints.reduce((v, c) => c.sample(v), fresh(`sample${seg.name}`));
  });
  const paths = [parts.join("/")];
  for (let n = segments.length - 1; n > 0; n--) {
    const seg = segments[n]!;
    if (seg.kind === "literal" || (seg.kind === "param" && !seg.optional)) break;
    paths.push(parts.slice(0, n).join("/"));
  }
  return paths;
}

/** The full form of {@link samplePaths}. */
export const samplePath = (template: string, avoid?: ReadonlySet<string>): string =>
  samplePaths(template, avoid)[0]!;

/**
 * What the host would refuse or mis-route in this set of HTTP functions: invalid or duplicate names,
 * reserved or conflicting routes, and any function that its own template (with sample values) and one
 * of its methods does not reach, because a function earlier by name takes the request. Empty when the
 * set is safe.
 */
export function hostRoutingProblems(functions: readonly HostHttpFunction[]): string[] {
  const problems: string[] = [];
  const names = new Map<string, string>();
  for (const fn of functions) {
    if (!isValidFunctionName(fn.name))
      problems.push(`"${fn.name}" is not a valid function name (${FUNCTION_NAME.source}, not "host").`);
    const seen = names.get(fn.name.toUpperCase());
    if (seen) problems.push(`"${fn.name}" and "${seen}" are one name to the host (names ignore case).`);
    names.set(fn.name.toUpperCase(), fn.name);
    const route = fn.route.replace(/^\/+|\/+$/g, "").toLowerCase();
    if (route.startsWith("admin") || route.startsWith("runtime"))
      problems.push(`"${fn.name}": routes starting with "admin" or "runtime" are the host's own.`);
    try {
      parseRouteTemplate(fn.route);
    } catch (e) {
      problems.push(`"${fn.name}": ${(e as Error).message}`);
    }
  }
  for (const [i, a] of functions.entries()) {
    for (const b of functions.slice(i + 1)) {
      const same =
        a.route.replace(/^\/+|\/+$/g, "").toUpperCase() === b.route.replace(/^\/+|\/+$/g, "").toUpperCase();
      const shared = a.methods.filter((m) => b.methods.some((n) => n.toUpperCase() === m.toUpperCase()));
      if (same && shared.length)
        problems.push(`"${a.name}" and "${b.name}" have the same route and method ${shared.join(", ")}.`);
    }
  }
  if (problems.length) return problems;
  const literals = new Set(
    functions.flatMap((fn) =>
      parseRouteTemplate(fn.route).segments.flatMap((s) =>
        s.kind === "literal" ? [s.text.toUpperCase()] : [],
      ),
    ),
  );
  const route = createHostRouter(functions);
  for (const fn of functions) {
    for (const sample of samplePaths(fn.route, literals)) {
      const path = `/${ROUTE_PREFIX}/${sample}`;
      for (const method of fn.methods) {
        const reached = route(method, path)?.fn.name;
        if (reached !== fn.name)
          problems.push(
            `${method} ${path} should reach "${fn.name}" but ${reached ? `"${reached}" takes it (it sorts first by name)` : "nothing does"}.`,
          );
      }
    }
  }
  return problems;
}

export type Resolution =
  | { kind: "match"; route: HttpRoute; params: Record<string, string> }
  | { kind: "method_not_allowed"; allow: string[] }
  | { kind: "not_found" };

/**
 * Resolves a path (without the `api/` prefix) against the table's routes with the host's rule (first
 * by name whose template and method match), and tells 404 from 405: the local host and the Azure
 * catch-all function both answer unrouted requests from it, so they agree.
 */
export function createDispatcher(routes: HttpRoute[]): (method: string, path: string) => Resolution {
  const asFunctions = routes.map((route) => ({
    name: route.name,
    route: route.path,
    methods: [route.method],
    r: route,
  }));
  const route = createHostRouter(asFunctions, "");
  const templates = asFunctions.map((f) => ({ method: f.r.method, template: parseRouteTemplate(f.route) }));
  return (method, path) => {
    const found = route(method, path);
    if (found) return { kind: "match", route: found.fn.r, params: found.params };
    const parts = tokenize(path);
    if (!parts) return { kind: "not_found" };
    const allow = new Set(templates.filter((t) => matchTemplate(t.template, parts)).map((t) => t.method));
    return allow.size ? { kind: "method_not_allowed", allow: [...allow].sort() } : { kind: "not_found" };
  };
}
