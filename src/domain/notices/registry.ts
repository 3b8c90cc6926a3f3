import { en } from "./en";
import { hi } from "./hi";
import type { LanguagePack } from "./types";

/**
 * Every language notices are written in. Adding a language is adding a file beside en.ts (a
 * LanguagePack: TypeScript refuses it until every template is there) and its line here;
 * test/unit/notices.test.ts fails when a language file in this folder is not listed.
 */
export const languagePacks: readonly LanguagePack[] = [en, hi];

/** The fallback for a request without a language, or in one we do not write yet. */
export const DEFAULT_LANGUAGE = "en";
