import type { IncomingMessage, ServerResponse } from "node:http";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { buildWebPages, pageHeaders, WEB_PAGES, type WebPage } from "./web-pages";

const FILES: Record<string, string> = {
  "": "text/html; charset=utf-8",
  "index.html": "text/html; charset=utf-8",
  "app.js": "text/javascript; charset=utf-8",
  "app.css": "text/css; charset=utf-8",
};

/**
 * Serves the two pages at /privacy/ and /console/ on the local host, on the API's own origin (so the pages'
 * fetches are same-origin here, as they are cross-origin to a listed origin in Azure). The pages are built on
 * first ask, into `dir`, so a test host that never opens a page never builds one. Answers only what the
 * build wrote; a path it does not know is 404, never a file read from elsewhere.
 */
export function createPageServer(dir: string, apiBase = "/api") {
  let built: Promise<unknown> | undefined;
  const headers = pageHeaders(apiBase);
  const pattern = new RegExp(`^/(${WEB_PAGES.join("|")})(/([a-z.]*))?$`);
  return {
    /** Builds now (npm start does, so the first visitor does not wait). */
    prepare: () => (built ??= buildWebPages(dir, apiBase)),
    /** Is this path one of the pages' (answered by `handle`, never by the API)? */
    owns: (pathname: string) => pattern.test(pathname),
    async handle(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
      const match = pattern.exec(pathname);
      if (!match) return;
      const page = match[1] as WebPage;
      const file = match[3];
      const method = (req.method ?? "GET").toUpperCase();
      if (file === undefined) {
        res.writeHead(308, { location: `/${page}/`, "content-length": 0 });
        res.end();
        return;
      }
      const type = Object.hasOwn(FILES, file) ? FILES[file] : undefined;
      if (method !== "GET" && method !== "HEAD") {
        res.writeHead(405, { allow: "GET, HEAD", "content-length": 0, ...headers });
        res.end();
        return;
      }
      if (type === undefined) {
        const body = "Not found";
        res.writeHead(404, {
          "content-type": "text/plain; charset=utf-8",
          "content-length": body.length,
          ...headers,
        });
        res.end(body);
        return;
      }
      try {
        await (built ??= buildWebPages(dir, apiBase));
        const body = await readFile(join(dir, page, file || "index.html"));
        res.writeHead(200, { ...headers, "content-type": type, "content-length": body.length });
        res.end(method === "HEAD" ? undefined : body);
      } catch (e) {
        built = undefined;
        const body = "The page could not be built: see the host's log.";
        console.error(JSON.stringify({ level: "error", event: "web_build_failed", message: String(e) }));
        res.writeHead(500, { "content-type": "text/plain; charset=utf-8", "content-length": body.length });
        res.end(body);
      }
    },
  };
}

export type PageServer = ReturnType<typeof createPageServer>;
