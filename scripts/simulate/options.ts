import { parseArgs } from "node:util";
import { z } from "zod";

/** Every fault kind the simulation injects (docs/simulation.md says what recovers each). */
export const FAULT_KINDS = [
  "partner_late",
  "partner_silent",
  "message_lost",
  "message_duplicated",
  "message_early",
  "message_late",
  "crash_purge",
  "crash_erasure",
  "crash_export",
  "crash_backup",
  "crash_rotation",
  "store_write_transient",
  "blob_delete_failed",
  "clock_jump",
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

const Rate = z.coerce.number().min(0).max(1);

/** The run's size and fault rates: flags on the command line, defaults for `npm run simulate`. */
export const SimulationOptions = z
  .object({
    seed: z.coerce.number().int().min(0).default(20260101),
    tenants: z.coerce.number().int().min(2).max(2000).default(200),
    days: z.coerce.number().int().min(31).max(800).default(365),
    /** The clock moves in steps of this many hours (and stops exactly where a promise is timed to the minute). */
    stepHours: z.coerce.number().int().min(1).max(48).default(24),
    /** A fault rate: the chance that one opportunity for the fault (a message, a write, a job) gets it. */
    messageFaultRate: Rate.default(0.05),
    crashRate: Rate.default(0.1),
    storeFaultRate: Rate.default(0.002),
    blobFaultRate: Rate.default(0.02),
    partnerLateRate: Rate.default(0.2),
    partnerSilentRate: Rate.default(0.1),
    clockJumpRate: Rate.default(0.02),
    /** Requests per tenant per year, all kinds together (scaled to `days`). */
    requestsPerTenantYear: z.coerce.number().min(0).max(50).default(1.5),
    /**
     * A backup set of every tenant every this many days (POST /v1/backups; the first on day 1). Each set and
     * the catalogue entries it leaves (a holding per tenant and number, scanned by every emulator query until
     * it expires) cost more than everything else a day does: a daily set of every tenant would not fit the run.
     */
    backupEveryDays: z.coerce.number().int().min(1).max(90).default(30),
    /** RETENTION_OVERRIDES for the host (JSON), e.g. a shorter backupRotation for a short run. */
    retentionOverrides: z.string().optional(),
    out: z.string().min(1).default(".local-data/simulation"),
    /** Every fault kind at least once, early in the run (the small configuration of `npm test`). */
    everyFault: z.coerce.boolean().default(false),
    /** Test only: break a promise on purpose (a leftover record after an erasure) to prove the checks see it. */
    breakPromise: z.enum(["none", "leftover_record"]).default("none"),
    /** Every kind of request on the first day (implied by everyFault). */
    everyKind: z.coerce.boolean().default(false),
  })
  .strict();
export type SimulationOptions = z.infer<typeof SimulationOptions>;

const FLAGS: Record<string, keyof SimulationOptions> = {
  seed: "seed",
  tenants: "tenants",
  days: "days",
  "step-hours": "stepHours",
  "message-fault-rate": "messageFaultRate",
  "crash-rate": "crashRate",
  "store-fault-rate": "storeFaultRate",
  "blob-fault-rate": "blobFaultRate",
  "partner-late-rate": "partnerLateRate",
  "partner-silent-rate": "partnerSilentRate",
  "clock-jump-rate": "clockJumpRate",
  "requests-per-tenant-year": "requestsPerTenantYear",
  "backup-every-days": "backupEveryDays",
  "retention-overrides": "retentionOverrides",
  out: "out",
};

export const USAGE = `usage: npm run simulate -- [flags]

Drives simulated traffic through the local host on the dev clock, injects faults, and checks that every
promise of the policies held (docs/simulation.md). Writes simulation-report.json and simulation-report.html
to --out; exits 1 naming each broken promise, 2 on bad flags.

  --seed <n>                      PRNG seed (default 20260101): the same seed, the same run
  --tenants <n>                   tenants seeded (default 200)
  --days <n>                      simulated days (default 365, at least 31)
  --step-hours <n>                clock step in hours (default 24)
  --message-fault-rate <0..1>     scheduled messages lost / duplicated / early / late (default 0.05)
  --crash-rate <0..1>             crash of a purge, erasure, export, backup or rotation (default 0.1)
  --store-fault-rate <0..1>       transient store write failures (default 0.002)
  --blob-fault-rate <0..1>        failed blob deletes (default 0.02)
  --partner-late-rate <0..1>      service partners confirming late (default 0.2)
  --partner-silent-rate <0..1>    service partners never confirming (default 0.1)
  --clock-jump-rate <0..1>        a day on which the clock jumps several days at once (default 0.02)
  --requests-per-tenant-year <n>  rights requests per tenant per year (default 1.5)
  --backup-every-days <n>         a backup set of every tenant every n days (default 30)
  --retention-overrides <json>    periods for the host, e.g. '{"backupRotation":"P7D"}'
  --out <dir>                     report folder (default .local-data/simulation)
  --every-fault                   inject every fault kind at least once early in the run
  --help                          this text`;

/** The flags as options, or an error message naming the bad flag. */
export function parseOptions(
  argv: string[],
): { options: SimulationOptions } | { help: true } | { error: string } {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        ...Object.fromEntries(Object.keys(FLAGS).map((f) => [f, { type: "string" as const }])),
        "every-fault": { type: "boolean" as const },
        help: { type: "boolean" as const },
      },
    });
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help) return { help: true };
  const input: Record<string, unknown> = {};
  for (const [flag, key] of Object.entries(FLAGS)) if (values[flag] !== undefined) input[key] = values[flag];
  if (values["every-fault"]) input.everyFault = true;
  const result = SimulationOptions.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const flag = Object.entries(FLAGS).find(([, k]) => k === issue.path[0])?.[0] ?? String(issue.path[0]);
    return { error: `--${flag}: ${issue.message}` };
  }
  return { options: result.data };
}
