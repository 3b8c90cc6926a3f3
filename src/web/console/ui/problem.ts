import type { Problem } from "../../shared/api";

/**
 * What to tell a member of staff about a refused call: the API's own sentence where it wrote one for
 * people (400/409/422 details name the rule), a plain one otherwise; never a status code or a stack.
 */
export function problemMessage(p: Problem): string {
  if (p.status === 0) return "The service could not be reached. Check the connection and try again.";
  if (p.status === 401) return "Your sign-in has ended. Sign in again.";
  if (p.status === 403) return "Your role may not do this.";
  if (p.status === 404) return "Not found: it may have been removed, or it is not visible to your role.";
  if (p.status === 429)
    return `Too many attempts for now${p.retryAfterSeconds ? `: try again in ${Math.ceil(p.retryAfterSeconds / 60)} min` : ""}.`;
  if (p.status >= 500) return "Something went wrong on our side. Nothing was changed; try again shortly.";
  return p.detail ?? p.title ?? "The service refused this.";
}

/** A field's name as the form knows it: `body.reason` and `reason` are the same field. */
export const fieldKey = (field: string) => field.replace(/^(body|query|path)\./, "");
