import { addDuration } from "../../src/domain/duration";
import type { Inventory } from "../../src/domain/inventory/schema";
import type { Inspector } from "./inspector";
import type { Promises } from "./checks/promises";
import type { Rng } from "./rng";

const DAY = 86_400_000;

/** A payment record of an account purged before the run, retained for tax law until `retainUntil`. */
export interface RetainedPayment {
  id: string;
  tenantId: string;
  retainUntil: number;
}

function taxRetention(inventory: Inventory) {
  const entry = inventory.find((e) => e.category === "payments");
  if (entry?.store.kind !== "cosmos" || entry.onAccountPurge.type !== "anonymise")
    throw new Error("the inventory's payments are not anonymised and retained on a purge");
  return { container: entry.store.container, duration: entry.onAccountPurge.thenRetain.duration };
}

/**
 * The latest minute whose retention (`duration` added, as the purge adds it) ends at or before `until`: seven
 * years back from an estimate a few leap days off, then corrected a minute at a time.
 */
function purgedBefore(until: number, duration: string): number {
  const after = (t: number) => addDuration(new Date(t), duration).getTime();
  let t = until - (after(until) - until);
  t -= t % 60_000;
  while (after(t) > until) t -= 60_000;
  while (after(t + 60_000) <= until) t += 60_000;
  return t;
}

/**
 * The run starts with aged data (a year's clock never reaches seven years): accounts purged almost seven years
 * before it, whose payment records the purge anonymised and retained for tax law. Their `retainUntil` falls on
 * days spread over the run, so the daily retention sweep has them to delete, each on its day. Written straight
 * into the store, in the shape the purge leaves (no billing name, email or phone; `anonymisedAt`, `retainUntil`).
 * Each is looked for again on the day before its retainUntil (it must still be there: never deleted early), and
 * at the end (it must be gone).
 */
export class RetainedPayments {
  readonly seeded: RetainedPayment[] = [];
  /** Whether each record was still in the store on the day before its retainUntil (looked for once). */
  private readonly presentTheDayBefore = new Map<string, boolean>();

  constructor(
    private readonly inspector: Inspector,
    private readonly rng: Rng,
  ) {}

  async seed(start: number, days: number, count: number): Promise<void> {
    const { container, duration } = taxRetention(this.inspector.inventory);
    for (let i = 0; i < count; i++) {
      const retainUntil = start + Math.floor(((i + 0.5) * days) / count) * DAY + this.rng.int(0, DAY - 1);
      const anonymisedAt = purgedBefore(retainUntil, duration);
      const tenantId = `t-sim-former-${String(i).padStart(3, "0")}-${this.rng.hex(2)}`;
      const id = `pay-${tenantId}-0`;
      await this.inspector.upsertPlatformDoc(container, {
        id,
        tenantId,
        orderId: `order_${this.rng.hex(6)}`,
        amountPaise: 99_900,
        currency: "INR",
        gst: { gstin: "27AAACC1234F1Z5", hsnSac: "998314", cgstPaise: 8991, sgstPaise: 8991, igstPaise: 0 },
        status: "captured",
        paidAt: new Date(anonymisedAt - 40 * DAY).toISOString(),
        anonymisedAt: new Date(anonymisedAt).toISOString(),
        retainUntil: new Date(retainUntil).toISOString(),
        retentionBasis: "Legal obligation: GST and Income Tax law",
      });
      this.seeded.push({ id, tenantId, retainUntil });
    }
  }

  /** At the end of a simulated day: the records whose retention ends within the next day must still be there. */
  async lookAhead(now: number): Promise<void> {
    const { container } = taxRetention(this.inspector.inventory);
    for (const p of this.seeded) {
      if (this.presentTheDayBefore.has(p.id) || p.retainUntil <= now || p.retainUntil > now + DAY) continue;
      this.presentTheDayBefore.set(p.id, await this.inspector.platformDocExists(container, p.id, p.tenantId));
    }
  }

  /**
   * Payments retained for tax law are deleted once their seven years have passed (the daily sweep, plus a day),
   * and not before.
   */
  async check(now: number, promises: Promises): Promise<void> {
    const { container } = taxRetention(this.inspector.inventory);
    for (const p of this.seeded) {
      const until = new Date(p.retainUntil).toISOString();
      if (now > p.retainUntil + 2 * DAY)
        promises.check(
          "retention_swept",
          !(await this.inspector.platformDocExists(container, p.id, p.tenantId)),
          () => `payments: ${p.id} kept past its retainUntil ${until}`,
        );
      const before = this.presentTheDayBefore.get(p.id);
      if (before !== undefined)
        promises.check(
          "retention_not_early",
          before,
          () => `payments: ${p.id} deleted on the day before its retainUntil ${until}`,
        );
    }
  }
}
