import type { Api } from "./api";
import type { ClockDriver } from "./clock";
import { hours } from "./clock";
import { mobileNumber, typed } from "./numbers";
import type { Rng } from "./rng";
import { numberBlobs } from "./checks/residue";
import type { Inspector } from "./inspector";
import type { SimRequest, SimTenant, World } from "./world";

const DAY = 86_400_000;

/** What one seeded tenant holds: small, every inventory category present. */
const TENANT_SHAPE = {
  conversations: 2,
  messagesPerConversation: 3,
  audioPerConversation: 1,
  knowledgeBaseFiles: 1,
  members: 1,
  apiKeys: 1,
  bots: 1,
  payments: 2,
  usageRecords: 3,
};

/** The mix of rights requests, as shares of all requests. */
const MIX = [
  ["account_erasure", 0.18],
  ["number_erasure", 0.16],
  ["access", 0.14],
  ["correction", 0.1],
  ["nomination", 0.07],
  ["nominee_request", 0.05],
  ["grievance", 0.15],
  ["consent_withdrawal", 0.15],
] as const;
export type TrafficKind = (typeof MIX)[number][0];
/** What follows an account deletion: nothing (the purge at day 30), a reactivation, or a legal hold. */
export type AccountErasurePlan = "keep" | "reactivate" | "hold";

/**
 * The people of the simulation: owners, the public, nominees, staff and partners, each acting through the
 * HTTP API at times the agenda holds.
 */
export class Traffic {
  private readonly nominations: { id: string; number: string; nomineeEmail: string }[] = [];
  readonly counts: Record<string, number> = {};

  constructor(
    private readonly api: Api,
    private readonly world: World,
    private readonly rng: Rng,
    private readonly clock: ClockDriver,
    private readonly inspector: Inspector,
    private readonly hashKey: Buffer,
  ) {}

  private count(kind: string): void {
    this.counts[kind] = (this.counts[kind] ?? 0) + 1;
  }

  /** Seeds the tenants; a tenth of numbers are contacts of several tenants (1 to 4). */
  async seedTenants(n: number): Promise<void> {
    const shared = Array.from({ length: Math.max(2, Math.round(n / 10)) }, () => mobileNumber(this.rng));
    this.world.sharedNumbers.push(...shared);
    const plans = Array.from({ length: n }, (_, i) => ({
      tenantId: `t-sim-${String(i).padStart(4, "0")}-${this.rng.hex(3)}`,
      contacts: [
        mobileNumber(this.rng),
        mobileNumber(this.rng),
        ...(this.rng.chance(0.3) ? [this.rng.pick(shared)] : []),
      ],
    }));
    // Each shared number in at least two tenants.
    shared.forEach((num, i) => {
      for (const p of [plans[(i * 2) % n]!, plans[(i * 2 + 1) % n]!])
        if (!p.contacts.includes(num)) p.contacts.push(num);
    });
    for (let i = 0; i < plans.length; i += 8) {
      const seeded = await Promise.all(
        plans.slice(i, i + 8).map(async (p) => {
          const res = await this.api.expect([201], "POST", "/_dev/seed", {
            body: { ...TENANT_SHAPE, tenantId: p.tenantId, contacts: p.contacts },
          });
          return { tenantId: p.tenantId, ownerEmail: res.body.ownerEmail as string, contacts: p.contacts };
        }),
      );
      // In plan order, not the order the seeds answered: every later pick of a tenant depends on it.
      for (const t of seeded) this.world.tenants.push({ ...t, reactivated: 0 });
    }
  }

  /** Plans one day's requests at random times of the day. */
  planDay(dayStart: number, expected: number): void {
    const n = this.rng.poisson(expected);
    for (let i = 0; i < n; i++) {
      const at = dayStart + this.rng.int(hours(7), hours(22));
      const kind = this.pickKind();
      this.clock.at(at, kind, () => this.request(kind));
    }
  }

  private pickKind(): TrafficKind {
    let r = this.rng.next();
    for (const [kind, share] of MIX) {
      if (r < share) return kind;
      r -= share;
    }
    return "grievance";
  }

  async request(kind: TrafficKind): Promise<void> {
    switch (kind) {
      case "account_erasure":
        return this.accountErasure();
      case "number_erasure":
        return this.numberErasure();
      case "access":
        return this.ownerRequest("access", {});
      case "correction":
        return this.ownerRequest("correction", {
          corrections: [{ field: "organisation", value: `Renamed Co ${this.rng.hex(2)}` }],
        });
      case "nomination":
        return this.nomination();
      case "nominee_request":
        return this.nomineeRequest();
      case "grievance":
        return this.grievance();
      case "consent_withdrawal":
        return this.consentWithdrawal();
    }
  }

  private activeTenant(): SimTenant | undefined {
    const active = this.world.activeTenants().filter((t) => !t.damaged);
    return active.length ? this.rng.pick(active) : undefined;
  }

  private track(r: SimRequest): void {
    this.world.requests.set(r.id, r);
    this.count(r.kind === "erasure" ? (r.tenantId ? "account_erasure" : "number_erasure") : r.kind);
  }

  /**
   * An owner deletes the account; some reactivate on day 1, 15 or 29; some get a legal hold. `plan` fixes what
   * happens next (the small configuration's deletions each meet their own fault).
   */
  async accountErasure(plan?: AccountErasurePlan): Promise<void> {
    const t = this.activeTenant();
    if (!t) return;
    const before = await this.inspector.tenantCounts(t.tenantId);
    const res = await this.api.expect([201], "POST", "/v1/requests", {
      token: await this.world.token("owner", t.tenantId),
      body: { kind: "erasure", scope: { type: "account", tenantId: t.tenantId } },
    });
    const id = res.body.id as string;
    t.erasureId = id;
    const created = this.clock.now();
    const r: SimRequest = {
      id,
      kind: "erasure",
      day: this.world.day,
      tenantId: t.tenantId,
      channel: "dashboard",
    };
    this.track(r);
    const fate = plan ?? (this.rng.chance(0.3) ? "reactivate" : this.rng.chance(0.15) ? "hold" : "keep");
    if (fate === "reactivate") {
      const day = plan ? 15 : this.rng.pick([1, 15, 29]);
      const at = created + day * DAY + this.rng.int(0, hours(6));
      // On the day planned, not in the next batch: day 29 must stay inside the window.
      this.clock.stopAt(at);
      this.clock.at(at, "reactivation", async () => {
        const answer = await this.api.call("POST", `/v1/accounts/${t.tenantId}/reactivate`, {
          token: await this.world.token("support"),
          body: { reason: `Owner changed their mind (ticket ${this.rng.int(1000, 9999)})` },
        });
        // A request already held or purging cannot be reactivated: that is the policy, not a failure.
        if (answer.status !== 200) return;
        t.erasureId = undefined;
        t.reactivated += 1;
        this.count("reactivation");
        this.world.reactivations.push({
          tenantId: t.tenantId,
          requestId: id,
          dayInWindow: day,
          before,
          after: await this.inspector.tenantCounts(t.tenantId),
        });
      });
    } else if (fate === "hold") {
      const placeAt = created + (plan ? 5 : this.rng.int(2, 25)) * DAY;
      const releaseAt = placeAt + (plan ? 7 : this.rng.int(3, 20)) * DAY;
      this.clock.at(placeAt, "legal hold", async () => {
        const placedAt = this.clock.now();
        const held = await this.api.call("POST", `/v1/requests/${id}/hold`, {
          token: await this.world.token("privacy_officer"),
          body: { reason: "Legal hold: notice from counsel in a pending dispute" },
        });
        if (held.status !== 200) return;
        r.hold = { placedAt };
        this.count("legal_hold");
        this.clock.at(releaseAt, "hold release", async () => {
          // Before the call: a purge already due starts inside it, and must not count as before the release.
          const releasedAt = this.clock.now();
          await this.api.expect([200], "POST", `/v1/requests/${id}/release`, {
            token: await this.world.token("privacy_officer"),
            body: { reason: "Dispute settled: hold lifted" },
          });
          r.hold!.releasedAt = releasedAt;
        });
      });
    }
  }

  /** Someone asks for their number's data to be erased, typing it any way, and verifies with the code. */
  async numberErasure(): Promise<void> {
    const holders = this.world.activeTenants();
    const candidates = [
      ...this.world.sharedNumbers,
      ...holders.flatMap((t) => t.contacts.slice(0, 1)),
    ].filter((n) => !this.world.erasedNumbers.has(n));
    if (candidates.length === 0) return;
    const number = this.rng.chance(0.5) ? this.rng.pick(this.world.sharedNumbers) : this.rng.pick(candidates);
    if (this.world.erasedNumbers.has(number)) return;
    this.world.erasedNumbers.add(number);
    const blobs = await numberBlobs(this.inspector, this.hashKey, number);
    const id = await this.publicVerified(
      { kind: "erasure", scope: { type: "whatsapp_number", phone: typed(this.rng, number) } },
      number,
    );
    if (id) this.track({ id, kind: "erasure", day: this.world.day, number, channel: "public", blobs });
  }

  private async ownerRequest(kind: "access" | "correction", extra: Record<string, unknown>): Promise<void> {
    const t = this.activeTenant();
    if (!t) return;
    const res = await this.api.call("POST", "/v1/requests", {
      token: await this.world.token("owner", t.tenantId),
      body: { kind, scope: { type: "account", tenantId: t.tenantId }, ...extra },
    });
    // One open request of a kind per account: asking again returns it (200).
    if (res.status === 200) return;
    if (res.status !== 201) throw new Error(`${kind} answered ${res.status}: ${JSON.stringify(res.body)}`);
    this.track({
      id: res.body.id as string,
      kind,
      day: this.world.day,
      tenantId: t.tenantId,
      channel: "dashboard",
    });
  }

  private async nomination(): Promise<void> {
    const t = this.activeTenant();
    if (!t) return;
    const number = t.contacts[1]!;
    if (this.world.erasedNumbers.has(number)) return;
    const nomineeEmail = `nominee.${this.rng.hex(3)}@example.in`;
    const id = await this.publicVerified(
      {
        kind: "nomination",
        scope: { type: "whatsapp_number", phone: typed(this.rng, number) },
        nominee: { name: "Meera Iyer", relation: "sister", email: nomineeEmail },
      },
      number,
    );
    if (!id) return;
    // One nomination is in force per number: a newer one replaces the one before (its nominee can no longer act).
    for (let i = this.nominations.length - 1; i >= 0; i--)
      if (this.nominations[i]!.number === number) this.nominations.splice(i, 1);
    this.nominations.push({ id, number, nomineeEmail });
    this.track({ id, kind: "nomination", day: this.world.day, number, channel: "public" });
  }

  /** A nominee acts for the principal: staff review the evidence (their morning review) before it runs. */
  private async nomineeRequest(): Promise<void> {
    const live = this.nominations.filter((n) => !this.world.erasedNumbers.has(n.number));
    if (live.length === 0) return this.grievance();
    const n = this.rng.pick(live);
    const id = await this.publicVerified(
      {
        kind: "access",
        onBehalfOf: { nominationId: n.id, evidenceRef: `MC/2026/${this.rng.int(100, 999)}` },
      },
      n.nomineeEmail,
    );
    if (!id) return;
    this.track({
      id,
      kind: "access",
      day: this.world.day,
      number: n.number,
      channel: "public",
      onBehalf: true,
    });
    this.count("nominee_request");
  }

  /** A complaint from the public; staff resolve it within days (sometimes near the 15-day limit). */
  async grievance(): Promise<void> {
    const email = `complainant.${this.rng.hex(4)}@example.in`;
    const res = await this.api.expect([201], "POST", "/v1/requests", {
      body: { kind: "grievance", contact: { email }, details: { summary: "I keep getting messages." } },
    });
    const id = res.body.id as string;
    this.track({ id, kind: "grievance", day: this.world.day, channel: "public" });
    const resolveAt = this.clock.now() + this.rng.int(hours(4), 13 * DAY);
    this.clock.at(resolveAt, "grievance resolution", async () => {
      await this.api.expect([200], "POST", `/v1/requests/${id}/respond`, {
        token: await this.world.token("support"),
        body: { message: "We have asked the business to stop messaging your number." },
      });
      await this.api.expect([200], "POST", `/v1/requests/${id}/resolve`, {
        token: await this.world.token("support"),
        body: { resolution: "The business confirmed it removed your number from its campaigns." },
      });
    });
  }

  private async consentWithdrawal(): Promise<void> {
    const t = this.activeTenant();
    if (!t) return;
    const number = t.contacts[0]!;
    if (this.world.erasedNumbers.has(number)) return;
    const id = await this.publicVerified(
      {
        kind: "consent_withdrawal",
        scope: { type: "whatsapp_number", phone: typed(this.rng, number) },
        purposes: [this.rng.pick(["marketing_email", "analytics", "whatsapp_messaging"])],
      },
      number,
    );
    if (id) this.track({ id, kind: "consent_withdrawal", day: this.world.day, number, channel: "public" });
  }

  /** A public request verified with the code the outbox holds for `to`; undefined when refused (limits). */
  private async publicVerified(body: Record<string, unknown>, to: string): Promise<string | undefined> {
    const created = await this.api.call("POST", "/v1/requests", { body });
    if (created.status === 200) return undefined;
    if (created.status !== 201)
      throw new Error(`${String(body.kind)} answered ${created.status}: ${JSON.stringify(created.body)}`);
    const id = created.body.id as string;
    const token = created.body.requestToken as string;
    const code = await this.api.latestCode(to);
    if (!code) throw new Error(`no verification code reached the requester of ${String(body.kind)}`);
    await this.api.expect([200], "POST", `/v1/requests/${id}/verification`, {
      requestToken: token,
      body: { code },
    });
    return id;
  }
}
