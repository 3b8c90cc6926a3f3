import { escapeHtml } from "../../domain/html";
import { z } from "zod";
import { DomainError } from "../../domain/errors";
import { problemTypeBySlug } from "../problem-types";
import { Problem } from "../schemas/problem";
import { route } from "../route";

/** `code` spans for the backticked words of a description: the only markup it has. */
const prose = (s: string) => escapeHtml(s).replace(/`([^`]+)`/g, "<code>$1</code>");

const page = (t: { slug: string; title: string; status: number; description: string }) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(t.title)} (${t.status}) · dpdp-rights</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#222}code{background:#f3f3f3;padding:0 .2em}</style>
</head>
<body>
<h1>${escapeHtml(t.title)}</h1>
<p>HTTP status ${t.status}. Problem type <code>${escapeHtml(t.slug)}</code> of the dpdp-rights API (RFC 9457 problem details).</p>
<p>${prose(t.description)}</p>
</body>
</html>
`;

/**
 * The page each problem `type` URI resolves to (src/http/problem-types.ts). Static HTML: no script may
 * run (CSP default-src 'none', only the inline style), and it may be cached like any published page.
 */
export const problemTypeRoute = route({
  name: "problemType",
  method: "GET",
  path: "problems/{slug}",
  summary: "What a problem type means and what to do: the page its `type` URI names",
  access: "public",
  // Letters and hyphens: a name, never a number or an address (no personal data in URLs).
  params: z
    .object({
      slug: z
        .string()
        .max(100)
        .regex(/^[a-z]+(-[a-z]+)*$/, "a problem type's name, such as not-found"),
    })
    .strict(),
  responses: {
    200: { description: "The problem type's page", contentType: "text/html; charset=utf-8" },
    404: { description: "No such problem type", schema: Problem },
  },
  async handler({ params }) {
    const type = problemTypeBySlug(params.slug);
    if (!type) throw new DomainError("not_found", "No such problem type.");
    return {
      status: 200,
      headers: {
        "content-type": "text/html; charset=utf-8",
        "content-security-policy":
          "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        "cache-control": "public, max-age=86400",
      },
      body: page(type),
    };
  },
});
