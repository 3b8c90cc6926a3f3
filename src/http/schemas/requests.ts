import { NamedProcessorLine, NeutralProcessorLine } from "../../domain/audit/certificate-schema";
import { z } from "zod";
import { PURPOSES } from "../../domain/consent/purposes";
import { noticeLanguages } from "../../domain/notices";
import { RequestKind, RequestStatus } from "../../domain/requests/model";
import { REQUEST_ID_PATTERN } from "../../domain/requests/request-id";
import { Phone, TenantId } from "./common";

/** The wire shapes of rights requests (DESIGN §5). Every object is strict: an unknown field is a 400. */

export const Email = z.email({ message: "not a valid email address" }).max(254);
export const RequestId = z
  .string()
  .max(400)
  .regex(REQUEST_ID_PATTERN, "a request id as this service gave it, such as r-1b9d6bcd-….dGVuYW50OnQtMQ");
export const IdParams = z.object({ id: RequestId }).strict();

const Contact = z
  .object({ email: Email.optional(), phone: Phone.optional() })
  .strict()
  .describe("Where we answer you: an email address and/or a WhatsApp number");

const Scope = z.discriminatedUnion("type", [
  z.object({ type: z.literal("account"), tenantId: TenantId }).strict(),
  z.object({ type: z.literal("whatsapp_number"), phone: Phone }).strict(),
]);

const common = {
  contact: Contact.optional(),
  language: z
    .enum(noticeLanguages as [string, ...string[]])
    .optional()
    .describe("Language of the notices we send (default en): one of the languages of src/domain/notices"),
  /** Staff only: a request that arrived by email, entered with the mail's reference. */
  channel: z.literal("email").optional(),
  messageRef: z.string().min(1).max(200).optional(),
};

export const CorrectableField = z.enum(["name", "email", "phone", "organisation", "role"]);

/**
 * A nominee filing for the principal who nominated them (DPDP Act 2023 s.14): the nomination in force
 * and the reference of the evidence (of death or incapacity) staff review before anything runs.
 */
export const OnBehalfOf = z
  .object({
    nominationId: RequestId.describe("The id of the principal's nomination naming you"),
    evidenceRef: z
      .string()
      .trim()
      .min(3)
      .max(200)
      .describe("Reference of the evidence staff review: e.g. the death or medical certificate's number"),
  })
  .strict()
  .describe(
    "Only for a nominee acting for the principal: the one-time code goes to the nominee's recorded address",
  );

/** One field to correct; an email or phone value must be one. */
const CorrectionItem = z
  .object({ field: CorrectableField, value: z.string().trim().min(1).max(500) })
  .strict()
  .superRefine((c, ctx) => {
    if (c.field === "email" && !Email.safeParse(c.value).success)
      ctx.addIssue({ code: "custom", path: ["value"], message: "not a valid email address" });
    if (c.field === "phone" && !Phone.safeParse(c.value).success)
      ctx.addIssue({
        code: "custom",
        path: ["value"],
        message: "not a valid phone number (with country code)",
      });
  });
export const ConsentPurpose = z.enum(PURPOSES);

const Erasure = z
  .object({
    kind: z.literal("erasure"),
    scope: Scope.optional(),
    reason: z.string().max(1000).optional(),
    onBehalfOf: OnBehalfOf.optional(),
    ...common,
  })
  .strict()
  .refine((b) => b.scope !== undefined || b.onBehalfOf !== undefined, {
    message: "required (a nominee may leave it out: the nomination names the subject)",
    path: ["scope"],
  });
const Access = z
  .object({
    kind: z.literal("access"),
    scope: Scope.optional(),
    onBehalfOf: OnBehalfOf.optional(),
    ...common,
  })
  .strict();
const Correction = z
  .object({
    kind: z.literal("correction"),
    scope: Scope.optional(),
    corrections: z.array(CorrectionItem).min(1).max(5),
    onBehalfOf: OnBehalfOf.optional(),
    ...common,
  })
  .strict();
const Nominee = z
  .object({
    name: z.string().trim().min(1).max(200),
    relation: z.string().trim().min(1).max(100),
    email: Email.optional(),
    phone: Phone.optional(),
  })
  .strict()
  .refine((n) => n.email !== undefined || n.phone !== undefined, {
    message: "give the nominee's email or phone",
    path: ["email"],
  });
const Nomination = z
  .object({ kind: z.literal("nomination"), scope: Scope.optional(), nominee: Nominee, ...common })
  .strict();
const Grievance = z
  .object({
    kind: z.literal("grievance"),
    scope: Scope.optional(),
    details: z
      .object({
        summary: z.string().trim().min(1).max(4000),
        relatedRequestId: RequestId.optional(),
        /** Grievances about sensitive personal data or information have a month (SPDI Rules). */
        spdi: z.boolean().optional(),
      })
      .strict(),
    ...common,
  })
  .strict();
const ConsentWithdrawal = z
  .object({
    kind: z.literal("consent_withdrawal"),
    scope: Scope.optional(),
    purposes: z
      .array(ConsentPurpose)
      .min(1)
      .max(ConsentPurpose.options.length)
      .refine((ps) => new Set(ps).size === ps.length, "each purpose once"),
    onBehalfOf: OnBehalfOf.optional(),
    ...common,
  })
  .strict();

export const CreateRequestBody = z.discriminatedUnion("kind", [
  Erasure,
  Access,
  Correction,
  Nomination,
  Grievance,
  ConsentWithdrawal,
]);
export type CreateRequestBody = z.infer<typeof CreateRequestBody>;

export const ListQuery = z
  .object({
    status: RequestStatus.optional(),
    kind: RequestKind.optional(),
    overdue: z.enum(["true", "false"]).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(25),
    continuationToken: z.string().min(1).max(4096).optional(),
  })
  .strict();

export const VerificationBody = z
  .object({ code: z.string().regex(/^\d{6}$/, "the 6-digit code we sent") })
  .strict();
export const ReasonBody = z.object({ reason: z.string().trim().min(1).max(1000) }).strict();

/**
 * The language staff wrote a text in that goes to the requester (a reason, a reply). Write it in the
 * request's `noticeLanguage`; a text in another language reaches the reader labelled as the officer's own
 * words in the language named. Absent: English (what the API took before it asked).
 */
export const TextLanguage = z
  .enum(noticeLanguages as [string, ...string[]])
  .optional()
  .describe(
    "The language this text is written in (default en). Write it in the request's noticeLanguage; in any other, the requester gets it labelled as the officer's own words in that language",
  );
/** A reason the requester is told (a rejection, an extension), in the language `textLanguage` names. */
const ToldReason = z
  .string()
  .trim()
  .min(1)
  .max(1000)
  .describe("Told to the requester: write it in their noticeLanguage");
/** A reason the requester is told (a rejection): the text and the language it is written in. */
export const NoticeReasonBody = z
  .object({
    reason: ToldReason,
    textLanguage: TextLanguage,
  })
  .strict();
export const OptionalReasonBody = z
  .object({ reason: z.string().trim().min(1).max(1000).optional() })
  .strict();
export const ExtendBody = z
  .object({
    until: z.iso.datetime({ offset: true }),
    reason: ToldReason,
    textLanguage: TextLanguage,
  })
  .strict();

/** The request as the API returns it (fields may be added). */
export const RequestView = z
  .object({
    id: z.string(),
    kind: RequestKind,
    status: RequestStatus,
    scope: z.object({ type: z.string() }).loose(),
    createdAt: z.string(),
    language: z.string().describe("The language the requester asked for"),
    noticeLanguage: z
      .string()
      .describe(
        "The language the requester's notices are written in (language, or en when we do not write it yet): staff texts sent to them (reasons, replies) should be written in it, with textLanguage",
      ),
    dueAt: z.string().optional(),
    daysLeft: z.number().int().optional(),
    overdue: z.boolean(),
    onHold: z.boolean(),
    allowedActions: z
      .array(z.string())
      .describe(
        "What the caller may do next. For staff: exactly what their role may do now, in the routes' words (approve, reject, extend, hold, release, retry, reactivate, assign, respond, resolve); for anyone else: the request's next steps",
      ),
    requestToken: z.string().optional(),
    processors: z
      .array(
        z.union([
          // Staff and the account's owner: the partner by name, with its task.
          NamedProcessorLine.extend({ taskId: z.string(), overdue: z.boolean() }).strict(),
          // Anyone else: a position, never a name (Privacy Policy §4).
          NeutralProcessorLine.extend({ overdue: z.boolean() }).strict(),
        ]),
      )
      .optional()
      .describe(
        "Each service partner told of the request (erasure, withdrawal, correction), and where it stands",
      ),
  })
  .loose()
  .meta({ id: "RequestView" });

export const RequestList = z
  .object({
    items: z.array(RequestView),
    continuationToken: z.string().optional(),
  })
  .meta({ id: "RequestList" });

export const AuditView = z.object({
  requestId: z.string(),
  chain: z.object({
    valid: z.boolean(),
    headHash: z.string(),
    brokenAt: z.number().int().optional(),
    /** Staff: the chain against every anchor of it in the append-only record (docs/audit-anchoring.md). */
    anchored: z
      .object({
        valid: z.boolean(),
        anchors: z.number().int(),
        latest: z
          .object({ name: z.string(), sealedAt: z.string(), seq: z.number().int(), hash: z.string() })
          .optional(),
        brokenAt: z.number().int().optional(),
        reason: z.enum(["truncated", "rewritten"]).optional(),
      })
      .loose()
      .optional(),
  }),
  events: z.array(z.object({ at: z.string(), action: z.string() }).loose()),
});
