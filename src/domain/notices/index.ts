/**
 * The words the service sends to people, as templates per language (en.ts, hi.ts, … registered in
 * registry.ts). Plain language; every notice to a requester ends with the Grievance Officer / DPO
 * contact (DPDP Rules 2025 Rule 9; Act s.8(9)) and says what the person can do next, including the
 * Data Protection Board of India where it applies (rejections, resolved grievances, overdue answers).
 * The language follows the request's `language` field; anything we do not write yet gets English.
 */
import { DEFAULT_LANGUAGE, languagePacks } from "./registry";
import { staffTemplates } from "./staff";
import type {
  LanguagePack,
  NoticeHelpers,
  NoticeParts,
  NoticeTemplate,
  RequesterNotice,
  RequesterNoticeData,
  RequesterTemplateName,
  StaffNotice,
  StaffNoticeData,
  StaffTemplateName,
  TemplateRenderers,
} from "./types";

export type {
  LanguagePack,
  NoticeParts,
  NoticeTemplate,
  RequesterNotice,
  RequesterNoticeData,
  RequesterTemplateName,
  StaffNotice,
  StaffTemplateName,
  TemplateName,
} from "./types";
export { DEFAULT_LANGUAGE, languagePacks } from "./registry";

export interface NoticeContext {
  dpoContact: string;
  /** The request's `language` ("hi", "hi-IN", "EN"…); unknown or absent: English. */
  language?: string;
}

export interface RenderedNotice {
  subject: string;
  text: string;
  /** The language the notice was written in (the request's, or the fallback). */
  language: string;
}

/** The language codes notices are written in ("en", "hi", …), from the registry. */
export const noticeLanguages: readonly string[] = languagePacks.map((p) => p.code);

/** The staff alerts (English only, see staff.ts). */
export const staffTemplateNames = Object.keys(staffTemplates) as StaffTemplateName[];

const packByCode = new Map(languagePacks.map((p) => [p.code, p]));

/** "hi-IN" → the Hindi pack; "xx" or undefined → English. */
export function languagePack(language: string | undefined): LanguagePack {
  const tag = (language ?? "").trim().toLowerCase();
  const primary = tag.split(/[-_]/)[0] ?? "";
  return packByCode.get(tag) ?? packByCode.get(primary) ?? packByCode.get(DEFAULT_LANGUAGE)!;
}

const isStaff = (n: NoticeTemplate): n is StaffNotice => Object.hasOwn(staffTemplates, n.template);

/** One per locale, made once: building an Intl formatter costs far more than formatting with it. */
const helpersByLocale = new Map<string, NoticeHelpers>();

function helpers(locale: string): NoticeHelpers {
  const made = helpersByLocale.get(locale);
  if (made) return made;
  const format = new Intl.DateTimeFormat(locale, { dateStyle: "long", timeZone: "Asia/Kolkata" });
  const h: NoticeHelpers = {
    date(iso) {
      const t = Date.parse(iso);
      return Number.isNaN(t) ? iso : format.format(new Date(t));
    },
  };
  helpersByLocale.set(locale, h);
  return h;
}

/** Calls the renderer of one template with its own data type (a correlated lookup TypeScript can check). */
function call<D, K extends keyof D>(
  renderers: TemplateRenderers<D>,
  template: K,
  data: D[K],
  h: NoticeHelpers,
) {
  return renderers[template](data, h);
}

const join = (p: NoticeParts, ...more: string[]) => [p.body, p.next, ...more].filter(Boolean).join("\n\n");

/**
 * Renders a notice. Requester notices in the request's language, always with the DPO contact (a notice
 * without it is refused: a bug in a language file must not reach a person); staff alerts in English.
 */
export function renderNotice(n: NoticeTemplate, ctx: NoticeContext): RenderedNotice {
  if (isStaff(n)) {
    const parts = call<StaffNoticeData, StaffTemplateName>(staffTemplates, n.template, n, helpers("en-IN"));
    return { subject: parts.subject, text: join(parts), language: "en" };
  }
  const pack = languagePack(ctx.language);
  const notice: RequesterNotice = n;
  const parts = call<RequesterNoticeData, RequesterTemplateName>(
    pack.templates,
    notice.template,
    notice,
    helpers(pack.locale),
  );
  const text = join(parts, pack.footer(ctx.dpoContact));
  if (!ctx.dpoContact || !text.includes(ctx.dpoContact)) {
    throw new Error(`notice ${n.template} (${pack.code}) does not carry the DPO contact`);
  }
  return { subject: parts.subject, text, language: pack.code };
}
