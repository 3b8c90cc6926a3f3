import { z } from "zod";
import { DomainError, notFound } from "../../domain/errors";
import { Actor } from "../../domain/requests/model";
import { PreconditionFailedError } from "../../ports/document-store";
import type { AppContext } from "../context";
import { breachPartition } from "../../domain/storage/partition-keys";

/**
 * The breach register (Privacy Policy §10; DPDP Rules 2025 Rule 7): one document per personal data
 * breach, in the service's `requests` container under its own partition (`breach:<id>`, docType
 * `breach`), every write guarded by its ETag; its audit trail is a hash chain under the breach id.
 * Addresses of affected principals are sealed (AES-GCM) with a keyed hash, like requesters'.
 */

export const BREACH_ID = /^b-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Reminders to the privacy officer while the Board report is not filed: hours after discovery. */
export const BREACH_REMINDER_HOURS = [24, 48] as const;

const Iso = z.string();

/**
 * An affected person's address: sealed while notices may still have to reach it; the own-records sweep
 * removes `sealed` once `breachContacts` has passed after the Board report, keeping the keyed hash.
 */
export const SealedContact = z
  .object({
    channel: z.enum(["email", "whatsapp"]),
    sealed: z.string().optional(),
    hash: z.string(),
    /** The language the person reads (a notice language); absent: English. */
    language: z.string().optional(),
  })
  .strict();

/**
 * The four Rule 7(1)(a)–(d) texts in one more language than English (the top-level fields, which the
 * Board report quotes): every notice to a reader of that language gives these instead.
 */
export const BreachTextsDoc = z
  .object({
    nature: z.string(),
    likelyConsequences: z.string(),
    measuresTaken: z.string(),
    safetySteps: z.string(),
    writtenAt: Iso,
  })
  .strict();
export type BreachTextsDoc = z.infer<typeof BreachTextsDoc>;
export type SealedContact = z.infer<typeof SealedContact>;

export const BreachDoc = z
  .object({
    id: z.string().regex(BREACH_ID),
    pk: z.string(),
    docType: z.literal("breach"),
    /** open: the Board report is due; reported: it was filed (with the Board's reference). */
    state: z.enum(["open", "reported"]),
    discoveredAt: Iso,
    occurredAt: Iso.optional(),
    registeredAt: Iso,
    registeredBy: Actor,
    nature: z.string(),
    cause: z.string().optional(),
    dataCategories: z.array(z.string()),
    tenantsAffected: z.array(z.string()),
    principals: z.object({ estimated: z.number().int(), contacts: z.array(SealedContact) }).strict(),
    likelyConsequences: z.string(),
    measuresTaken: z.string(),
    safetySteps: z.string(),
    /** The same four texts in other languages, by notice language code ("hi"); English is the fields above. */
    texts: z.record(z.string(), BreachTextsDoc).optional(),
    /** Rule 7(2)(b): the detailed report to the Board, 72 hours from becoming aware. */
    boardDueAt: Iso,
    /** CERT-In directions (2022): the incident reported within 6 hours. */
    certInDueAt: Iso,
    reminders: z.array(
      z
        .object({
          hours: z.number().int(),
          at: Iso,
          ticket: z.string().optional(),
          sentAt: Iso.optional(),
          /** Already past when the breach was registered: not sent. */
          skipped: z.boolean().optional(),
        })
        .strict(),
    ),
    board: z.object({ reportedAt: Iso, reference: z.string(), by: Actor }).strict().optional(),
    notices: z
      .object({
        lastSentAt: Iso,
        principalsNotified: z.number().int(),
        ownersNotified: z.number().int(),
        /** Keyed hashes of the addresses notified, so a second run notifies only the new ones. */
        notifiedHashes: z.array(z.string()),
      })
      .strict()
      .optional(),
    /** When the own-records sweep erased the sealed addresses (src/app/retention/own-records.ts). */
    contactsErasedAt: Iso.optional(),
    version: z.number().int(),
  })
  .strict();
export type BreachDoc = z.infer<typeof BreachDoc>;

export { breachPartition };

export class BreachStore {
  constructor(private readonly app: AppContext) {}

  private get coll() {
    return this.app.stores.breaches;
  }

  async create(doc: BreachDoc): Promise<BreachDoc> {
    return BreachDoc.parse((await this.coll.create(doc)).doc);
  }

  async find(id: string): Promise<{ doc: BreachDoc; etag: string } | undefined> {
    if (!BREACH_ID.test(id)) return undefined;
    const read = await this.coll.read(id, breachPartition(id));
    const parsed = BreachDoc.safeParse(read?.doc);
    return read && parsed.success ? { doc: parsed.data, etag: read.etag } : undefined;
  }

  async get(id: string): Promise<BreachDoc> {
    const found = await this.find(id);
    if (!found) throw notFound("No such breach.");
    return found.doc;
  }

  /** Read, decide, write with If-Match; a lost race decides again on fresh state. */
  async update(
    id: string,
    decide: (doc: BreachDoc) => BreachDoc,
  ): Promise<{ before: BreachDoc; after: BreachDoc }> {
    for (let attempt = 1; attempt <= 5; attempt++) {
      const found = await this.find(id);
      if (!found) throw notFound("No such breach.");
      const next = BreachDoc.parse({ ...decide(structuredClone(found.doc)), version: found.doc.version + 1 });
      try {
        const written = await this.coll.replace(next, found.etag);
        return { before: found.doc, after: BreachDoc.parse(written.doc) };
      } catch (e) {
        if (!(e instanceof PreconditionFailedError)) throw e;
      }
    }
    throw new DomainError("conflict", "The breach is being changed by someone else; try again.");
  }

  /** Every breach, newest discovery first; `open` only those whose Board report is still due. */
  async list(options: { openOnly?: boolean } = {}): Promise<BreachDoc[]> {
    const out: BreachDoc[] = [];
    let continuationToken: string | undefined;
    do {
      const page = await this.coll.query({
        where: [
          { field: "docType", op: "=", value: "breach" },
          ...(options.openOnly ? [{ field: "state", op: "=" as const, value: "open" }] : []),
        ],
        limit: 200,
        ...(continuationToken ? { continuationToken } : {}),
      });
      for (const item of page.items) {
        const parsed = BreachDoc.safeParse(item);
        if (parsed.success) out.push(parsed.data);
      }
      continuationToken = page.continuationToken;
    } while (continuationToken);
    return out.sort((a, b) => Date.parse(b.discoveredAt) - Date.parse(a.discoveredAt));
  }
}

/** The breach as the API shows it: no sealed addresses, no hashes, no scheduler tickets. */
export function breachView(doc: BreachDoc, now: Date) {
  const due = Date.parse(doc.boardDueAt);
  return {
    id: doc.id,
    state: doc.state,
    discoveredAt: doc.discoveredAt,
    ...(doc.occurredAt ? { occurredAt: doc.occurredAt } : {}),
    registeredAt: doc.registeredAt,
    nature: doc.nature,
    ...(doc.cause ? { cause: doc.cause } : {}),
    dataCategories: doc.dataCategories,
    tenantsAffected: doc.tenantsAffected,
    principalsAffected: { estimated: doc.principals.estimated, contacts: doc.principals.contacts.length },
    likelyConsequences: doc.likelyConsequences,
    measuresTaken: doc.measuresTaken,
    safetySteps: doc.safetySteps,
    /** The languages the four texts are written in besides English, and the texts themselves. */
    texts: Object.fromEntries(
      Object.entries(doc.texts ?? {}).map(([language, t]) => [
        language,
        {
          nature: t.nature,
          likelyConsequences: t.likelyConsequences,
          measuresTaken: t.measuresTaken,
          safetySteps: t.safetySteps,
          writtenAt: t.writtenAt,
        },
      ]),
    ),
    boardDueAt: doc.boardDueAt,
    certInDueAt: doc.certInDueAt,
    timeLeftSeconds: doc.state === "open" ? Math.floor((due - now.getTime()) / 1000) : undefined,
    overdue: doc.state === "open" && due < now.getTime(),
    reminders: doc.reminders.map(({ hours, at, sentAt, skipped }) => ({
      hours,
      at,
      ...(sentAt ? { sentAt } : {}),
      ...(skipped ? { skipped } : {}),
    })),
    ...(doc.board ? { board: { reportedAt: doc.board.reportedAt, reference: doc.board.reference } } : {}),
    ...(doc.notices
      ? {
          notices: {
            lastSentAt: doc.notices.lastSentAt,
            principalsNotified: doc.notices.principalsNotified,
            ownersNotified: doc.notices.ownersNotified,
          },
        }
      : {}),
  };
}
