import type { AppContext } from "./app/context";
import type { LocalScheduler } from "./adapters/embedded/local-scheduler";
import type { OperationMeter } from "./adapters/metering/operation-meter";
import type { Config } from "./config/schema";
import type { Authenticator, Role } from "./http/auth";
import type { LoggerFactory } from "./ports/logger";
import type { Notification } from "./ports/notifier";
import type { SeedOptions, SeedResult } from "./app/seed";

/** What the local host adds for development: never built in the azure profile. */
export interface DevTools {
  /** Moves the clock to `to` (never back), delivers the scheduled messages then due and runs the timers. */
  advanceClock(to: Date): Promise<Date>;
  /** Delivers the scheduled messages due now; the local host calls it every second. */
  deliverDue(): Promise<number>;
  /** The local scheduler itself (the ports hold it metered): what waits, what was dead-lettered. */
  scheduler: LocalScheduler;
  outbox(to?: string): Notification[];
  /** What was published to service partners' Service Bus topics (the local stand-in's record). */
  partnerTopics(topic?: string): { topic: string; id: string; body: string }[];
  /** Writes the demo processor register (docs/processors.md); entries already there are left alone. */
  seedProcessors(): Promise<number>;
  mintToken(claims: { role: Role; tenantId?: string; subject?: string }): Promise<string>;
  seed(options: SeedOptions): Promise<SeedResult & { ownerToken: string }>;
}

/** Everything a function handler may use, built once per process by the composition root. */
export interface Runtime {
  /** The HTTP edge reads its limits here (MAX_BODY_BYTES, TRUSTED_PROXY_HOPS). */
  config: Config;
  auth: Authenticator;
  /**
   * What the use cases get, and the one way routes and triggers reach the world: `app.ports`, `app.stores`,
   * `app.inventory`, `app.keys.hash` (the keyed hashes of numbers and emails).
   */
  app: AppContext;
  /** Counts every store operation the ports make (src/adapters/metering): the bench and budgets read it. */
  meter: OperationMeter;
  /**
   * Makes the logger of one invocation (process-wide; the logger itself is per invocation and goes to use
   * cases as an argument, never into `app`). In Azure the host's invocation context is preferred.
   */
  logs: LoggerFactory;
  dev?: DevTools;
}
