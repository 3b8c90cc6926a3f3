import { createHmac, randomInt } from "node:crypto";
import { z } from "zod";
import { constantTimeEqual } from "../../domain/crypto";
import { DomainError } from "../../domain/errors";
import { verificationRules } from "../../domain/policy/periods";
import type { AppContext } from "../context";
import { AlreadyExistsError, PreconditionFailedError } from "../../ports/document-store";

/**
 * What proves control of a subject's channel (a WhatsApp number, an account's registered email), kept
 * per subject and not per request, because a stranger can file as many requests as he likes:
 * - one live code for the subject: a new send replaces it, and any of the subject's requests is
 *   verified by the code that reached the channel; it works once;
 * - a budget of messages to the channel (codes, reminders, expiry notices), so a stranger's filings
 *   cost the person at most `maxMessagesPerSubjectWindow` messages an hour. When it is spent, no new
 *   code goes out, and the newest code sent stays valid until a new one can be: the person who holds
 *   the number always holds a working code, whatever a stranger filed;
 * - wrong guesses counted across every request of the subject for an hour: cancelling and filing again
 *   gives no fresh guesses. One client address locks itself out after `maxWrongAttempts`; the subject
 *   locks for everyone after `maxWrongAttemptsPerSubject`, which bounds guessing from many addresses.
 * Only hashes and times are kept: no code, address or number in clear.
 */
const Iso = z.string();
const SubjectVerificationDoc = z
  .object({
    id: z.literal("subject-verification"),
    pk: z.string(),
    docType: z.literal("subject-verification"),
    code: z
      .object({
        hash: z.string(),
        /** Keyed hash of the channel address it was sent to: it verifies only requests naming that address. */
        contactHash: z.string(),
        sentAt: Iso,
        expiresAt: Iso,
        /** The request it verified: a code works once. */
        usedBy: z.string().optional(),
      })
      .strict()
      .optional(),
    /** Messages sent to the channel within the window (codes, reminders, notices to unverified requests). */
    sent: z.array(Iso),
    wrong: z.array(z.object({ at: Iso, client: z.string() }).strict()),
    lockedUntil: Iso.optional(),
    clientLocks: z.array(z.object({ client: z.string(), until: Iso }).strict()),
  })
  .strict();
type SubjectVerificationDoc = z.infer<typeof SubjectVerificationDoc>;

const ID = "subject-verification" as const;

const codeHash = (app: AppContext, pk: string, code: string) =>
  createHmac("sha256", app.keys.code).update(`${pk}:${code}`).digest("base64url");

const newCode = () =>
  String(randomInt(0, 10 ** verificationRules.codeDigits)).padStart(verificationRules.codeDigits, "0");

function lockedError(until: string, now: Date): DomainError {
  const retryAfterSeconds = Math.max(1, Math.ceil((Date.parse(until) - now.getTime()) / 1000));
  return new DomainError("rate_limited", `Too many wrong codes: verification is locked until ${until}.`, [], {
    retryAfterSeconds,
  });
}

/** The later of the subject's lock and this client's, if either holds (ISO strings sort by time). */
const lockedUntil = (doc: SubjectVerificationDoc, client: string): string | undefined =>
  [doc.lockedUntil, doc.clientLocks.find((l) => l.client === client)?.until]
    .filter((u): u is string => u !== undefined)
    .sort()
    .at(-1);

export type CodeCheck = "verified" | "wrong" | "locked_now" | "expired";

export interface CodeCheckResult {
  outcome: CodeCheck;
  attemptsLeft: number;
  error?: DomainError;
}

/** The subject's record: read, decide, write with If-Match; on a lost race decide again. */
export class SubjectVerification {
  constructor(
    private readonly app: AppContext,
    private readonly pk: string,
  ) {}

  private coll() {
    return this.app.ports.documents.collection("service", "requests");
  }

  private windowMs(now: Date) {
    return this.app.policy.periodMs(now, "verificationResendWindow");
  }

  private async update<R>(decide: (doc: SubjectVerificationDoc, now: Date) => R): Promise<R> {
    const coll = this.coll();
    for (let attempt = 1; attempt <= 8; attempt++) {
      const now = this.app.ports.clock.now();
      const read = await coll.read<SubjectVerificationDoc>(ID, this.pk);
      const doc: SubjectVerificationDoc = read
        ? SubjectVerificationDoc.parse(read.doc)
        : { id: ID, pk: this.pk, docType: ID, sent: [], wrong: [], clientLocks: [] };
      const result = decide(this.pruned(doc, now), now);
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

  /** Drops what fell out of its window, so the document stays small and the counts are current. */
  private pruned(doc: SubjectVerificationDoc, now: Date): SubjectVerificationDoc {
    const t = now.getTime();
    const sendWindow = this.windowMs(now);
    const lockWindow = this.app.policy.periodMs(now, "verificationLockout");
    doc.sent = doc.sent.filter((at) => Date.parse(at) > t - sendWindow);
    doc.wrong = doc.wrong.filter((w) => Date.parse(w.at) > t - lockWindow);
    doc.clientLocks = doc.clientLocks.filter((l) => Date.parse(l.until) > t);
    if (doc.lockedUntil && Date.parse(doc.lockedUntil) <= t) delete doc.lockedUntil;
    return doc;
  }

  /** When the next message may go to the channel (now, while the budget lasts). */
  private nextSendAt(doc: SubjectVerificationDoc, now: Date): Date {
    if (doc.sent.length < verificationRules.maxMessagesPerSubjectWindow) return now;
    const oldest = Math.min(...doc.sent.map((at) => Date.parse(at)));
    return new Date(oldest + this.windowMs(now));
  }

  /**
   * A new code for the channel at `contactHash`, if the budget allows: returns it, to be sent. Otherwise
   * none is made, and the newest code (on the person's phone already) stays valid until one can be sent.
   */
  async issueCode(contactHash: string): Promise<string | undefined> {
    return this.update((doc, now) => {
      const next = this.nextSendAt(doc, now);
      if (next > now) {
        if (doc.code && !doc.code.usedBy && doc.code.contactHash === contactHash)
          doc.code.expiresAt = new Date(
            Math.max(Date.parse(doc.code.expiresAt), next.getTime()),
          ).toISOString();
        return undefined;
      }
      const code = newCode();
      doc.sent.push(now.toISOString());
      doc.code = {
        hash: codeHash(this.app, this.pk, code),
        contactHash,
        sentAt: now.toISOString(),
        expiresAt: this.app.policy.deadline(now, "verificationCodeValidity").toISOString(),
      };
      return code;
    });
  }

  /**
   * The same read and write as {@link issueCode}, changing nothing: for a request that names no address
   * the code could go to (a public account request naming another address), so its answer takes the
   * same store work as one that does, and timing does not tell whether the address was the registered one.
   */
  async touch(): Promise<void> {
    await this.update(() => undefined);
  }

  /** One message without a code (a reminder, a notice) to an unverified request's channel, if the budget allows. */
  async spendMessage(): Promise<boolean> {
    return this.update((doc, now) => {
      if (this.nextSendAt(doc, now) > now) return false;
      doc.sent.push(now.toISOString());
      return true;
    });
  }

  /** When a new code may next be sent (for a Retry-After), or undefined when it may be now. */
  async retryAfter(): Promise<Date | undefined> {
    const now = this.app.ports.clock.now();
    const read = await this.coll().read<SubjectVerificationDoc>(ID, this.pk);
    if (!read) return undefined;
    const next = this.nextSendAt(this.pruned(SubjectVerificationDoc.parse(read.doc), now), now);
    return next > now ? next : undefined;
  }

  /**
   * Checks a code for request `requestId`, whose contact is `contactHash`, from `client` (a keyed hash of
   * the caller's address or identity). A wrong code counts against the client and the subject; the
   * right one is spent on this request (a repeat by the same request still matches, so of two racing
   * calls the request's own ETag decides which one verifies).
   */
  async check(
    requestId: string,
    contactHash: string | undefined,
    client: string,
    code: string,
  ): Promise<CodeCheckResult> {
    return this.update((doc, now): CodeCheckResult => {
      const t = now.getTime();
      const until = lockedUntil(doc, client);
      if (until) throw lockedError(until, now);
      const c = doc.code;
      const usable =
        c !== undefined &&
        contactHash !== undefined &&
        c.contactHash === contactHash &&
        (c.usedBy === undefined || c.usedBy === requestId);
      if (
        usable &&
        Date.parse(c.expiresAt) <= t &&
        constantTimeEqual(c.hash, codeHash(this.app, this.pk, code))
      )
        return {
          outcome: "expired",
          attemptsLeft: verificationRules.maxWrongAttempts,
          error: new DomainError("invalid", "The code has expired. Ask for a new one.", [
            { field: "code", message: "expired" },
          ]),
        };
      if (
        usable &&
        Date.parse(c.expiresAt) > t &&
        constantTimeEqual(c.hash, codeHash(this.app, this.pk, code))
      ) {
        c.usedBy = requestId;
        return { outcome: "verified", attemptsLeft: verificationRules.maxWrongAttempts };
      }
      doc.wrong.push({ at: now.toISOString(), client });
      const byClient = doc.wrong.filter((w) => w.client === client).length;
      const lockUntil = this.app.policy.deadline(now, "verificationLockout").toISOString();
      if (doc.wrong.length >= verificationRules.maxWrongAttemptsPerSubject) doc.lockedUntil = lockUntil;
      if (byClient >= verificationRules.maxWrongAttempts)
        doc.clientLocks = [
          ...doc.clientLocks.filter((l) => l.client !== client),
          { client, until: lockUntil },
        ];
      if (doc.lockedUntil || byClient >= verificationRules.maxWrongAttempts)
        return { outcome: "locked_now", attemptsLeft: 0, error: lockedError(lockUntil, now) };
      const left = verificationRules.maxWrongAttempts - byClient;
      return {
        outcome: "wrong",
        attemptsLeft: left,
        error: new DomainError(
          "invalid",
          `The code is wrong. ${left} attempt${left === 1 ? "" : "s"} left.`,
          [{ field: "code", message: "wrong code" }],
        ),
      };
    });
  }

  /** Refuses at once while the caller (or the whole subject) is locked out: no new code, no guess. */
  async assertNotLocked(client: string): Promise<void> {
    const now = this.app.ports.clock.now();
    const read = await this.coll().read<SubjectVerificationDoc>(ID, this.pk);
    if (!read) return;
    const until = lockedUntil(this.pruned(SubjectVerificationDoc.parse(read.doc), now), client);
    if (until) throw lockedError(until, now);
  }
}
