import { createHmac, randomInt } from "node:crypto";
import { z } from "zod";
import { constantTimeEqual } from "../../domain/crypto";
import { DomainError } from "../../domain/errors";
import { verificationRules } from "../../domain/policy/periods";
import type { AppContext } from "../context";
import { AlreadyExistsError, PreconditionFailedError } from "../../ports/document-store";

/**
 * What proves control of a channel (a WhatsApp number, an email address) for a subject, kept per
 * subject and channel rather than per request, because a stranger can file as many requests as he
 * likes. One document per subject (its partition), holding for each channel the subject's requests name
 * (the subject's own number or registered email; a nominee's address; a new address being confirmed):
 * - one live code: a new send replaces it, any of the subject's requests naming that channel is
 *   verified by it, and it works once. A code sent to one address never verifies a request naming
 *   another, and a send to one address never touches another's code;
 * - a budget of codes to the channel (`maxCodesPerChannelWindow` an hour). When it is spent, no new
 *   code is made and the newest one stays valid until a new one can be sent: whoever holds the channel
 *   always holds a working code, whatever a stranger filed;
 * - a separate, smaller budget of messages without a code (reminders, notices of unverified requests,
 *   acknowledgements of grievances from strangers): they never use up what codes need;
 * - wrong guesses: each code dies after `maxWrongAttemptsPerCode` wrong guesses from anyone (the next
 *   code starts afresh), and one client address is locked out of the subject for the hour after
 *   `maxWrongAttempts`, across all the subject's requests, so cancelling and filing again gives no fresh
 *   guesses. Together: at most `maxCodesPerChannelWindow × maxWrongAttemptsPerCode` guesses an hour
 *   against a subject, and stopping the person takes more addresses than the budget has codes.
 * Only keyed hashes and times are kept: no code, address or number in clear.
 */
const Iso = z.string();
const Channel = z
  .object({
    code: z
      .object({
        hash: z.string(),
        sentAt: Iso,
        expiresAt: Iso,
        /** Wrong guesses at this code, from anyone. */
        wrong: z.number().int(),
        /** The request it verified: a code works once. */
        usedBy: z.string().optional(),
      })
      .strict()
      .optional(),
    codesSent: z.array(Iso),
    noticesSent: z.array(Iso),
  })
  .strict();
type Channel = z.infer<typeof Channel>;

const SubjectVerificationDoc = z
  .object({
    id: z.literal("subject-verification"),
    pk: z.string(),
    docType: z.literal("subject-verification"),
    /** By the keyed hash of the channel's address (the request's `contact.hash`). */
    channels: z.record(z.string(), Channel),
    wrong: z.array(z.object({ at: Iso, client: z.string() }).strict()),
    clientLocks: z.array(z.object({ client: z.string(), until: Iso }).strict()),
  })
  .strict();
type SubjectVerificationDoc = z.infer<typeof SubjectVerificationDoc>;

const ID = "subject-verification" as const;

const newCode = () =>
  String(randomInt(0, 10 ** verificationRules.codeDigits)).padStart(verificationRules.codeDigits, "0");

function lockedError(until: string, now: Date): DomainError {
  const retryAfterSeconds = Math.max(1, Math.ceil((Date.parse(until) - now.getTime()) / 1000));
  return new DomainError(
    "rate_limited",
    `Too many wrong codes from your address: verification is locked until ${until}.`,
    [],
    { retryAfterSeconds },
  );
}

export type CodeCheck = "verified" | "wrong" | "locked_now" | "expired";

export interface CodeCheckResult {
  outcome: CodeCheck;
  error?: DomainError;
}

/** The subject's record: read, decide, write with If-Match; on a lost race decide again. */
export class SubjectVerification {
  constructor(
    private readonly app: AppContext,
    private readonly pk: string,
  ) {}

  private coll() {
    return this.app.stores.subjectVerifications;
  }

  private codeHash(code: string) {
    return createHmac("sha256", this.app.keys.code).update(`${this.pk}:${code}`).digest("base64url");
  }

  private async update<R>(decide: (doc: SubjectVerificationDoc, now: Date) => R): Promise<R> {
    const coll = this.coll();
    for (let attempt = 1; attempt <= 8; attempt++) {
      const now = this.app.ports.clock.now();
      const read = await coll.read<SubjectVerificationDoc>(ID, this.pk);
      const doc = this.pruned(
        read
          ? SubjectVerificationDoc.parse(read.doc)
          : { id: ID, pk: this.pk, docType: ID, channels: {}, wrong: [], clientLocks: [] },
        now,
      );
      const result = decide(doc, now);
      try {
        if (read) await coll.replace(doc, read.etag);
        else await coll.create(doc);
        return result;
      } catch (e) {
        if (!(e instanceof PreconditionFailedError) && !(e instanceof AlreadyExistsError)) throw e;
      }
    }
    throw new DomainError("conflict", "Verification for this subject is busy; try again shortly.");
  }

  private async current(now: Date): Promise<SubjectVerificationDoc | undefined> {
    const read = await this.coll().read<SubjectVerificationDoc>(ID, this.pk);
    return read ? this.pruned(SubjectVerificationDoc.parse(read.doc), now) : undefined;
  }

  /** Drops what fell out of its window, so the document stays small and the counts are current. */
  private pruned(doc: SubjectVerificationDoc, now: Date): SubjectVerificationDoc {
    const t = now.getTime();
    const codeWindow = this.app.policy.periodMs(now, "verificationResendWindow");
    const noticeWindow = this.app.policy.periodMs(now, "verificationReminder");
    const lockWindow = this.app.policy.periodMs(now, "verificationLockout");
    for (const [key, ch] of Object.entries(doc.channels)) {
      ch.codesSent = ch.codesSent.filter((at) => Date.parse(at) > t - codeWindow);
      ch.noticesSent = ch.noticesSent.filter((at) => Date.parse(at) > t - noticeWindow);
      // A used code is kept while it could matter: a repeat of the call that used it still matches.
      if (ch.code && Date.parse(ch.code.expiresAt) <= t - lockWindow) delete ch.code;
      if (!ch.code && ch.codesSent.length === 0 && ch.noticesSent.length === 0) delete doc.channels[key];
    }
    doc.wrong = doc.wrong.filter((w) => Date.parse(w.at) > t - lockWindow);
    doc.clientLocks = doc.clientLocks.filter((l) => Date.parse(l.until) > t);
    return doc;
  }

  private channel(doc: SubjectVerificationDoc, contactHash: string): Channel {
    return (doc.channels[contactHash] ??= { codesSent: [], noticesSent: [] });
  }

  /** When the next code may go to the channel (now, while the budget lasts). */
  private nextCodeAt(ch: Channel, now: Date): Date {
    if (ch.codesSent.length < verificationRules.maxCodesPerChannelWindow) return now;
    const oldest = Math.min(...ch.codesSent.map((at) => Date.parse(at)));
    return new Date(oldest + this.app.policy.periodMs(now, "verificationResendWindow"));
  }

  /**
   * A new code for the channel at `contactHash`, if its budget allows: returns it, to be sent. Otherwise
   * none is made, and the newest code (on the person's phone already) stays valid until one can be sent.
   */
  async issueCode(contactHash: string): Promise<string | undefined> {
    return this.update((doc, now) => {
      const ch = this.channel(doc, contactHash);
      const next = this.nextCodeAt(ch, now);
      if (next > now) {
        if (ch.code)
          ch.code.expiresAt = new Date(Math.max(Date.parse(ch.code.expiresAt), next.getTime())).toISOString();
        return undefined;
      }
      const code = newCode();
      ch.codesSent.push(now.toISOString());
      ch.code = {
        hash: this.codeHash(code),
        sentAt: now.toISOString(),
        expiresAt: this.app.policy.deadline(now, "verificationCodeValidity").toISOString(),
        wrong: 0,
      };
      return code;
    });
  }

  /** When a new code may next go to the channel (for a Retry-After), or undefined when it may now. */
  async retryAfter(contactHash: string): Promise<Date | undefined> {
    const now = this.app.ports.clock.now();
    const ch = (await this.current(now))?.channels[contactHash];
    const next = ch ? this.nextCodeAt(ch, now) : now;
    return next > now ? next : undefined;
  }

  /**
   * The same read and write as {@link issueCode}, changing nothing: for a request that names no address
   * the code could go to (a public account request naming another address), so its answer takes the
   * same store work as one that does, and neither answer nor timing tells which address is registered.
   */
  async touch(): Promise<void> {
    await this.update(() => undefined);
  }

  /** One message without a code (a reminder, a notice, an acknowledgement) to the channel, if its budget allows. */
  async spendNotice(contactHash: string): Promise<boolean> {
    return this.update((doc, now) => {
      const ch = this.channel(doc, contactHash);
      if (ch.noticesSent.length >= verificationRules.maxNoticesPerChannelDay) return false;
      ch.noticesSent.push(now.toISOString());
      return true;
    });
  }

  /**
   * Checks a code for request `requestId`, whose contact is `contactHash`, from `client` (a keyed hash of
   * the caller's address or identity). A wrong code counts against the client and against the channel's
   * live code; the right one is spent on this request (a repeat by the same request still matches, so of
   * two racing calls the request's own ETag decides which one verifies).
   */
  async check(
    requestId: string,
    contactHash: string | undefined,
    client: string,
    code: string,
  ): Promise<CodeCheckResult> {
    return this.update((doc, now): CodeCheckResult => {
      const locked = doc.clientLocks.find((l) => l.client === client);
      if (locked) throw lockedError(locked.until, now);
      const ch = contactHash === undefined ? undefined : doc.channels[contactHash];
      const c = ch?.code;
      const matches =
        c !== undefined &&
        (c.usedBy === undefined || c.usedBy === requestId) &&
        constantTimeEqual(c.hash, this.codeHash(code));
      if (matches && Date.parse(c.expiresAt) <= now.getTime())
        return {
          outcome: "expired",
          error: new DomainError("invalid", "The code has expired. Ask for a new one.", [
            { field: "code", message: "expired" },
          ]),
        };
      if (matches) {
        c.usedBy = requestId;
        return { outcome: "verified" };
      }
      doc.wrong.push({ at: now.toISOString(), client });
      let dead = false;
      if (c && c.usedBy === undefined && ++c.wrong >= verificationRules.maxWrongAttemptsPerCode) {
        delete ch!.code;
        dead = true;
      }
      const byClient = doc.wrong.filter((w) => w.client === client).length;
      if (byClient >= verificationRules.maxWrongAttempts) {
        const until = this.app.policy.deadline(now, "verificationLockout").toISOString();
        doc.clientLocks.push({ client, until });
        return { outcome: "locked_now", error: lockedError(until, now) };
      }
      const left = verificationRules.maxWrongAttempts - byClient;
      const message = dead
        ? "The code is wrong, and too many wrong codes were entered for it: ask for a new one."
        : `The code is wrong. ${left} attempt${left === 1 ? "" : "s"} left.`;
      return {
        outcome: "wrong",
        error: new DomainError("invalid", message, [{ field: "code", message: "wrong code" }]),
      };
    });
  }

  /** Refuses at once while the caller is locked out of the subject: no new code to guess at. */
  async assertNotLocked(client: string): Promise<void> {
    const now = this.app.ports.clock.now();
    const locked = (await this.current(now))?.clientLocks.find((l) => l.client === client);
    if (locked) throw lockedError(locked.until, now);
  }
}
