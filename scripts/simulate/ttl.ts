import type { Ports } from "../../src/ports";
import type { Doc, DocumentCollection, DocumentStore } from "../../src/ports/document-store";
import type { Runtime } from "../../src/runtime";

interface Expiring {
  container: string;
  id: string;
  pk: string;
  expiresAt: number;
}

const WRITES = new Set(["create", "replace", "upsert"]);

/**
 * Cosmos DB's per-item time to live, which the embedded emulator does not implement: a document of the
 * service's own containers written with `ttl` (seconds) is deleted that long after its last write, on the
 * simulation's clock. Without it every run record, idempotency record and rotated backup holding would stay for
 * the whole year, and since every emulator query scans its whole container, each timer would cost more each
 * month than it does in Azure. The service is never told: its documents simply go, as Cosmos deletes them.
 * https://learn.microsoft.com/azure/cosmos-db/nosql/time-to-live ("the item expires after ttl seconds since its
 * last modified time"). Only the service database's containers, which enable TTL per item (`defaultTtl: -1`);
 * platform containers are left alone, so the retention sweep, not a backstop, is what the checks see.
 */
export class CosmosTimeToLive {
  private readonly expiring = new Map<string, Expiring>();
  /** Documents deleted because their time to live ran out. */
  expired = 0;

  constructor(
    private readonly rt: Runtime,
    /** Deletes a document of the service database straight in the store (not through the service's ports). */
    private readonly remove: (container: string, id: string, pk: string) => Promise<void>,
  ) {}

  install(): void {
    const ports = this.rt.app.ports as { -readonly [P in keyof Ports]: Ports[P] };
    const base = ports.documents;
    ports.documents = {
      ping: () => base.ping(),
      collection: (db, name) => {
        const c = base.collection(db, name);
        if (db !== "service") return c;
        return new Proxy(c, {
          get: (target, prop, receiver) => {
            const v = Reflect.get(target, prop, receiver) as unknown;
            if (typeof v !== "function" || !WRITES.has(String(prop))) return v;
            return async (...args: unknown[]) => {
              const written = await (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
              this.wrote(name, args[0] as Doc & { pk?: unknown; ttl?: unknown });
              return written;
            };
          },
        }) as DocumentCollection;
      },
    } satisfies DocumentStore;
  }

  private wrote(container: string, doc: Doc & { pk?: unknown; ttl?: unknown }): void {
    const pk = doc.pk;
    if (typeof pk !== "string") return;
    const key = `${container}\u0000${pk}\u0000${doc.id}`;
    const ttl = doc.ttl;
    if (typeof ttl === "number" && ttl > 0)
      this.expiring.set(key, {
        container,
        id: doc.id,
        pk,
        expiresAt: this.rt.app.ports.clock.now().getTime() + ttl * 1000,
      });
    else this.expiring.delete(key);
  }

  /**
   * Deletes what has expired by `now`, once a simulated day (Cosmos deletes in the background; the service
   * already reads an expired idempotency record as absent, so a day's lag changes nothing it decides).
   */
  async expire(now: number): Promise<void> {
    for (const [key, e] of this.expiring) {
      if (e.expiresAt > now) continue;
      this.expiring.delete(key);
      await this.remove(e.container, e.id, e.pk);
      this.expired += 1;
    }
  }
}
