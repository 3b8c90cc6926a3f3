import type { Language, Strings } from "./i18n";
import type { ConsentPurpose, Policy } from "./types";

/** What every view needs: the language and its words, the policy in that language, where to draw. */
export interface Context {
  language: Language;
  t: Strings;
  /** GET v1/policy in the page's language; undefined when the service could not be reached. */
  policy: Policy | undefined;
  /** GET v1/consent-notices (labels per language). */
  purposes: ConsentPurpose[];
  main: HTMLElement;
  /** Draw the page again for the handle held now (after filing, verifying, forgetting). */
  refresh(): void;
}

/** The policy's label of a request kind in the page's language, or the kind itself when unreachable. */
export function kindLabel(ctx: Context, kind: string): string {
  return ctx.policy?.requests.find((r) => r.kind === kind)?.label ?? kind;
}

export function purposeLabel(ctx: Context, purpose: string): string {
  const p = ctx.purposes.find((x) => x.purpose === purpose);
  return p?.label[ctx.language] ?? p?.label.en ?? purpose;
}
