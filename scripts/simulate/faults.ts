import { AsyncLocalStorage } from "node:async_hooks";
import type { Ports } from "../../src/ports";
import type { BlobStore } from "../../src/ports/blob-store";
import type { DocumentCollection, DocumentStore } from "../../src/ports/document-store";
import type { QueueName, ScheduledMessage, Scheduler } from "../../src/ports/scheduler";
import type { Runtime } from "../../src/runtime";
import { functionTable } from "../../src/function-table";
import type { FaultKind, SimulationOptions } from "./options";
import type { Rng } from "./rng";

/** What recovers a fault: the service's own mechanisms, never the simulation. */
export type Recovery =
  | "redelivery from checkpoint"
  | "reconciliation timer"
  | "idempotent handler"
  | "due-time check and reconciliation"
  | "staff retry from checkpoint"
  | "next timer run"
  | "overdue escalation, then staff resolution"
  | "timers catch up";

/** What a fault was done to, so the checks can tell whether that work finished after all. */
export type Target =
  | { type: "request"; id: string }
  | { type: "backup"; id: string }
  | { type: "processor-task"; id: string }
  | { type: "none" };

export interface FaultRecord {
  id: number;
  kind: FaultKind;
  at: string;
  day: number;
  target: Target;
  recoveredBy: Recovery;
  /** Filled by the checks at the end: did the work the fault hit finish as the policy says? */
  recovered?: boolean;
  note?: string;
}

/** The queue a background job runs from, and its message, for the store wrappers to know who writes. */
interface Delivery {
  queue: QueueName;
  body: Record<string, unknown>;
  /** Store writes left before this delivery's injected crash (undefined: no crash armed). */
  crashIn?: number;
  crashKind?: FaultKind;
  crashTarget?: Target;
  /** The crash was the forced one (given back if the job ends before it). */
  forced?: boolean;
  /** The process "died" at the crash: nothing it does after reaches a store, until the message comes again. */
  dead?: boolean;
}

/** How often Azure runs the reconciliation timers (hourly): the bound on a purge whose message went astray. */
export const RECONCILE_MS = 3_600_000;

const QUEUES_WITH_FAULTS: readonly QueueName[] = ["account-purge", "backup-rotation"];
const WRITES = new Set(["create", "replace", "upsert", "patch", "delete"]);

/** An error as the SDKs throw for a transient failure (the service treats it as any failed call). */
class InjectedFault extends Error {
  readonly statusCode = 503;
  constructor(what: string) {
    super(`injected fault: ${what}`);
  }
}

/**
 * The fault injectors: wrappers around the runtime's ports (documents, blobs, scheduler) and around the local
 * scheduler's delivery, installed once. Rates come from the options; `force` makes the next chance of a kind
 * certain (the small configuration injects every kind at least once).
 */
export class Faults {
  readonly records: FaultRecord[] = [];
  /** Deliveries made and wall time taken, per queue (where a run's time went). */
  readonly deliveries: Record<string, { runs: number; ms: number }> = {};
  private readonly context = new AsyncLocalStorage<Delivery>();
  private readonly forced = new Set<FaultKind>();
  private readonly forcedQueue = new Map<FaultKind, QueueName>();
  /** Whether the simulation's own HTTP traffic is in flight (store faults are background-only). */
  private enabled = true;

  constructor(
    private readonly rt: Runtime,
    private readonly rng: Rng,
    private readonly options: SimulationOptions,
    private readonly day: () => number,
    private readonly kindOf: (requestId: string) => string | undefined,
    /**
     * Asks the clock to stop at the first run of the reconciliation timer for `queue` after `due` (a purge whose
     * message went astray is found there, as Azure's timer would find it).
     */
    private readonly stopAtReconciliation: (queue: QueueName, due: number) => void,
  ) {}

  /**
   * Makes the next opportunity of `kind` certain; for a message fault, the next message on `queue` (the small
   * configuration puts two on account purges and two on rotations, so each promise meets one, whatever order
   * the service schedules its messages in).
   */
  force(kind: FaultKind, queue?: QueueName): void {
    this.forced.add(kind);
    if (queue) this.forcedQueue.set(kind, queue);
  }

  /** Whether `kind` was forced (and takes the force): for faults decided outside the port wrappers. */
  takeForced(kind: FaultKind): boolean {
    return this.forced.delete(kind);
  }

  pause(): void {
    this.enabled = false;
  }

  /** A forced fault still fires while paused: the small configuration promises every kind at least once. */
  private chance(kind: FaultKind, rate: number, queue?: QueueName): boolean {
    const forcedHere = this.forced.has(kind) && (this.forcedQueue.get(kind) ?? queue) === queue;
    if (forcedHere) {
      this.forced.delete(kind);
      return true;
    }
    return this.enabled && this.rng.chance(rate);
  }

  record(kind: FaultKind, target: Target, recoveredBy: Recovery, note?: string): FaultRecord {
    const r: FaultRecord = {
      id: this.records.length + 1,
      kind,
      at: this.rt.app.ports.clock.now().toISOString(),
      day: this.day(),
      target,
      recoveredBy,
      ...(note ? { note } : {}),
    };
    this.records.push(r);
    return r;
  }

  install(): void {
    const ports = this.rt.app.ports as { -readonly [P in keyof Ports]: Ports[P] };
    ports.documents = this.documents(ports.documents);
    ports.blobs = this.blobs(ports.blobs);
    ports.scheduler = this.scheduler(ports.scheduler);
    this.wrapDelivery();
  }

  /** The same dispatch the composition root wires, inside a context naming the job (and maybe its crash). */
  private wrapDelivery(): void {
    const table = functionTable({ includeDev: true });
    const rt = this.rt;
    rt.dev!.scheduler.onDeliver(async (queue, body, meta) => {
      const fn = table.find((f) => f.trigger === "queue" && f.queue === queue);
      if (!fn || fn.trigger !== "queue") throw new Error(`no function listens on queue ${queue}`);
      const delivery: Delivery = { queue, body: body as Record<string, unknown> };
      this.armCrash(delivery, meta.deliveryCount);
      const t0 = performance.now();
      try {
        await this.context.run(delivery, () => fn.handle(rt, body, meta));
      } finally {
        const seen = (this.deliveries[queue] ??= { runs: 0, ms: 0 });
        seen.runs += 1;
        seen.ms += performance.now() - t0;
        // A forced crash whose job ended before its write (an early purge returns at once) waits for the next.
        if (delivery.crashIn !== undefined && delivery.forced) this.forced.add(delivery.crashKind!);
      }
    });
  }

  /** A crash at a random step of the job this delivery runs (only on its first delivery: the retry resumes). */
  private armCrash(d: Delivery, deliveryCount: number): void {
    if (deliveryCount !== 1) return;
    const requestId = typeof d.body.requestId === "string" ? d.body.requestId : undefined;
    const setId = typeof d.body.setId === "string" ? d.body.setId : undefined;
    let kind: FaultKind | undefined;
    let target: Target = { type: "none" };
    if (d.queue === "account-purge" && requestId)
      [kind, target] = ["crash_purge", { type: "request", id: requestId }];
    if (d.queue === "backup-sets" && setId) [kind, target] = ["crash_backup", { type: "backup", id: setId }];
    if (d.queue === "backup-rotation" && setId)
      [kind, target] = ["crash_rotation", { type: "backup", id: setId }];
    if (d.queue === "request-execution" && requestId) {
      const k = this.kindOf(requestId);
      if (k === "erasure") kind = "crash_erasure";
      if (k === "access") kind = "crash_export";
      target = { type: "request", id: requestId };
    }
    if (!kind) return;
    // A forced crash is taken by one delivery at a time (a duplicated message is two), and given back if that
    // job ends before its chosen write.
    d.forced = this.forced.delete(kind);
    if (!d.forced && !(this.enabled && this.rng.chance(this.options.crashRate))) return;
    d.crashIn = this.rng.int(1, 6);
    d.crashKind = kind;
    d.crashTarget = target;
  }

  /** Counts a write of the running job; throws the job's crash when its step comes. */
  private step(what: string): void {
    const d = this.context.getStore();
    if (d?.dead) throw new InjectedFault(`${what} after the process crashed`);
    if (!d || d.crashIn === undefined) return;
    d.crashIn -= 1;
    if (d.crashIn > 0) return;
    d.crashIn = undefined;
    d.dead = true;
    this.record(d.crashKind!, d.crashTarget!, "redelivery from checkpoint", `at ${what}`);
    throw new InjectedFault(`process crash at ${what}`);
  }

  private documents(base: DocumentStore): DocumentStore {
    return {
      ping: () => base.ping(),
      collection: (db, name) => {
        const c = base.collection(db, name);
        return new Proxy(c, {
          get: (target, prop, receiver) => {
            const v = Reflect.get(target, prop, receiver) as unknown;
            if (typeof v !== "function") return v;
            const method = String(prop);
            if (!WRITES.has(method))
              return (...args: unknown[]) => {
                if (this.context.getStore()?.dead)
                  return Promise.reject(new InjectedFault("the process crashed"));
                return (v as (...a: unknown[]) => unknown).apply(target, args);
              };
            return (...args: unknown[]) => {
              this.step(`${db}.${name}.${method}`);
              // Transient write failures hit background work only: its delivery is retried by the scheduler.
              if (
                this.context.getStore() &&
                this.chance("store_write_transient", this.options.storeFaultRate)
              ) {
                const d = this.context.getStore()!;
                this.record(
                  "store_write_transient",
                  targetOf(d),
                  "redelivery from checkpoint",
                  `${db}.${name}.${method}`,
                );
                return Promise.reject(new InjectedFault(`${db}.${name}.${method} failed`));
              }
              return (v as (...a: unknown[]) => unknown).apply(target, args);
            };
          },
        }) as DocumentCollection;
      },
    };
  }

  private blobs(base: BlobStore): BlobStore {
    return {
      ...base,
      put: (container, name, body, options) => {
        this.step(`blob.${container}.put`);
        return base.put(container, name, body, options);
      },
      read: (container, name) => base.read(container, name),
      openRead: (container, name) => base.openRead(container, name),
      list: (container, prefix) => base.list(container, prefix),
      count: (container, prefix) => base.count(container, prefix),
      readUrl: (container, name, expiresOn) => base.readUrl(container, name, expiresOn),
      ping: () => base.ping(),
      delete: async (container, name) => {
        this.step(`blob.${container}.delete`);
        const d = this.context.getStore();
        if (d && this.chance("blob_delete_failed", this.options.blobFaultRate)) {
          this.record("blob_delete_failed", targetOf(d), "redelivery from checkpoint", container);
          throw new InjectedFault(`delete of a blob in ${container} failed`);
        }
        return base.delete(container, name);
      },
    };
  }

  /** Service Bus misbehaving: a timer message lost, sent twice, or delivered early or late. */
  private scheduler(base: Scheduler): Scheduler {
    return {
      schedule: async (message: ScheduledMessage) => {
        if (this.context.getStore()?.dead) throw new InjectedFault("the process crashed");
        if (!QUEUES_WITH_FAULTS.includes(message.queue)) return base.schedule(message);
        const target = targetOfMessage(message);
        const rate = this.options.messageFaultRate;
        if (this.chance("message_lost", rate / 4, message.queue)) {
          this.record("message_lost", target, "reconciliation timer", message.queue);
          this.stopAtReconciliation(message.queue, message.deliverAt.getTime());
          return `lost-${this.records.length}`;
        }
        if (this.chance("message_duplicated", rate / 4, message.queue)) {
          this.record("message_duplicated", target, "idempotent handler", message.queue);
          await base.schedule(message);
          return base.schedule(message);
        }
        if (this.chance("message_early", rate / 4, message.queue)) {
          const hours = this.rng.int(1, 48);
          this.record(
            "message_early",
            target,
            "due-time check and reconciliation",
            `${message.queue}, ${hours} h early`,
          );
          this.stopAtReconciliation(message.queue, message.deliverAt.getTime());
          return base.schedule({
            ...message,
            deliverAt: new Date(message.deliverAt.getTime() - hours * 3_600_000),
          });
        }
        if (this.chance("message_late", rate / 4, message.queue)) {
          const hours = this.rng.int(1, 6);
          this.record("message_late", target, "reconciliation timer", `${message.queue}, ${hours} h late`);
          this.stopAtReconciliation(message.queue, message.deliverAt.getTime());
          return base.schedule({
            ...message,
            deliverAt: new Date(message.deliverAt.getTime() + hours * 3_600_000),
          });
        }
        return base.schedule(message);
      },
      cancel: async (queue, ticket) =>
        ticket.startsWith("lost-") ? "not_found" : base.cancel(queue, ticket),
    };
  }
}

function targetOf(d: Delivery): Target {
  if (typeof d.body.requestId === "string") return { type: "request", id: d.body.requestId };
  if (typeof d.body.setId === "string") return { type: "backup", id: d.body.setId };
  return { type: "none" };
}

function targetOfMessage(m: ScheduledMessage): Target {
  if (typeof m.body.requestId === "string") return { type: "request", id: m.body.requestId };
  if (typeof m.body.setId === "string") return { type: "backup", id: m.body.setId };
  return { type: "none" };
}
