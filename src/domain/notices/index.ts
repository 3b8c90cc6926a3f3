/**
 * The words the service sends to people, as templates per language (en.ts, hi.ts, … registered in
 * registry.ts). Plain language; every notice to a requester ends with the Grievance Officer / DPO
 * contact (DPDP Rules 2025 Rule 9; Act s.8(9)) and says what the person can do next, including the
 * Data Protection Board of India where it applies (rejections, resolved grievances, overdue answers).
 * The language follows the request's `language` field; anything we do not write yet gets English.
 * Every sentence that sends people to the Board carries its published channel (DPB_CONTACT). What to
 * know to add a language, and why each rule holds: docs/notices.md.
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
  TypedText,
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
  BreachTexts,
  NoticeReason,
  ReasonCode,
  TypedText,
} from "./types";
export { REASON_CODES } from "./types";
export { DEFAULT_LANGUAGE, languagePacks } from "./registry";

export interface NoticeContext {
  dpoContact: string;
  /** The Data Protection Board's published channel (DPB_CONTACT); required by every notice naming the Board. */
  boardContact: string;
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
const formats = new Map<string, { date: Intl.DateTimeFormat; names: Intl.DisplayNames }>();

function formatsOf(locale: string) {
  let made = formats.get(locale);
  if (!made) {
    made = {
      date: new Intl.DateTimeFormat(locale, { dateStyle: "long", timeZone: "Asia/Kolkata" }),
      names: new Intl.DisplayNames(locale, { type: "language", fallback: "code" }),
    };
    formats.set(locale, made);
  }
  return made;
}

const primaryTag = (language: string) => language.trim().toLowerCase().split(/[-_]/)[0] ?? "";

/** The helpers one language's templates write with: its dates, its reasons, its labels, the Board's channel. */
export function noticeHelpers(pack: LanguagePack, boardContact: string): NoticeHelpers {
  const f = formatsOf(pack.locale);
  const isReaderLanguage = (language: string) => primaryTag(language) === pack.code;
  const languageName = (language: string) => f.names.of(primaryTag(language) || language) ?? language;
  const typed = (t: TypedText) =>
    isReaderLanguage(t.language) ? t.text : pack.otherLanguage(t.text, languageName(t.language));
  return {
    date(iso) {
      const t = Date.parse(iso);
      return Number.isNaN(t) ? iso : f.date.format(new Date(t));
    },
    reason: (r) => ("code" in r ? pack.reasons[r.code] : typed(r)),
    typed,
    isReaderLanguage,
    languageName,
    board: boardContact,
  };
}

const staffHelpers = (): NoticeHelpers => noticeHelpers(packByCode.get(DEFAULT_LANGUAGE)!, "");

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
    const parts = call<StaffNoticeData, StaffTemplateName>(staffTemplates, n.template, n, staffHelpers());
    return { subject: parts.subject, text: join(parts), language: "en" };
  }
  return renderIn(languagePack(ctx.language), n, ctx);
}

/**
 * A requester notice in one given language, with the same checks: the registry's languages through
 * renderNotice, a language file not registered yet (its tests, before its registry line) directly.
 */
export function renderIn(pack: LanguagePack, notice: RequesterNotice, ctx: NoticeContext): RenderedNotice {
  const parts = call<RequesterNoticeData, RequesterTemplateName>(
    pack.templates,
    notice.template,
    notice,
    noticeHelpers(pack, ctx.boardContact),
  );
  let text = join(parts, pack.footer(ctx.dpoContact));
  if (!ctx.dpoContact || !text.includes(ctx.dpoContact)) {
    throw new Error(`notice ${notice.template} (${pack.code}) does not carry the DPO contact`);
  }
  // Told to go to the Board, a person is told how to reach it (DPDP Act s.13(3); the Board works online).
  // The templates give the channel wherever they name the Board (test/unit/notices.test.ts); words staff typed
  // may name it too (a reply pointing to the Board), and then the channel is added rather than the notice lost:
  // by then the reply is recorded, and refusing to send it would leave the person without it.
  if (text.includes(pack.boardName)) {
    if (!ctx.boardContact)
      throw new Error(`notice ${notice.template} (${pack.code}) names the Board without its contact`);
    if (!text.includes(ctx.boardContact)) text = `${text}\n\n${pack.boardName}: ${ctx.boardContact}`;
  }
  return { subject: parts.subject, text, language: pack.code };
}
