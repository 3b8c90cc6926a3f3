import { resolve } from "node:path";
import { buildWebPages } from "../src/local/web-pages";

/**
 * `npm run build` (after tsc): the privacy center and the staff console into dist/web/. WEB_API_BASE_URL is
 * where the pages find the API: `/api` (same origin, the default) or the Function App's https URL + /api
 * (the azd hook sets it: docs/web-hosting.md).
 */
const apiBase = process.env.WEB_API_BASE_URL ?? "/api";
if (
  apiBase !== "/api" &&
  !/^https:\/\/[^/]+\/api$/.test(apiBase) &&
  !/^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?\/api$/.test(apiBase)
) {
  console.error(`WEB_API_BASE_URL must be /api or https://<host>/api (got ${JSON.stringify(apiBase)})`);
  process.exit(1);
}
buildWebPages(resolve(__dirname, "../dist/web"), apiBase).then(
  (files) => console.log(`web pages: ${files.length} files in dist/web (API at ${apiBase})`),
  (e: unknown) => {
    console.error(`web pages could not be built: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
