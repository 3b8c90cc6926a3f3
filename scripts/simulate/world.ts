import type { RequestKind } from "../../src/domain/requests/model";

/** What the simulation remembers of what it did: never what the service says it did. */
export interface SimTenant {
  tenantId: string;
  ownerEmail: string;
  contacts: string[];
  /** The account erasure asked for, if any (cleared by a reactivation). */
  erasureId?: string;
  reactivated: number;
  /** Restored from a backup after damage: its counts are compared after the restore. */
  damaged?: boolean;
}

export interface SimRequest {
  id: string;
  kind: RequestKind;
  day: number;
  tenantId?: string;
  /** E.164 of a WhatsApp-number request's subject. */
  number?: string;
  /** How it was asked: owner's dashboard, public (verified by code), staff. */
  channel: "dashboard" | "public";
  requestToken?: string;
  onBehalf?: boolean;
  /** A number erasure: the audio and transcripts its conversations named before (container/name). */
  blobs?: string[];
  /** A legal hold placed on it (simulated time span, ms). */
  hold?: { placedAt: number; releasedAt?: number };
}

export interface SimBreach {
  id: string;
  discoveredAt: string;
}

export interface RestoreEvent {
  tenantId: string;
  setId: string;
  day: number;
  status: number;
  /** Records per category before the damage, and after the restore (inventory of the stores). */
  before: Record<string, number>;
  after: Record<string, number>;
}

export interface Reactivation {
  tenantId: string;
  requestId: string;
  dayInWindow: number;
  before: Record<string, number>;
  after: Record<string, number>;
}

/** Mints dashboard and staff tokens (12 h of dev-clock life) and keeps each for 6 h of simulated time. */
export type TokenMinter = (
  role: "owner" | "support" | "privacy_officer",
  tenantId?: string,
) => Promise<string>;

export class World {
  readonly tenants: SimTenant[] = [];
  readonly requests = new Map<string, SimRequest>();
  readonly breaches: SimBreach[] = [];
  readonly restores: RestoreEvent[] = [];
  readonly reactivations: Reactivation[] = [];
  /** Numbers held by more than one tenant (contacts of each). */
  readonly sharedNumbers: string[] = [];
  readonly erasedNumbers = new Set<string>();
  /** Open requests per simulated day (for the chart), filled by the clock driver. */
  readonly openPerDay: { day: number; open: number; created: number }[] = [];
  /** Calls that answered what the simulation did not expect: each one a finding. */
  readonly errors: { day: number; what: string; error: string }[] = [];
  /** Clock jumps (an injected fault): a deadline inside one could only be met at its end. */
  readonly jumps: { from: number; to: number }[] = [];
  day = 0;
  private readonly tokens = new Map<string, { token: string; until: number }>();

  constructor(
    private readonly mint: TokenMinter,
    private readonly now: () => number,
  ) {}

  async token(role: "owner" | "support" | "privacy_officer", tenantId?: string): Promise<string> {
    const key = `${role}:${tenantId ?? ""}`;
    const held = this.tokens.get(key);
    if (held && held.until > this.now()) return held.token;
    const token = await this.mint(role, tenantId);
    this.tokens.set(key, { token, until: this.now() + 6 * 3_600_000 });
    return token;
  }

  /** A deadline as it could be met: one that fell inside a clock jump moves to the jump's end. */
  reachable(due: number): number {
    const jump = this.jumps.find((j) => j.from < due && due <= j.to);
    return jump ? jump.to : due;
  }

  kindOf(requestId: string): string | undefined {
    return this.requests.get(requestId)?.kind;
  }

  activeTenants(): SimTenant[] {
    return this.tenants.filter((t) => t.erasureId === undefined);
  }
}
