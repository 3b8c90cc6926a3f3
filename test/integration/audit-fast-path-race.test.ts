import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flushAuditOutbox, stageAuditEvent } from "../../src/app/requests/audit-outbox";
import { AuditLog } from "../../src/app/audit/audit-log";
import { buildStores } from "../../src/app/stores/stores";
import { startTestHost, type TestHost } from "../support/host";
import { observedStore } from "../support/ports";

let host: TestHost;
beforeAll(async () => {
  host = await startTestHost();
});
afterAll(async () => {
  await host?.stop();
});

/** Sanity check (passes): instances with their own remembered links, racing, crashing between steps. */
describe("audit fast path under races (review)", () => {
  it("never forks, skips or doubles an event", async () => {
    const res = await host.call("POST", "/v1/requests", {
      body: { kind: "erasure", scope: { type: "whatsapp_number", phone: "+919855501234" } },
      headers: { "x-forwarded-for": "10.99.1.1" },
    });
    const id = res.body.id as string;
    // Another instance: its own ports over the same containers, and its own stores over them.
    const instance = () => {
      const ports = {
        ...host.runtime.app.ports,
        documents: observedStore(host.runtime.app.ports.documents, () => {}),
      };
      return { ports, stores: buildStores(ports) };
    };
    const keys: string[] = [];
    const worker = async (app: ReturnType<typeof instance>, n: number) => {
      const store = app.stores.requests;
      const audit = new AuditLog(app);
      for (let i = 0; i < n; i++) {
        const seen = audit.lastSeen(id);
        let key = "";
        let written;
        for (;;) {
          try {
            written = await store.update(id, (doc) => {
              key = stageAuditEvent(doc, { actor: { kind: "system" }, action: `e${i}` });
              return doc;
            });
            break;
          } catch {
            // busy: try again
          }
        }
        const { after, etag } = written;
        keys.push(key);
        if (i % 5 === 4) continue; // "crash" before the flush: someone else moves it later
        if (i % 3 === 0) await audit.append(id, { actor: { kind: "system" }, action: "direct" });
        await flushAuditOutbox(app, id, {
          request: { doc: after, etag },
          staged: { keys: [key], ...(seen ? { after: seen } : {}) },
        }).catch(() => undefined); // a lost race on the clean-up write: left for the next flush
      }
    };
    await Promise.all([worker(instance(), 15), worker(instance(), 15), worker(instance(), 15)]);
    await flushAuditOutbox(host.runtime.app, id);
    const { events, valid } = await new AuditLog(host.runtime.app).verified(id);
    expect(valid).toBe(true);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    for (const k of keys) expect(events.filter((e) => e.key === k)).toHaveLength(1);
  });
});
