import type { HttpRoute } from "./route";

export type Resolution =
  | { kind: "match"; route: HttpRoute; params: Record<string, string> }
  | { kind: "method_not_allowed"; allow: string[] }
  | { kind: "not_found" };

type Segment = { literal: string } | { param: string; rest: boolean };

function compile(path: string): Segment[] {
  return path
    .split("/")
    .filter(Boolean)
    .map((s) => {
      const m = /^\{(\*)?([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(s);
      return m?.[2] ? { param: m[2], rest: Boolean(m[1]) } : { literal: s };
    });
}

function match(segments: Segment[], parts: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    if ("literal" in seg) {
      if (parts[i] !== seg.literal) return undefined;
    } else if (seg.rest) {
      params[seg.param] = parts.slice(i).join("/");
      return params;
    } else {
      const part = parts[i];
      if (part === undefined || part === "") return undefined;
      params[seg.param] = part;
    }
  }
  return parts.length === segments.length ? params : undefined;
}

/** Literal segments outrank parameters, as in the Functions host's routing. */
const specificity = (segments: Segment[]) => segments.reduce((n, s) => n * 2 + ("literal" in s ? 1 : 0), 1);

/**
 * Routes a path (without the `api/` prefix) the way the Functions host does, and tells 404 from 405:
 * the local host routes with it, and the Azure catch-all function answers unknown routes with it.
 */
export function createDispatcher(routes: HttpRoute[]): (method: string, path: string) => Resolution {
  const compiled = routes
    .map((route) => ({ route, segments: compile(route.path) }))
    .sort((a, b) => specificity(b.segments) - specificity(a.segments));
  return (method, path) => {
    let parts: string[];
    try {
      parts = path.split("/").filter(Boolean).map(decodeURIComponent);
    } catch {
      return { kind: "not_found" };
    }
    const allow = new Set<string>();
    for (const { route, segments } of compiled) {
      if (segments.length > parts.length && !segments.some((s) => "param" in s && s.rest)) continue;
      const params = match(segments, parts);
      if (!params) continue;
      if (route.method === method.toUpperCase()) return { kind: "match", route, params };
      allow.add(route.method);
    }
    return allow.size ? { kind: "method_not_allowed", allow: [...allow].sort() } : { kind: "not_found" };
  };
}
