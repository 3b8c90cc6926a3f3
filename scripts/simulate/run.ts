import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startLocalHost } from "../../src/local/host";
import { Api } from "./api";
import { checkAll } from "./checks";
import { ClockDriver, hours } from "./clock";
import { Faults } from "./faults";
import { Inspector } from "./inspector";
import { FAULT_KINDS, type FaultKind, type SimulationOptions } from "./options";
import type { QueueName } from "../../src/ports/scheduler";
import { Partners } from "./partners";
import type { SimulationReport } from "./report";
import { buildReport, type RunCost, seconds } from "./report";
import { Rng } from "./rng";
import { Traffic } from "./traffic";
import { RetainedPayments } from "./aged-records";
import { AlertCounter } from "./alerts";
import { startCosmosProcess } from "./cosmos-process";
import { ScheduledTimers } from "./timers";
import { CosmosTimeToLive } from "./ttl";
import { World } from "./world";
import { People } from "./people";

const DAY = 86_400_000;

/**
 * Every fault kind once (the small configuration): message faults on the queues where each promise meets them,
 * two on account purges (lost, early: the plan's first two deletions) and two on rotations; the third deletion's
 * purge is delivered as scheduled and crashes. The clock jump is the run loop's (day 3).
 */
function forceEveryFault(faults: Faults): void {
  const queueOf: Partial<Record<FaultKind, QueueName>> = {
    message_lost: "account-purge",
    message_early: "account-purge",
    message_duplicated: "backup-rotation",
    message_late: "backup-rotation",
  };
  for (const kind of FAULT_KINDS) if (kind !== "clock_jump") faults.force(kind, queueOf[kind]);
}
/** After the last day of traffic, the clock runs on (no new traffic, no new faults) until nothing is open. */
const MAX_SETTLE_DAYS = 120;

/**
 * One simulation: the local host on its embedded emulators (or those `env` names), the tenants seeded, then day
 * after day of traffic, staff and partner work and faults on the dev clock, a settling period, and the checks.
 */
export async function runSimulation(
  options: SimulationOptions,
  env: NodeJS.ProcessEnv = {},
  log: (line: string) => void = () => {},
): Promise<SimulationReport> {
  const wallStart = performance.now();
  const rng = new Rng(options.seed);
  const clockRng = rng.stream("clock jumps");
  const hashKey = Buffer.from(rng.hex(32), "hex");
  // Unless `env` names one (the tests' shared emulator), Cosmos runs in a process of its own: a second core.
  const cosmos = env.COSMOS_ENDPOINT ? undefined : await startCosmosProcess();
  let host: Awaited<ReturnType<typeof startLocalHost>>;
  try {
    host = await startLocalHost({
      ...(cosmos ? { COSMOS_ENDPOINT: cosmos.endpoint } : {}),
      DPDP_PROFILE: "local",
      PORT: "0",
      LOCAL_SEED_DEMO: "false",
      LOCAL_HTTP_LOG: "off",
      // Only the dev clock delivers and runs timers: the simulation's time is the only time.
      LOCAL_REALTIME: "off",
      // Backup sets are taken by the simulation's officer on a cadence (options.backupEveryDays), not daily.
      LOCAL_BACKUP_TIMER: "off",
      ...(options.retentionOverrides ? { RETENTION_OVERRIDES: options.retentionOverrides } : {}),
      TRUSTED_PROXY_HOPS: "2",
      LOCAL_DATA_DIR: mkdtempSync(join(tmpdir(), "dpdp-simulation-")),
      SUBJECT_HASH_KEY: hashKey.toString("base64"),
      ...env,
    });
  } catch (e) {
    await cosmos?.stop();
    throw e;
  }
  try {
    const rt = host.runtime;
    const api = new Api(host.url);
    const inspector = new Inspector(host);
    const now = () => rt.app.ports.clock.now().getTime();
    const world = new World(
      (role, tenantId) => rt.dev!.mintToken({ role, ...(tenantId ? { tenantId } : {}) }),
      now,
    );
    const alerts = new AlertCounter();
    alerts.install(rt);
    const ttl = new CosmosTimeToLive(rt, (container, id, pk) =>
      inspector.deleteServiceDoc(container, id, pk),
    );
    ttl.install();
    const timers = new ScheduledTimers(rt);
    timers.install();
    const clock = new ClockDriver(api, rt, hours(options.stepHours), timers, (what, e) =>
      world.errors.push({ day: world.day, what, error: e instanceof Error ? e.message : String(e) }),
    );
    const faults = new Faults(
      rt,
      rng.stream("faults"),
      options,
      () => world.day,
      (id) => world.kindOf(id),
      (queue, due) =>
        clock.stopAtNextRun(queue === "account-purge" ? "reconcileAccountPurges" : "reconcileBackups", due),
    );
    const traffic = new Traffic(api, world, rng.stream("traffic"), clock, inspector, rt.app.keys.hash);
    const partners = new Partners(api, world, rng.stream("partners"), clock, inspector, faults, options);
    const people = new People(api, world, rng.stream("people"), clock, inspector, traffic);

    clock.afterMove = () => partners.pass();
    // Midnight UTC after now: day boundaries are calendar days.
    const start = Math.ceil(now() / DAY) * DAY;
    await clock.moveTo(start);
    log(`seeding ${options.tenants} tenants`);
    await traffic.seedTenants(options.tenants);
    const retained = new RetainedPayments(inspector, rng.stream("aged records"));
    await retained.seed(start, options.days, Math.max(4, Math.round(options.tenants / 10)));
    await rt.dev!.seedProcessors();
    faults.install();
    if (options.everyFault) forceEveryFault(faults);
    if (options.everyFault || options.everyKind) people.everyKindOnce(start);
    people.planBreaches(start, options.days);
    people.planRestores(start, options.days);

    const expectedPerDay = (options.tenants * options.requestsPerTenantYear) / 365;
    let day = 0;
    while (day < options.days) {
      world.day = day;
      const dayStart = start + day * DAY;
      const jump =
        day > 0 &&
        day + 5 < options.days &&
        (options.everyFault ? day === 3 : clockRng.chance(options.clockJumpRate));
      if (jump) {
        const days = clockRng.int(2, 5);
        faults.record("clock_jump", { type: "none" }, "timers catch up", `${days} days at once`);
        const from = clock.now();
        await clock.jump(dayStart + days * DAY);
        world.jumps.push({ from, to: clock.now() });
        for (let d = day; d < day + days; d++)
          world.openPerDay.push({ day: d, ...(await people.openCount(start, d)) });
        day += days;
        continue;
      }
      traffic.planDay(dayStart, expectedPerDay);
      if ((day - 1) % options.backupEveryDays === 0)
        clock.at(dayStart + hours(2), "backup", () => people.backup());
      clock.at(dayStart + hours(10), "staff review", () => people.review());
      await clock.runUntil(dayStart + DAY);
      await retained.lookAhead(clock.now());
      await ttl.expire(clock.now());
      world.openPerDay.push({ day, ...(await people.openCount(start, day)) });
      if (day % 30 === 0) log(`day ${day}: ${world.requests.size} requests, ${faults.records.length} faults`);
      day += 1;
    }
    // Settle: no new traffic or faults; partners, staff and timers finish what is open.
    faults.pause();
    const lastDay = day;
    for (let settle = 0; settle < MAX_SETTLE_DAYS; settle++) {
      world.day = lastDay + settle;
      const dayStart = start + world.day * DAY;
      clock.at(dayStart + hours(10), "staff review", () => people.review());
      await clock.runUntil(dayStart + DAY);
      await retained.lookAhead(clock.now());
      await ttl.expire(clock.now());
      const open = await people.openCount(start, world.day);
      world.openPerDay.push({ day: world.day, ...open });
      // Only the daily review left on the agenda: nothing people still have to do.
      if (open.open === 0 && clock.pendingAgenda() <= 1) break;
    }
    log(`checking (${world.requests.size} requests, ${faults.records.length} faults)`);
    const checkStart = performance.now();
    if (options.breakPromise === "leftover_record") await people.leaveARecordBehind(rt.app.keys.hash);
    const checked = await checkAll({
      rt,
      api,
      inspector,
      world,
      faults,
      start,
      now: now(),
      options,
      retried: people.retried,
      retained,
    });
    const cost: RunCost = {
      clockMoves: clock.moves,
      clockCalls: clock.calls,
      moveSeconds: Math.round(clock.moveMs / 100) / 10,
      checkSeconds: Math.round((performance.now() - checkStart) / 100) / 10,
      timers: seconds(timers.runs),
      deliveries: seconds(faults.deliveries),
      documents: await inspector.containerSizes(),
      expiredByTimeToLive: ttl.expired,
      operations: Object.fromEntries(Object.entries(rt.meter.snapshot().ops).filter(([, n]) => n > 0)),
    };
    log(
      `clock: ${cost.clockMoves} moves (${cost.clockCalls} calls), ${cost.moveSeconds} s; checks ${cost.checkSeconds} s`,
    );
    return buildReport({
      options,
      world,
      faults,
      checked,
      traffic: traffic.counts,
      start,
      end: now(),
      runSeconds: (performance.now() - wallStart) / 1000,
      cost,
      alerts: alerts.counts,
    });
  } finally {
    await host.stop();
    await cosmos?.stop();
  }
}
