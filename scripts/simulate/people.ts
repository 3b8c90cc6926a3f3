import { hashWhatsAppNumber } from "../../src/domain/subject";
import type { Api } from "./api";
import type { ClockDriver } from "./clock";
import { hours } from "./clock";
import type { Inspector } from "./inspector";
import type { Rng } from "./rng";
import type { AccountErasurePlan, Traffic, TrafficKind } from "./traffic";
import type { World } from "./world";

const DAY = 86_400_000;

/** The privacy officer's other work: breaches and their Board reports, restores of a damaged tenant. */
export class People {
  /** Requests staff retried after a recorded failure (the recovery of faults inside request execution). */
  readonly retried = new Set<string>();

  constructor(
    private readonly api: Api,
    private readonly world: World,
    private readonly rng: Rng,
    private readonly clock: ClockDriver,
    private readonly inspector: Inspector,
    private readonly traffic: Traffic,
  ) {}

  /** Two breaches, a third and two thirds of the way through; each reported to the Board within 72 hours. */
  planBreaches(start: number, days: number): void {
    for (const share of [0.3, 0.7]) {
      const at = start + Math.max(1, Math.floor(days * share)) * DAY + hours(11);
      this.clock.at(at, "breach", () => this.breach());
    }
  }

  private async breach(): Promise<void> {
    const officer = await this.world.token("privacy_officer");
    const discoveredAt = new Date(this.clock.now() - this.rng.int(1, 12) * 3_600_000).toISOString();
    const affected = this.world
      .activeTenants()
      .slice(0, 3)
      .map((t) => t.tenantId);
    const res = await this.api.expect([201], "POST", "/v1/breaches", {
      token: officer,
      body: {
        discoveredAt,
        nature: "A support export with contact names and numbers was readable by a wrong link for two hours.",
        dataCategories: ["conversations", "messages"],
        tenantsAffected: affected,
        principalsAffected: { estimated: 120 },
        likelyConsequences:
          "Someone may have seen your name and number, and could send you unwanted messages.",
        measuresTaken: "We disabled the link within two hours, rotated keys and reviewed access logs.",
        safetySteps: "Do not share codes or pay anyone who messages you claiming to be from the business.",
      },
    });
    const id = res.body.id as string;
    this.world.breaches.push({ id, discoveredAt });
    // Filed within 44 hours: the officer's batch may run up to a day after that, still inside 72.
    const reportAt = Date.parse(discoveredAt) + this.rng.int(hours(12), hours(44));
    this.clock.at(reportAt, "board report", async () => {
      await this.api.expect([200], "POST", `/v1/breaches/${id}/board-report`, {
        token: await this.world.token("privacy_officer"),
        body: { reference: `DPB/2026/${this.rng.int(100000, 999999)}` },
      });
    });
  }

  /** A backup set of every tenant (the officer's POST /v1/backups: the set is written by its job). */
  async backup(): Promise<void> {
    await this.api.expect([202], "POST", "/v1/backups", { token: await this.world.token("privacy_officer") });
  }

  /** A tenant's messages damaged (deleted outside the service) and restored from the newest backup set. */
  planRestores(start: number, days: number): void {
    for (const share of [0.25, 0.75]) {
      const at = start + Math.max(2, Math.floor(days * share)) * DAY + hours(14);
      this.clock.at(at, "restore", () => this.restore());
    }
  }

  private async restore(): Promise<void> {
    const officer = await this.world.token("privacy_officer");
    const candidates = this.world
      .activeTenants()
      .filter(
        (t) => !t.damaged && t.reactivated === 0 && t.contacts.every((n) => !this.world.erasedNumbers.has(n)),
      );
    if (candidates.length === 0) return;
    const t = this.rng.pick(candidates);
    const sets = await this.api.expect([200], "GET", "/v1/backups", { token: officer });
    const set = (sets.body.items as { id: string; status: string }[]).find((s) => s.status === "active");
    if (!set) return;
    t.damaged = true;
    const before = await this.inspector.tenantCounts(t.tenantId);
    for (const doc of await this.inspector.tenantDocs("messages", "tenantId", t.tenantId))
      await this.inspector.deletePlatformDoc("messages", doc.id, t.tenantId);
    const res = await this.api.call("POST", `/v1/backups/${set.id}/restore`, {
      token: officer,
      body: { tenantId: t.tenantId },
    });
    this.world.restores.push({
      tenantId: t.tenantId,
      setId: set.id,
      day: this.world.day,
      status: res.status,
      before,
      after: await this.inspector.tenantCounts(t.tenantId),
    });
    t.damaged = false;
  }

  /**
   * The privacy officer's morning (GET /v1/sla): a request whose execution failed (the executor records the step
   * it reached) is retried from there (POST …/retry), as the runbook says; corrections and nominees' requests
   * waiting for review are reviewed and approved.
   */
  async review(): Promise<void> {
    const officer = await this.world.token("privacy_officer");
    let continuationToken: string | undefined;
    do {
      const query = continuationToken ? `?continuationToken=${encodeURIComponent(continuationToken)}` : "";
      const res = await this.api.expect([200], "GET", `/v1/sla${query}`, { token: officer });
      for (const item of res.body.items as {
        id: string;
        kind: string;
        status: string;
        failure?: unknown;
        awaitingReview?: boolean;
      }[]) {
        if (item.failure) {
          const retried = await this.api.call("POST", `/v1/requests/${item.id}/retry`, { token: officer });
          if (retried.status === 200) this.retried.add(item.id);
        } else if (item.awaitingReview || (item.kind === "correction" && item.status === "verified")) {
          // A nominee's evidence, or a correction, reviewed and approved.
          await this.api.expect([200], "POST", `/v1/requests/${item.id}/approve`, {
            token: officer,
            body: { reason: "Reviewed against the records held" },
          });
        }
      }
      continuationToken = res.body.continuationToken as string | undefined;
    } while (continuationToken);
  }

  /**
   * The small configuration: every kind of request on the first day, so every fault finds its work. The first
   * three deletions are kept to their purge (their messages meet the forced message faults and the purge's
   * crash, in that order: see forceEveryFault), the fourth is reactivated on day 15, the fifth held for a week.
   */
  everyKindOnce(start: number): void {
    const plan: [TrafficKind, AccountErasurePlan?][] = [
      ["account_erasure", "keep"],
      ["account_erasure", "keep"],
      ["account_erasure", "keep"],
      ["number_erasure"],
      ["access"],
      ["grievance"],
      ["consent_withdrawal"],
      ["correction"],
      ["nomination"],
      ["account_erasure", "reactivate"],
      ["account_erasure", "hold"],
      ["number_erasure"],
      ["access"],
    ];
    plan.forEach(([kind, fate], i) =>
      this.clock.at(start + hours(8) + i * hours(1), kind, () =>
        kind === "account_erasure" ? this.traffic.accountErasure(fate) : this.traffic.request(kind),
      ),
    );
    this.clock.at(start + DAY + hours(10), "nominee_request", () => this.traffic.request("nominee_request"));
  }

  /** Requests open (verified, clock running) at the end of a day, and created that day, from the store. */
  async openCount(start: number, day: number): Promise<{ open: number; created: number }> {
    const rows = await this.inspector.query<{ status: string; createdAt: string }>(
      this.inspector.service("requests"),
      "SELECT c.status, c.createdAt FROM c WHERE c.docType = 'request'",
    );
    const from = start + day * DAY;
    return {
      open: rows.filter(
        (r) => !["completed", "cancelled", "rejected", "pending_verification"].includes(r.status),
      ).length,
      created: rows.filter((r) => Date.parse(r.createdAt) >= from && Date.parse(r.createdAt) < from + DAY)
        .length,
    };
  }

  /**
   * A deliberately broken promise (`--break-promise leftover_record`, tests only): a message of an erased number
   * written back into the store after its erasure completed, as a bug that missed a record would leave it.
   */
  async leaveARecordBehind(hashKey: Buffer): Promise<void> {
    const erased = [...this.world.requests.values()].find((r) => r.kind === "erasure" && r.number);
    const tenant = this.world.tenants[0];
    if (!erased?.number || !tenant) throw new Error("no completed number erasure to leave a record of");
    await this.inspector.upsertPlatformDoc("messages", {
      id: `sim-leftover-${erased.id.slice(-8)}`,
      tenantId: tenant.tenantId,
      contactHash: hashWhatsAppNumber(hashKey, erased.number),
      text: "a message the erasure missed",
    });
  }
}
