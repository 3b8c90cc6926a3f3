import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flushAuditOutbox } from "../../src/app/requests/audit-outbox";
import { AuditLog } from "../../src/app/requests/audit-log";
import { RequestStore } from "../../src/app/requests/request-store";
import { applyAction } from "../../src/app/requests/transition";
import { startTestHost, type TestHost } from "../support/host";
import { patchPort, wrapCollection } from "../support/ports";

/** A crash between a status change and its audit event delays the event; it is never lost or doubled. */
let host: TestHost;

beforeAll(async () => {
  host = await startTestHost();
});
afterAll(async () => {
  await host?.stop();
});

/** Valid Indian mobile numbers from a counter: never from the wall clock (one in ten of those was invalid). */
let nextNumber = 0;
const number = () => `+9198${String(44_000_000 + nextNumber++).padStart(8, "0")}`;

async function pendingRequest(): Promise<string> {
  const res = await host.call("POST", "/v1/requests", {
    body: { kind: "erasure", scope: { type: "whatsapp_number", phone: number() } },
    headers: { "x-forwarded-for": `10.8.${nextNumber}.1` },
  });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

describe("the audit outbox", () => {
  it("the audit write fails after the status change: the event reaches the chain on the next read", async () => {
    const id = await pendingRequest();
    let left = 1;
    const undo = patchPort(
      host,
      "documents",
      wrapCollection(host.runtime.app.ports.documents, "audit", (c) => ({
        async create(doc) {
          if (left-- > 0) throw new Error("crash");
          return c.create(doc);
        },
      })),
    );
    try {
      await expect(
        applyAction(host.runtime.app, id, "cancel", { kind: "public" }, { reason: "Withdrawn" }),
      ).rejects.toThrow("crash");
    } finally {
      undo();
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
    // Fails the request write that would remove the staged event (the status change itself succeeds).
    let writes = 0;
    const undo = patchPort(
      host,
      "documents",
      wrapCollection(host.runtime.app.ports.documents, "requests", (c) => ({
        async replace(doc, etag) {
          if (++writes === 2) throw new Error("crash");
          return c.replace(doc, etag);
        },
      })),
    );
    try {
      await expect(applyAction(host.runtime.app, id, "cancel", { kind: "public" })).rejects.toThrow("crash");
    } finally {
      undo();
    }
    expect((await new RequestStore(host.runtime.ports).get(id)).auditOutbox).toHaveLength(1);
    await flushAuditOutbox(host.runtime.ports, id);
    await flushAuditOutbox(host.runtime.ports, id);
    const { events, valid } = await new AuditLog(host.runtime.ports).verified(id);
    expect(valid).toBe(true);
    expect(events.filter((e) => e.action === "cancel")).toHaveLength(1);
  });
});
