import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startLocalHost } from "../../src/local/host";
import { Api } from "./api";
import { checkAll } from "./checks";
import { ClockDriver, hours } from "./clock";
import { Faults } from "./faults";
import { Inspector } from "./inspector";
import { FAULT_KINDS, type SimulationOptions } from "./options";
import { Partners } from "./partners";
import type { SimulationReport } from "./report";
import { buildReport } from "./report";
import { Rng } from "./rng";
import { Traffic } from "./traffic";
import { World } from "./world";
import { People } from "./people";

const DAY = 86_400_000;
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
  const hashKey = Buffer.from(rng.hex(32), "hex");
  const host = await startLocalHost({
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
  try {
    const rt = host.runtime;
    const api = new Api(host.url);
    const inspector = new Inspector(host);
    const now = () => rt.app.ports.clock.now().getTime();
    const world = new World(
      (role, tenantId) => rt.dev!.mintToken({ role, ...(tenantId ? { tenantId } : {}) }),
      now,
    );
    const clock = new ClockDriver(api, rt, hours(options.stepHours), (what, e) =>
      world.errors.push({ day: world.day, what, error: e instanceof Error ? e.message : String(e) }),
    );
    const faults = new Faults(
      rt,
      rng,
      options,
      () => world.day,
      (id) => world.kindOf(id),
      (at) => clock.stopAt(at),
    );
    const traffic = new Traffic(api, world, rng, clock, inspector, rt.app.keys.hash);
    const partners = new Partners(api, world, rng, clock, inspector, faults, options);
    const people = new People(api, world, rng, clock, inspector, traffic);

    clock.afterMove = () => partners.pass();
    // Midnight UTC after now: day boundaries are calendar days.
    const start = Math.ceil(now() / DAY) * DAY;
    await clock.moveTo(start);
    log(`seeding ${options.tenants} tenants`);
    await traffic.seedTenants(options.tenants);
    await rt.dev!.seedProcessors();
    faults.install();
    if (options.everyFault) for (const kind of FAULT_KINDS) if (kind !== "clock_jump") faults.force(kind);
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
        (options.everyFault ? day === 3 : rng.chance(options.clockJumpRate));
      if (jump) {
        const days = rng.int(2, 5);
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
      const open = await people.openCount(start, world.day);
      world.openPerDay.push({ day: world.day, ...open });
      // Only the daily review left on the agenda: nothing people still have to do.
      if (open.open === 0 && clock.pendingAgenda() <= 1) break;
    }
    log(`checking (${world.requests.size} requests, ${faults.records.length} faults)`);
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
    });
    log(`clock: ${clock.moves} moves (${clock.calls} calls), ${Math.round(clock.moveMs / 1000)} s`);
    return buildReport({
      options,
      world,
      faults,
      checked,
      traffic: traffic.counts,
      start,
      end: now(),
      runSeconds: (performance.now() - wallStart) / 1000,
    });
  } finally {
    await host.stop();
  }
}
