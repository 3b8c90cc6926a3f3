import type { Inventory } from "../domain/inventory/schema";
import type { Policy } from "../domain/policy/periods";
import type { FlowKey } from "../domain/requests/state-machine";
import type { RequestDoc, RequestStatus } from "../domain/requests/model";
import type { Ports } from "../ports";
import type { Caller } from "./caller";
import type { Stores } from "./stores";
import type { Filing, FilingSubject } from "./filing";

/**
 * What a kind does once its request may run (export, purge, record a withdrawal…). `step` names the
 * stage reached, so a failure says where it stopped and a retry resumes there.
 */
export type Executor = (app: AppContext, request: RequestDoc, step: (name: string) => void) => Promise<void>;

/**
 * What one kind of request does beyond the core flow (src/app/requests/), one optional hook per point
 * where kinds differ. The core calls the hooks and never asks which kind it holds; a kind without a
 * hook gets the core's default, written beside each hook. The entries: src/app/kinds/registry.ts.
 */
export interface KindHandler {
  /**
   * Anyone files it, about a subject or only a contact, with nothing to prove (a grievance): it starts
   * in progress, never joins or holds the subject's one open request, is listed only to the dashboard
   * user who filed it, and staff may enter one that did not arrive by email. Default: a rights request,
   * verified (by JWT or one-time code) before anything happens.
   */
  filedByAnyone?: true;
  /**
   * At filing from the dashboard: refuses a caller who may not ask for this kind (an admin or member
   * asking for what only the account's owner may). Default: any member of the account may file it.
   */
  authorise?(caller: Extract<Caller, { kind: "dashboard" }>): void;
  /**
   * Who the filing is about, when the kind decides that rather than the caller's own standing (a
   * nominee filing for the principal); undefined to let the core decide. A filing `onBehalfOf` someone
   * that no hook resolves is refused.
   */
  resolveSubject?(app: AppContext, caller: Caller, filing: Filing): Promise<FilingSubject | undefined>;
  /**
   * Before the request is stored: the details to store, from the filing's (a nomination seals its
   * nominee's contact into a document of its own). Default: stored as filed.
   */
  beforeCreate?(
    app: AppContext,
    request: { id: string; pk: string },
    details: Record<string, unknown>,
  ): Promise<Record<string, unknown>>;
  /**
   * A request stored already running (verified by JWT, or filed by anyone) is acknowledged at once; the
   * request as it then stands. Default: the "request received" notice.
   */
  acknowledge?(app: AppContext, request: RequestDoc): Promise<RequestDoc>;
  /**
   * POST …/cancel, before the state machine: may answer the cancel itself (the request as it then
   * stands: revoking a recorded nomination) or refuse it (throws); undefined lets the cancel go ahead.
   */
  beforeCancel?(
    app: AppContext,
    caller: Caller,
    request: RequestDoc,
    reason: string | undefined,
  ): Promise<RequestDoc | undefined>;
  /** After a legal hold is placed: what must not happen while it lasts is called off (a waiting purge). */
  afterHold?(app: AppContext, request: RequestDoc): Promise<void>;
  /**
   * POST …/approve, before the state machine: throws when staff may not approve it (a nominee's
   * request without the review note; a team member's filing of an owner-only kind). Default: nothing
   * to approve, the request runs once verified (409).
   */
  approvalCheck?(app: AppContext, request: RequestDoc, reason: string | undefined): Promise<void>;
  /** True while nothing may run for the request, whatever asks (a nominee's request awaiting review). */
  holdsExecution?(request: RequestDoc): boolean;
  /** Default: nothing runs; the request waits in its status for staff (approve/complete) or a timer. */
  execute?: Executor;
  /**
   * The only statuses `execute` does anything in, when that is not every status it is asked in (a
   * correction runs once staff approved it): asked in another, no run is queued at all
   * (src/app/requests/execution.ts).
   */
  runsIn?: readonly RequestStatus[];
  /**
   * An erasure waits, `purged`, until every backup set holding its subject has rotated out (DESIGN §4);
   * the backups feature calls this when none holds it any more, to finish what waited (a certificate, the
   * executor's last step). Default: nothing waits on backups.
   */
  afterBackupsRotated?(app: AppContext, request: RequestDoc): Promise<void>;
  /**
   * An erasure also waits, `purged`, until every service partner told of it confirmed or staff waived it
   * (docs/processors.md); the processors feature calls this when the last one settles. Default: nothing
   * waits on partners (a withdrawal or correction completes when its own stores changed).
   */
  afterProcessorsSettled?(app: AppContext, request: RequestDoc): Promise<void>;
}

/** One handler per flow of the state machine (src/domain/requests/state-machine.ts). */
export type KindRegistry = Record<FlowKey, KindHandler>;

export interface AppKeys {
  /** Keyed hashes of numbers, emails, client addresses and actors. */
  hash: Buffer;
  /** Seals the contact addresses notices must reach. */
  seal: Buffer;
  /** Keys the hashes of one-time codes. */
  code: Buffer;
}

export interface AppContext {
  ports: Ports;
  /** The service's own documents, one typed store per kind, built once from `ports.documents`. */
  stores: Stores;
  inventory: Inventory;
  keys: AppKeys;
  settings: {
    dpoContact: string;
    /** DPB_CONTACT: the Data Protection Board's published channel, in every notice that names the Board. */
    boardContact: string;
    /** PRIVACY_CENTER_URL: the public page for requests without an account (the policy's public channel). */
    privacyCenterUrl?: string;
    privacyOfficerEmail: string;
    /**
     * Days Cosmos DB continuous backup keeps the service's database restorable to a point in time
     * (COSMOS_BACKUP_TIER, the same Bicep value as the account's backup policy): a destroyed backup key
     * document can come back that long (docs/audit-anchoring.md, the certificate's `residualUntil`).
     */
    cosmosRestoreWindowDays: number;
    /** IDEMPOTENCY_TTL_HOURS: how long an Idempotency-Key holds its first answer (default 24). */
    idempotencyKeyTtlHours?: number;
    /** PUBLIC_BASE_URL: where partners send their signed confirmations (docs/processors.md). */
    publicBaseUrl?: string;
    /**
     * The azure profile: a partner's webhook must be https to a name or a public IP address (no loopback,
     * link-local or private literal), so a register entry cannot aim our signed notices inside our network.
     * The local profile and tests keep plain http to loopback for their receivers.
     */
    publicWebhooksOnly?: boolean;
  };
  /**
   * The periods in use (defaults of src/domain/policy/periods.ts with RETENTION_OVERRIDES applied):
   * `app.policy.deadline(now, "erasureCompletion")`, `app.policy.periods.extensionCeiling`.
   */
  policy: Policy;
  /** What each kind does beyond the core request flow (src/app/kinds/registry.ts). */
  kinds: KindRegistry;
}
