import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { build } from "esbuild";

/**
 * The two web pages (the public privacy center and the staff console): static files built from src/web by
 * esbuild, one script and one stylesheet each, no third-party code at run time. The same build serves the
 * local host (src/local/http-server.ts) and a deployment (`npm run build` → dist/web, uploaded by the azd
 * hook: docs/web-hosting.md).
 */
export const WEB_PAGES = ["privacy", "console"] as const;
export type WebPage = (typeof WEB_PAGES)[number];

const SOURCE_DIR = resolve(__dirname, "../web");

/** Where the pages find the API: `/api` on the same origin locally, the Function App's URL in Azure. */
export function apiOrigin(apiBase: string): string | undefined {
  return /^https?:\/\//i.test(apiBase) ? new URL(apiBase).origin : undefined;
}

/**
 * The pages' Content-Security-Policy: their own script and stylesheet only, fetch to the API only, nothing
 * inline, nothing framed. A static host that cannot send headers gets it from the `<meta>` (which cannot
 * carry `frame-ancestors`; the pages also refuse to run framed: src/web/shared/frame-guard.ts).
 */
export function contentSecurityPolicy(apiBase: string, { asHeader }: { asHeader: boolean }): string {
  const api = apiOrigin(apiBase);
  const directives = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self'${api ? ` ${api}` : ""}`,
    "form-action 'none'",
    "base-uri 'none'",
    "manifest-src 'none'",
  ];
  if (asHeader) directives.push("frame-ancestors 'none'");
  return directives.join("; ");
}

/** Headers the local host sends with every page file (a static host that can send headers sends the same). */
export function pageHeaders(apiBase: string): Record<string, string> {
  return {
    "content-security-policy": contentSecurityPolicy(apiBase, { asHeader: true }),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "cache-control": "no-cache",
  };
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
}

/** Builds both pages into `outDir/<page>/` (index.html, app.js, app.css); returns the files written. */
export async function buildWebPages(outDir: string, apiBase = "/api"): Promise<string[]> {
  const written: string[] = [];
  for (const page of WEB_PAGES) {
    const target = join(outDir, page);
    await mkdir(target, { recursive: true });
    await build({
      entryPoints: [join(SOURCE_DIR, page, "app.ts"), join(SOURCE_DIR, page, "app.css")],
      outdir: target,
      entryNames: "[name]",
      bundle: true,
      minify: true,
      format: "esm",
      target: ["es2022"],
      platform: "browser",
      legalComments: "none",
      logLevel: "silent",
      tsconfig: join(SOURCE_DIR, "tsconfig.json"),
    });
    const html = (await readFile(join(SOURCE_DIR, page, "index.html"), "utf8"))
      .replace("%CSP%", escapeAttribute(contentSecurityPolicy(apiBase, { asHeader: false })))
      .replace("%API_BASE%", escapeAttribute(apiBase));
    await writeFile(join(target, "index.html"), html);
    written.push(join(target, "index.html"), join(target, "app.js"), join(target, "app.css"));
  }
  return written;
}
