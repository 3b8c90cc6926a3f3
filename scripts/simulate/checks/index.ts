import { addDuration } from "../../../src/domain/duration";
import type { Runtime } from "../../../src/runtime";
import type { Api } from "../api";
import type { Faults } from "../faults";
import type { RetainedPayments } from "../aged-records";
import type { Inspector } from "../inspector";
import type { SimulationOptions } from "../options";
import { RECONCILE_MS } from "../faults";
import type { World } from "../world";
import { checkDeadlines } from "./deadlines";
import { checkCertificates, checkChains, readChains } from "./proofs";
import { PROMISES, Promises, type PromiseResult, type SlackSample } from "./promises";
import { checkRecovery } from "./recovery";
import { checkBackups, numberLeftovers, tenantLeftovers } from "./residue";

export interface Checked {
  promises: PromiseResult[];
  slack: SlackSample[];
  backupSets: number;
  chains: number;
}

export interface CheckInput {
  rt: Runtime;
  api: Api;
  inspector: Inspector;
  world: World;
  faults: Faults;
  start: number;
  now: number;
  options: SimulationOptions;
  /** Requests the simulated staff retried after a recorded failure. */
  retried: ReadonlySet<string>;
  /** Payments of accounts purged before the run, retained for tax law until a day of the run. */
  retained: RetainedPayments;
}

/** Every promise, from the stores and the proofs; the service's own views are never taken for it. */
export async function checkAll(input: CheckInput): Promise<Checked> {
  const { rt, api, inspector, world, faults, now } = input;
  const promises = new Promises(PROMISES);
  for (const id of Object.keys(PROMISES)) promises.declare(id);
  const chains = await readChains(inspector);
  const slack = await checkDeadlines(
    {
      inspector,
      world,
      now,
      start: input.start,
      purgeToleranceMs: RECONCILE_MS + 60_000,
      periods: rt.app.policy.periods,
    },
    promises,
    chains,
  );
  await checkChains(rt, chains, promises);

  // Erasures the chains say were carried out (primary deletion done), checked in the stores.
  const stored = new Map((await inspector.serviceDocs("requests", "request")).map((d) => [d.id, d]));
  const erasedTenants: string[] = [];
  const withCertificate: string[] = [];
  for (const r of world.requests.values()) {
    const doc = stored.get(r.id);
    if (r.kind !== "erasure" || !doc || !["purged", "completed"].includes(doc.status as string)) continue;
    if (doc.status === "completed") withCertificate.push(r.id);
    const left = r.tenantId
      ? await tenantLeftovers(inspector, r.tenantId)
      : await numberLeftovers(inspector, rt.app.keys.hash, r.number!, r.blobs ?? []);
    if (r.tenantId) erasedTenants.push(r.tenantId);
    promises.check("erasure_leaves_nothing", left.length === 0, () => `${r.id}: ${left.join(", ")}`);
  }
  const backupSets = await checkBackups(inspector, now, erasedTenants, promises);
  await checkCertificates(
    rt,
    api,
    inspector,
    await world.token("privacy_officer"),
    withCertificate,
    promises,
  );

  for (const re of world.reactivations) {
    const lost = Object.entries(re.before).filter(([category, n]) => {
      const swept = inspector.inventory.find((e) => e.category === category)?.sweep !== undefined;
      return !swept && (re.after[category] ?? 0) < n;
    });
    promises.check(
      "reactivation_loses_nothing",
      lost.length === 0,
      () =>
        `${re.tenantId} (day ${re.dayInWindow}): ${lost.map(([c, n]) => `${c} ${n} → ${re.after[c] ?? 0}`).join(", ")}`,
    );
  }
  for (const r of world.restores) {
    const ok = r.status === 200 && (r.after.messages ?? 0) === (r.before.messages ?? 0);
    promises.check(
      "restore_repairs",
      ok,
      () =>
        `${r.tenantId} from ${r.setId}: answered ${r.status}, messages ${r.before.messages ?? 0} → ${r.after.messages ?? 0}`,
    );
  }
  await checkRetention(inspector, now, promises);
  promises.declare("retention_not_early");
  await input.retained.check(now, promises);
  const dead = rt.dev!.scheduler.deadLettered();
  promises.check("nothing_dead_lettered", dead.length === 0, () =>
    dead.map((j) => `${j.queue} ${j.messageId}`).join(", "),
  );
  for (const e of world.errors)
    promises.check("api_answered", false, () => `day ${e.day}, ${e.what}: ${e.error}`);
  if (world.errors.length === 0) promises.check("api_answered", true, () => "");
  await checkRecovery(inspector, faults, dead, promises, now, chains, input.retried);
  return { promises: promises.list(), slack, backupSets, chains: chains.size };
}

/** Usage records older than their retention (plus the daily sweep's day) must be gone. */
async function checkRetention(inspector: Inspector, now: number, promises: Promises): Promise<void> {
  for (const entry of inspector.inventory) {
    if (!entry.sweep || !entry.retention || entry.store.kind !== "cosmos") continue;
    const docs = await inspector.platformDocs(entry.store.container);
    const field = entry.sweep.ageField;
    const old = docs.filter((d) => {
      const at = Date.parse(String(d[field]));
      return addDuration(new Date(at), entry.retention!.duration).getTime() + 2 * 86_400_000 < now;
    });
    promises.check(
      "retention_swept",
      old.length === 0,
      () => `${entry.category}: ${old.length} record(s) past ${entry.retention!.duration}`,
    );
  }
}
