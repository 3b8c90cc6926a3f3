import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flushAuditOutbox } from "../../src/app/requests/audit-outbox";
import { AuditLog } from "../../src/app/requests/audit-log";
import { RequestStore } from "../../src/app/requests/request-store";
import { applyAction } from "../../src/app/requests/transition";
import type { Ports } from "../../src/ports";
import type { DocumentCollection, DocumentStore } from "../../src/ports/document-store";
import { startTestHost, type TestHost } from "../support/host";

/** A crash between a status change and its audit event delays the event; it is never lost or doubled. */
let host: TestHost;

beforeAll(async () => {
  host = await startTestHost();
});
afterAll(async () => {
  await host?.stop();
});

function failing(base: DocumentStore, container: string, method: "create" | "replace", times: number) {
  let left = times;
  return {
    ...base,
    ping: () => base.ping(),
    collection(db: "service" | "platform", name: string): DocumentCollection {
      const c = base.collection(db, name);
      if (name !== container) return c;
      return new Proxy(c, {
        get(target, prop, receiver) {
          if (prop === method)
            return async (...args: unknown[]) => {
              if (left-- > 0) throw new Error("crash");
              return (target[method] as (...a: unknown[]) => unknown).apply(target, args);
            };
          const v = Reflect.get(target, prop, receiver) as unknown;
          return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      });
    },
  } as DocumentStore;
}

async function pendingRequest(): Promise<string> {
  const res = await host.call("POST", "/v1/requests", {
    body: {
      kind: "erasure",
      scope: { type: "whatsapp_number", phone: `+91981${Date.now() % 10_000_000}`.slice(0, 13) },
    },
    headers: { "x-forwarded-for": `10.8.${Math.floor(Math.random() * 250)}.1` },
  });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

const ports = () => host.runtime.app.ports as { -readonly [K in keyof Ports]: Ports[K] };

describe("the audit outbox", () => {
  it("the audit write fails after the status change: the event reaches the chain on the next read", async () => {
    const id = await pendingRequest();
    const original = ports().documents;
    ports().documents = failing(original, "audit", "create", 1);
    try {
      await expect(
        applyAction(host.runtime.app, id, "cancel", { kind: "public" }, { reason: "Withdrawn" }),
      ).rejects.toThrow("crash");
    } finally {
      ports().documents = original;
    }
    const stored = await new RequestStore(host.runtime.ports).get(id);
    expect(stored.status).toBe("cancelled");
    expect(stored.auditOutbox).toHaveLength(1);
    const officer = await host.token("privacy_officer");
    const trail = await host.call("GET", `/v1/requests/${id}/audit`, { token: officer });
    expect(trail.body.chain.valid).toBe(true);
    expect(trail.body.events.filter((e: { action: string }) => e.action === "cancel")).toHaveLength(1);
    expect((await new RequestStore(host.runtime.ports).get(id)).auditOutbox).toBeUndefined();
  });

  it("the outbox clean-up fails after the event was written: a second flush does not write it twice", async () => {
    const id = await pendingRequest();
    const original = ports().documents;
    // Fails the request write that would remove the staged event (the status change itself succeeds).
    let writes = 0;
    ports().documents = {
      ...original,
      ping: () => original.ping(),
      collection(db, name) {
        const c = original.collection(db, name);
        if (name !== "requests") return c;
        return new Proxy(c, {
          get(target, prop, receiver) {
            if (prop === "replace")
              return async (doc: { id: string }, etag: string) => {
                if (++writes === 2) throw new Error("crash");
                return target.replace(doc, etag);
              };
            const v = Reflect.get(target, prop, receiver) as unknown;
            return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
          },
        });
      },
    };
    try {
      await expect(applyAction(host.runtime.app, id, "cancel", { kind: "public" })).rejects.toThrow("crash");
    } finally {
      ports().documents = original;
    }
    expect((await new RequestStore(host.runtime.ports).get(id)).auditOutbox).toHaveLength(1);
    await flushAuditOutbox(host.runtime.ports, id);
    await flushAuditOutbox(host.runtime.ports, id);
    const { events, valid } = await new AuditLog(host.runtime.ports).verified(id);
    expect(valid).toBe(true);
    expect(events.filter((e) => e.action === "cancel")).toHaveLength(1);
  });
});
