import { z } from "zod";

export const RequestKind = z.enum([
  "access",
  "correction",
  "erasure",
  "nomination",
  "grievance",
  "consent_withdrawal",
]);
export type RequestKind = z.infer<typeof RequestKind>;

export const RequestStatus = z.enum([
  "pending_verification",
  "verified",
  "in_progress",
  "deactivated",
  "on_hold",
  "purging",
  "purged",
  "completed",
  "cancelled",
  "rejected",
]);
export type RequestStatus = z.infer<typeof RequestStatus>;

export const TERMINAL: readonly RequestStatus[] = ["completed", "cancelled", "rejected"];
export const isOpen = (s: RequestStatus) => !TERMINAL.includes(s);

/** What a request is about, as stored: a WhatsApp number only as its keyed hash and a masked form. */
export const StoredScope = z.discriminatedUnion("type", [
  z.object({ type: z.literal("account"), tenantId: z.string() }).strict(),
  z.object({ type: z.literal("whatsapp_number"), numberHash: z.string(), masked: z.string() }).strict(),
  /** A grievance from someone known only by an email address (kept as its keyed hash). */
  z.object({ type: z.literal("contact"), contactHash: z.string() }).strict(),
]);
export type StoredScope = z.infer<typeof StoredScope>;

/** `consent_manager`: a withdrawal a consent manager registered with the Board sent (docs/consent.md). */
export const Channel = z.enum(["dashboard", "public", "email", "staff", "consent_manager"]);
export type Channel = z.infer<typeof Channel>;

export const Actor = z
  .object({
    kind: z.enum([
      "owner",
      "admin",
      "member",
      "public",
      "support",
      "privacy_officer",
      "system",
      "nominee",
      "consent_manager",
    ]),
    /** Keyed hash of the token subject: who acted, provable, but no identifier in clear. */
    ref: z.string().optional(),
  })
  .strict();
export type Actor = z.infer<typeof Actor>;

const Iso = z.string();

export const RequestDoc = z
  .object({
    id: z.string(),
    pk: z.string(),
    docType: z.literal("request"),
    kind: RequestKind,
    scope: StoredScope,
    status: RequestStatus,
    channel: Channel,
    language: z.string(),
    requester: Actor,
    /** Keyed hash of the requester's tenant (dashboard requests) for listing by tenant. */
    tenantId: z.string().optional(),
    /**
     * Who in the tenant lists it: "tenant" (every member), the keyed ref of the one dashboard user who
     * filed it (their grievance), or "staff" (a grievance from the public or entered by staff: no member;
     * src/app/requests/access-control.ts). One indexed condition for listing.
     */
    visibleTo: z.string().default("tenant"),
    /** Where notices go: sealed (AES-GCM), because a hash cannot be written to. */
    contact: z
      .object({ channel: z.enum(["email", "whatsapp"]), sealed: z.string(), hash: z.string() })
      .strict()
      .optional(),
    /** SHA-256 of each requestToken handed out; the token itself is shown once. */
    tokenHashes: z.array(z.string()).default([]),
    details: z.record(z.string(), z.unknown()).default({}),
    createdAt: Iso,
    verifiedAt: Iso.optional(),
    dueAt: Iso.optional(),
    acknowledgeDueAt: Iso.optional(),
    acknowledgedAt: Iso.optional(),
    deadlineExtensions: z
      .array(z.object({ at: Iso, by: Actor, reason: z.string(), from: Iso, to: Iso }).strict())
      .default([]),
    /**
     * This request's own part of verification: when new codes were asked for it (its resend limit) and
     * its one reminder. The code, the wrong guesses and the locks are the subject's
     * (src/app/requests/subject-verification.ts).
     */
    verification: z
      .object({
        /** When a new code was asked for this request (resends). */
        sentAt: z.array(Iso),
        /** The one reminder an unfinished verification gets (DESIGN §4). */
        reminderSentAt: Iso.optional(),
      })
      .strict()
      .optional(),
    hold: z.object({ since: Iso, reason: z.string(), resumeStatus: RequestStatus }).strict().optional(),
    failure: z
      .object({
        step: z.string(),
        message: z.string(),
        at: Iso,
        attempts: z.number().int(),
        alerted: z.boolean(),
      })
      .strict()
      .optional(),
    review: z
      .object({
        by: Actor,
        at: Iso,
        decision: z.enum(["approved", "rejected"]),
        reason: z.string().optional(),
      })
      .strict()
      .optional(),
    /** Account erasure: the 30-day retention window and the scheduled purge (Account Deletion §3). */
    account: z
      .object({
        deactivatedAt: Iso,
        purgeDueAt: Iso,
        /** The scheduler's ticket (Service Bus sequence number, as a string) while the purge message waits. */
        purgeTicket: z.string().optional(),
        purgeScheduledAt: Iso.optional(),
        purgeStartedAt: Iso.optional(),
        purgedAt: Iso.optional(),
        reactivatedAt: Iso.optional(),
      })
      .strict()
      .optional(),
    /**
     * Audit events written in the same ETag-guarded write as the change they record, then moved to the
     * `audit` chain: a crash between the two writes can delay an event, never lose it.
     */
    auditOutbox: z
      .array(
        z
          .object({
            key: z.string(),
            event: z
              .object({
                actor: Actor,
                action: z.string(),
                from: RequestStatus.optional(),
                to: RequestStatus.optional(),
                reason: z.string().optional(),
                data: z.record(z.string(), z.unknown()).optional(),
              })
              .strict(),
          })
          .strict(),
      )
      .optional(),
    closedReason: z.string().optional(),
    version: z.number().int(),
  })
  .strict();
export type RequestDoc = z.infer<typeof RequestDoc>;
