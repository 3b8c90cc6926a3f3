import { randomUUID } from "node:crypto";
import { canonicalJson, open, seal, sha256 } from "../../domain/crypto";
import { addDuration } from "../../domain/duration";
import { conflict, type FieldError, forbidden, invalid } from "../../domain/errors";
import { type BreachTexts, languagePack, noticeLanguages, renderNotice } from "../../domain/notices";
import type { Actor } from "../../domain/requests/model";
import { keyedHash, normaliseWhatsAppNumber } from "../../domain/subject";
import type { Caller } from "../caller";
import { platformRecords } from "../stores";
import type { AppContext } from "../context";
import { AuditLog } from "../audit";
import { actorOf, alertPrivacyOfficer } from "../requests";
import {
  BREACH_REMINDER_HOURS,
  type BreachDoc,
  type BreachTextsDoc,
  breachPartition,
  BreachStore,
  type SealedContact,
} from "./model";

/** Recording breaches is the privacy officer's (Grievance Officer / DPO) task. */
function requireOfficer(caller: Caller): Extract<Caller, { kind: "staff" }> {
  if (caller.kind !== "staff" || caller.role !== "privacy_officer") throw forbidden();
  return caller;
}

/** The four Rule 7(1) texts of a notice, as the register's English fields name them. */
export interface BreachTextsInput {
  nature: string;
  likelyConsequences: string;
  measuresTaken: string;
  safetySteps: string;
}

export interface BreachInput extends BreachTextsInput {
  discoveredAt: string;
  occurredAt?: string;
  cause?: string;
  dataCategories: string[];
  tenantsAffected: string[];
  principalsAffected: {
    estimated: number;
    contacts?: (({ email: string } | { phone: string }) & { language?: string })[];
  };
  /** The four texts in other languages than English, by notice language code ("hi"). */
  texts?: Record<string, BreachTextsInput>;
}

/**
 * A language the four texts may be given in besides English (the top-level fields, which the Board
 * report quotes): one notices are written in, so a reader of it gets them.
 */
function textLanguageErrors(language: string, field: string): FieldError[] {
  if (language === "en")
    return [{ field, message: "English is the breach's own fields (nature, likelyConsequences, …)" }];
  if (!noticeLanguages.includes(language))
    return [{ field, message: `not a language notices are written in (${noticeLanguages.join(", ")})` }];
  return [];
}

const textsDoc = (t: BreachTextsInput, at: Date): BreachTextsDoc => ({
  nature: t.nature,
  likelyConsequences: t.likelyConsequences,
  measuresTaken: t.measuresTaken,
  safetySteps: t.safetySteps,
  writtenAt: at.toISOString(),
});

const reminderMessageId = (id: string, hours: number) => `breach-reminder:${id}:${hours}`;

/**
 * POST /breaches: the breach recorded with its clocks (Board report 72 hours and CERT-In 6 hours
 * from discovery), reminders scheduled at 24 and 48 hours on `request-timers`. Everything is checked
 * before anything is written or scheduled: a refused breach leaves nothing behind.
 */
export async function registerBreach(
  app: AppContext,
  caller: Caller,
  input: BreachInput,
): Promise<BreachDoc> {
  const officer = requireOfficer(caller);
  const now = app.ports.clock.now();
  const errors: FieldError[] = [];
  const discovered = new Date(input.discoveredAt);
  if (discovered.getTime() > now.getTime())
    errors.push({ field: "discoveredAt", message: "is in the future" });
  if (input.occurredAt && Date.parse(input.occurredAt) > discovered.getTime())
    errors.push({ field: "occurredAt", message: "must not be after discoveredAt" });
  const known = new Set(app.inventory.map((e) => e.category));
  input.dataCategories.forEach((c, i) => {
    if (!known.has(c))
      errors.push({ field: `dataCategories.${i}`, message: `not a category of the data inventory: ${c}` });
  });
  const contacts: { channel: "email" | "whatsapp"; address: string; language?: string }[] = [];
  (input.principalsAffected.contacts ?? []).forEach((c, i) => {
    const language = c.language ? { language: c.language } : {};
    if (c.language && !noticeLanguages.includes(c.language))
      errors.push({
        field: `principalsAffected.contacts.${i}.language`,
        message: `not a language notices are written in (${noticeLanguages.join(", ")})`,
      });
    if ("email" in c) contacts.push({ channel: "email", address: c.email.trim().toLowerCase(), ...language });
    else {
      const e164 = normaliseWhatsAppNumber(c.phone);
      if (!e164)
        errors.push({ field: `principalsAffected.contacts.${i}.phone`, message: "not a valid phone number" });
      else contacts.push({ channel: "whatsapp", address: e164, ...language });
    }
  });
  for (const language of Object.keys(input.texts ?? {}))
    errors.push(...textLanguageErrors(language, `texts.${language}`));
  if (errors.length) throw invalid("The breach is invalid.", errors);

  const sealed = new Map<string, SealedContact>();
  for (const c of contacts) {
    const hash = keyedHash(app.keys.hash, `${c.channel}:${c.address}`);
    if (!sealed.has(hash))
      sealed.set(hash, {
        channel: c.channel,
        sealed: seal(app.keys.seal, c.address),
        hash,
        ...(c.language ? { language: c.language } : {}),
      });
  }
  const id = `b-${randomUUID()}`;
  const boardDueAt = app.policy.deadline(discovered, "breachBoardReport");
  const reminders: BreachDoc["reminders"] = [];
  for (const hours of BREACH_REMINDER_HOURS) {
    const at = addDuration(discovered, `PT${hours}H`);
    if (at.getTime() >= boardDueAt.getTime()) continue;
    if (at.getTime() <= now.getTime()) {
      reminders.push({ hours, at: at.toISOString(), skipped: true });
      continue;
    }
    const ticket = await app.ports.scheduler.schedule({
      queue: "request-timers",
      messageId: reminderMessageId(id, hours),
      body: { type: "breach_reminder", breachId: id, hours },
      deliverAt: at,
    });
    reminders.push({ hours, at: at.toISOString(), ticket });
  }
  const doc: BreachDoc = {
    id,
    pk: breachPartition(id),
    docType: "breach",
    state: "open",
    discoveredAt: discovered.toISOString(),
    ...(input.occurredAt ? { occurredAt: new Date(input.occurredAt).toISOString() } : {}),
    registeredAt: now.toISOString(),
    registeredBy: actorOf(app, officer),
    nature: input.nature,
    ...(input.cause ? { cause: input.cause } : {}),
    dataCategories: [...new Set(input.dataCategories)],
    tenantsAffected: [...new Set(input.tenantsAffected)],
    principals: { estimated: input.principalsAffected.estimated, contacts: [...sealed.values()] },
    likelyConsequences: input.likelyConsequences,
    measuresTaken: input.measuresTaken,
    safetySteps: input.safetySteps,
    ...(input.texts && Object.keys(input.texts).length
      ? {
          texts: Object.fromEntries(
            Object.entries(input.texts).map(([language, t]) => [language, textsDoc(t, now)]),
          ),
        }
      : {}),
    boardDueAt: boardDueAt.toISOString(),
    certInDueAt: app.policy.deadline(discovered, "breachCertInReport").toISOString(),
    reminders,
    version: 1,
  };
  const created = await new BreachStore(app).create(doc);
  await new AuditLog(app).append(id, {
    actor: created.registeredBy,
    action: "register_breach",
    data: {
      dataCategories: created.dataCategories,
      tenants: created.tenantsAffected.length,
      principalsEstimated: created.principals.estimated,
      contacts: created.principals.contacts.length,
      boardDueAt: created.boardDueAt,
      textLanguages: Object.keys(created.texts ?? {}),
    },
  });
  return created;
}

export async function getBreach(app: AppContext, caller: Caller, id: string): Promise<BreachDoc> {
  requireOfficer(caller);
  return new BreachStore(app).get(id);
}

export async function listBreaches(app: AppContext, caller: Caller, openOnly: boolean): Promise<BreachDoc[]> {
  requireOfficer(caller);
  return new BreachStore(app).list({ openOnly });
}

/**
 * POST /breaches/{id}/board-report: the detailed report was filed with the Board (its reference kept);
 * the reminders still waiting are cancelled (a failed cancel is fine: the handler re-reads and stops).
 */
export async function recordBoardReport(
  app: AppContext,
  caller: Caller,
  id: string,
  input: { reference: string; reportedAt?: string },
): Promise<BreachDoc> {
  const officer = requireOfficer(caller);
  const now = app.ports.clock.now();
  const reportedAt = input.reportedAt ? new Date(input.reportedAt) : now;
  const store = new BreachStore(app);
  const current = await store.get(id);
  if (current.state === "reported")
    throw conflict(
      `The breach was reported to the Board on ${current.board?.reportedAt ?? "an earlier date"}.`,
      {
        state: current.state,
      },
    );
  if (reportedAt.getTime() > now.getTime() || reportedAt.getTime() < Date.parse(current.discoveredAt))
    throw invalid("The report date is invalid.", [
      { field: "reportedAt", message: "must be between the discovery and now" },
    ]);
  const actor: Actor = actorOf(app, officer);
  const { after } = await store.update(id, (doc) => {
    if (doc.state === "reported")
      throw conflict("The breach was reported to the Board already.", { state: doc.state });
    doc.state = "reported";
    doc.board = { reportedAt: reportedAt.toISOString(), reference: input.reference, by: actor };
    return doc;
  });
  for (const r of after.reminders) {
    if (r.ticket && !r.sentAt)
      await app.ports.scheduler.cancel("request-timers", r.ticket).catch(() => "not_found");
  }
  await new AuditLog(app).append(id, {
    actor,
    action: "board_report_filed",
    data: {
      reportedAt: after.board!.reportedAt,
      withinDeadline: Date.parse(after.board!.reportedAt) <= Date.parse(after.boardDueAt),
      referenceHash: keyedHash(app.keys.hash, `board-reference:${input.reference}`),
    },
  });
  return after;
}

async function ownerOf(
  app: AppContext,
  tenantId: string,
): Promise<{ address: string; language: string } | undefined> {
  const entry = app.inventory.find((e) => e.category === "account");
  if (!entry || entry.store.kind !== "cosmos") return undefined;
  const read = await platformRecords(app, entry).read<{
    id: string;
    ownerEmail?: unknown;
    language?: unknown;
  }>(tenantId, tenantId);
  const email = read?.doc.ownerEmail;
  if (typeof email !== "string" || !email.includes("@")) return undefined;
  return {
    address: email.toLowerCase(),
    language: typeof read?.doc.language === "string" ? read.doc.language : "en",
  };
}

export interface NoticeRun {
  sent: number;
  principals: number;
  owners: number;
  alreadyNotified: number;
  /** Could not be sent now; a later run tries them again. */
  failed: number;
  /** Affected tenants without a registered owner address (the account is gone, say). */
  tenantsWithoutAddress: number;
}

/**
 * POST /breaches/{id}/notices: the breach notice (Rule 7(1), in plain language: what happened, likely
 * consequences, measures taken, safety steps, the Grievance Officer's contact) to every affected
 * principal whose address was recorded and to the owner of every affected account. Run again, it
 * notifies only addresses not notified before (say, contacts added by a later registration).
 */
export async function sendBreachNotices(
  app: AppContext,
  caller: Caller,
  id: string,
): Promise<{ breach: BreachDoc; run: NoticeRun }> {
  const officer = requireOfficer(caller);
  const store = new BreachStore(app);
  const breach = await store.get(id);
  const done = new Set(breach.notices?.notifiedHashes ?? []);
  const targets: {
    channel: "email" | "whatsapp";
    address: string;
    hash: string;
    language: string;
    owner: boolean;
  }[] = [];
  for (const c of breach.principals.contacts) {
    // Erased after its retention period (breachContacts): nobody left to reach at that address.
    if (c.sealed === undefined) continue;
    targets.push({
      channel: c.channel,
      address: open(app.keys.seal, c.sealed),
      hash: c.hash,
      language: c.language ?? "en",
      owner: false,
    });
  }
  let tenantsWithoutAddress = 0;
  for (const tenantId of breach.tenantsAffected) {
    const owner = await ownerOf(app, tenantId);
    if (!owner) {
      tenantsWithoutAddress++;
      continue;
    }
    targets.push({
      channel: "email",
      address: owner.address,
      hash: keyedHash(app.keys.hash, `email:${owner.address}`),
      language: owner.language,
      owner: true,
    });
  }
  const run: NoticeRun = {
    sent: 0,
    principals: 0,
    owners: 0,
    alreadyNotified: 0,
    failed: 0,
    tenantsWithoutAddress,
  };
  const sentHashes: string[] = [];
  /** Readers whose language the register has no texts in, by language: the officer is told after the run. */
  const untranslated = new Map<string, number>();
  const now = app.ports.clock.now().toISOString();
  for (const t of targets) {
    if (done.has(t.hash) || sentHashes.includes(t.hash)) {
      run.alreadyNotified++;
      continue;
    }
    const reader = languagePack(t.language).code;
    const texts = breachTextsFor(breach, reader);
    const notice = renderNotice(
      { template: "breach_notice", breachId: breach.id, discoveredAt: breach.discoveredAt, texts },
      { dpoContact: app.settings.dpoContact, boardContact: app.settings.boardContact, language: reader },
    );
    try {
      await app.ports.notifier.send({
        id: randomUUID(),
        channel: t.channel,
        to: t.address,
        language: notice.language,
        template: "breach_notice",
        subject: notice.subject,
        text: notice.text,
        createdAt: now,
      });
    } catch {
      // Not recorded as notified: the next run sends it again.
      run.failed++;
      continue;
    }
    sentHashes.push(t.hash);
    if (texts.language !== reader) untranslated.set(reader, (untranslated.get(reader) ?? 0) + 1);
    run.sent++;
    if (t.owner) run.owners++;
    else run.principals++;
  }
  let after = breach;
  if (run.sent > 0) {
    ({ after } = await store.update(id, (doc) => {
      const prev = doc.notices;
      doc.notices = {
        lastSentAt: now,
        principalsNotified: (prev?.principalsNotified ?? 0) + run.principals,
        ownersNotified: (prev?.ownersNotified ?? 0) + run.owners,
        notifiedHashes: [...new Set([...(prev?.notifiedHashes ?? []), ...sentHashes])],
      };
      return doc;
    }));
  }
  await new AuditLog(app).append(id, {
    actor: actorOf(app, officer),
    action: "notify_principals",
    data: { ...run, ...(untranslated.size ? { untranslated: Object.fromEntries(untranslated) } : {}) },
  });
  for (const [language, readers] of untranslated) {
    await alertPrivacyOfficer(app, {
      template: "breach_texts_missing",
      breachId: id,
      language,
      readers,
      usedLanguage: "en",
    });
  }
  return { breach: after, run };
}

/**
 * The four texts for a reader of `language`: theirs when the register has them, else English (the notice
 * then says so, and the run alerts the privacy officer).
 */
export function breachTextsFor(breach: BreachDoc, language: string): BreachTexts {
  const own = language === "en" ? undefined : breach.texts?.[language];
  const t = own ?? breach;
  return {
    language: own ? language : "en",
    nature: t.nature,
    consequences: t.likelyConsequences,
    measures: t.measuresTaken,
    safetySteps: t.safetySteps,
  };
}

/**
 * POST /breaches/{id}/texts/{language}: the four texts written (or rewritten) in one more language, so the
 * notices to its readers give them; English stays the breach's own fields, which the Board report quotes.
 */
export async function writeBreachTexts(
  app: AppContext,
  caller: Caller,
  id: string,
  language: string,
  input: BreachTextsInput,
): Promise<BreachDoc> {
  const officer = requireOfficer(caller);
  const errors = textLanguageErrors(language, "language");
  if (errors.length) throw invalid("These texts cannot be stored.", errors);
  const now = app.ports.clock.now();
  const written = textsDoc(input, now);
  const { before, after } = await new BreachStore(app).update(id, (doc) => {
    doc.texts = { ...doc.texts, [language]: written };
    return doc;
  });
  // The trail fixes what each language was told: a rewrite after notices went out shows as a new hash
  // beside the old one, never as a text silently changed.
  const previous = before.texts?.[language];
  await new AuditLog(app).append(id, {
    actor: actorOf(app, officer),
    action: "breach_texts",
    data: {
      language,
      replaced: Boolean(previous),
      textsSha256: sha256(canonicalJson(written)),
      ...(previous ? { replacedTextsSha256: sha256(canonicalJson(previous)) } : {}),
    },
  });
  return after;
}
