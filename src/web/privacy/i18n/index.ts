import { en, type Strings } from "./en";
import { hi } from "./hi";

export type { Strings } from "./en";

export type Language = "en" | "hi";

const strings: Record<Language, Strings> = { en, hi };

export function stringsFor(language: Language): Strings {
  return strings[language];
}

/** The page's first language: Hindi when the browser prefers it, else English (nothing is remembered). */
export function initialLanguage(): Language {
  return navigator.languages.some((l) => l.toLowerCase().startsWith("hi")) ? "hi" : "en";
}

/** BCP 47 locales for dates and numbers: Indian English, Hindi with Latin digits people read on phones. */
export const locale = (language: Language) => (language === "hi" ? "hi-IN-u-nu-latn" : "en-IN");
