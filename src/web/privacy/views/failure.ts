import type { Problem } from "../../shared/api";
import type { Strings } from "../i18n";

/**
 * A problem without a field to show it beside, in the page's words: never the raw problem, a status code
 * or a stack. A rate limit says when to come back.
 */
export function failureMessage(t: Strings, problem: Problem): string {
  if (problem.status === 0) return t.unreachable;
  if (problem.status === 429)
    return t.tooMany(Math.max(1, Math.ceil((problem.retryAfterSeconds ?? 600) / 60)));
  if (problem.status >= 400 && problem.status < 500) return t.checkForm;
  return t.unexpected;
}
