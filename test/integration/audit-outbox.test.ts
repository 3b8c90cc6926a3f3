import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  flushAuditOutbox,
  flushStrandedAuditOutboxes,
  stageAuditEvent,
} from "../../src/app/requests/audit-outbox";
import { AuditLog } from "../../src/app/audit/audit-log";
import { buildStores } from "../../src/app/stores/stores";
import { applyAction } from "../../src/app/requests/transition";
import { DomainError } from "../../src/domain/errors";
import { startTestHost, type TestHost } from "../support/host";
import { latestCode } from "../support/outbox";
import { observedStore, patchPort, wrapCollection } from "../support/ports";

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

/** Cancels `id` while the audit container refuses one write: the status changes, its event stays staged. */
async function cancelWithTheAuditWriteFailing(id: string): Promise<void> {
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
}

describe("the audit outbox", () => {
  it("the audit write fails after the status change: the event reaches the chain on the next read", async () => {
    const id = await pendingRequest();
    await cancelWithTheAuditWriteFailing(id);
    const stored = await host.runtime.app.stores.requests.get(id);
    expect(stored.status).toBe("cancelled");
    expect(stored.auditOutbox).toHaveLength(1);
    const officer = await host.token("privacy_officer");
    const trail = await host.call("GET", `/v1/requests/${id}/audit`, { token: officer });
    expect(trail.body.chain.valid).toBe(true);
    expect(trail.body.events.filter((e: { action: string }) => e.action === "cancel")).toHaveLength(1);
    expect((await host.runtime.app.stores.requests.get(id)).auditOutbox).toBeUndefined();
  });

  it("a closed request nobody reads again: the hourly sweep moves its stranded event into the chain", async () => {
    // The compliance simulation found it: a request completed, its audit write failed, and no later action or
    // read ever came to flush it, so the sealed chain (and its anchors) lacked the completion.
    const id = await pendingRequest();
    await cancelWithTheAuditWriteFailing(id);
    expect((await host.runtime.app.stores.requests.get(id)).auditOutbox).toHaveLength(1);
    const chain = () => new AuditLog(host.runtime.app).events(id);
    expect((await chain()).map((e) => e.action)).not.toContain("cancel");
    const report = await flushStrandedAuditOutboxes(host.runtime.app);
    expect(report.flushed).toBeGreaterThanOrEqual(1);
    expect((await chain()).filter((e) => e.action === "cancel")).toHaveLength(1);
    expect((await host.runtime.app.stores.requests.get(id)).auditOutbox).toBeUndefined();
    // Once more changes nothing: the event is in the chain once.
    await flushStrandedAuditOutboxes(host.runtime.app);
    expect((await chain()).filter((e) => e.action === "cancel")).toHaveLength(1);
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
    expect((await host.runtime.app.stores.requests.get(id)).auditOutbox).toHaveLength(1);
    await flushAuditOutbox(host.runtime.app, id);
    await flushAuditOutbox(host.runtime.app, id);
    const { events, valid } = await new AuditLog(host.runtime.app).verified(id);
    expect(valid).toBe(true);
    expect(events.filter((e) => e.action === "cancel")).toHaveLength(1);
  });
});

describe("appending right after a link already seen", () => {
  /** The audit container's calls while `work` runs (through a store of its own: its own links seen). */
  async function auditCalls(work: () => Promise<void>): Promise<string[]> {
    const calls: string[] = [];
    const undo = patchPort(
      host,
      "documents",
      observedStore(host.runtime.app.ports.documents, (c) => {
        if (c.collection === "audit") calls.push(c.method);
      }),
    );
    try {
      await work();
    } finally {
      undo();
    }
    return calls;
  }

  async function verify(id: string, token: string, phone: string, client: string) {
    const res = await host.call("POST", `/v1/requests/${id}/verification`, {
      headers: { "x-request-token": token, "x-forwarded-for": client },
      body: { code: await latestCode(host, phone) },
    });
    expect(res.status).toBe(200);
  }

  it("a public filing and its verification write their events without looking the chain up", async () => {
    const phone = number();
    const client = `10.9.${nextNumber}.1`;
    let id = "";
    let token = "";
    const calls = await auditCalls(async () => {
      const res = await host.call("POST", "/v1/requests", {
        body: {
          kind: "correction",
          scope: { type: "whatsapp_number", phone },
          corrections: [{ field: "name", value: "Asha" }],
        },
        headers: { "x-forwarded-for": client },
      });
      expect(res.status).toBe(201);
      ({ id, requestToken: token } = res.body as { id: string; requestToken: string });
      await verify(id, token, phone, client);
    });
    expect(calls).toEqual(["create", "create"]);
    const { events, valid } = await new AuditLog(host.runtime.app).verified(id);
    expect(valid).toBe(true);
    expect(events.map((e) => [e.seq, e.action])).toEqual([
      [1, "create"],
      [2, "verify"],
    ]);
  });

  it("an event appended meanwhile by another instance moves the head: the staged event goes after it", async () => {
    const phone = number();
    const client = `10.9.${nextNumber}.1`;
    const res = await host.call("POST", "/v1/requests", {
      body: {
        kind: "correction",
        scope: { type: "whatsapp_number", phone },
        corrections: [{ field: "name", value: "Asha" }],
      },
      headers: { "x-forwarded-for": client },
    });
    const { id, requestToken } = res.body as { id: string; requestToken: string };
    // Another instance: the same container through a store this process has seen nothing through.
    const ports = {
      ...host.runtime.app.ports,
      documents: observedStore(host.runtime.app.ports.documents, () => {}),
    };
    const elsewhere = { ports, stores: buildStores(ports) };
    await new AuditLog(elsewhere).append(id, { actor: { kind: "system" }, action: "elsewhere" });
    await verify(id, requestToken, phone, client);
    const { events, valid } = await new AuditLog(host.runtime.app).verified(id);
    expect(valid).toBe(true);
    expect(events.map((e) => e.action)).toEqual(["create", "elsewhere", "verify"]);
  });

  it("a staged event another flush already wrote after the link is not written twice", async () => {
    const id = await pendingRequest();
    const { ports } = host.runtime.app;
    const audit = new AuditLog(host.runtime.app);
    const link = (await audit.events(id)).at(-1)!;
    const store = host.runtime.app.stores.requests;
    let key = "";
    const { after, etag } = await store.update(id, (doc) => {
      key = stageAuditEvent(doc, { actor: { kind: "system" }, action: "noted" });
      return doc;
    });
    // A first flush writes the event, then fails to take it off the request.
    const undo = patchPort(
      host,
      "documents",
      wrapCollection(ports.documents, "requests", () => ({
        async replace() {
          throw new Error("crash");
        },
      })),
    );
    try {
      await expect(flushAuditOutbox(host.runtime.app, id)).rejects.toThrow("crash");
    } finally {
      undo();
    }
    // The caller that staged it flushes with what it knew: the link before it, and its own key.
    await flushAuditOutbox(host.runtime.app, id, {
      request: { doc: after, etag },
      staged: { keys: [key], after: { seq: link.seq, hash: link.hash } },
    });
    const { events, valid } = await audit.verified(id);
    expect(valid).toBe(true);
    expect(events.filter((e) => e.action === "noted")).toHaveLength(1);
    expect((await store.get(id)).auditOutbox).toBeUndefined();
  });
});

describe("a write decided on the caller's copy", () => {
  it("a stale copy fails its If-Match: the change is decided again on the request as it is", async () => {
    const id = await pendingRequest();
    const store = host.runtime.app.stores.requests;
    const copy = (await store.find(id))!;
    await store.update(id, (doc) => ({ ...doc, details: { ...doc.details, first: true } }));
    const { after } = await store.update(
      id,
      (doc) => ({ ...doc, details: { ...doc.details, second: true } }),
      copy,
    );
    expect(after.details).toMatchObject({ first: true, second: true });
    expect(after.version).toBe(copy.doc.version + 2);
  });

  it("a refusal is never decided on the copy: the request as it is decides", async () => {
    const id = await pendingRequest();
    const store = host.runtime.app.stores.requests;
    const copy = (await store.find(id))!;
    await store.update(id, (doc) => ({ ...doc, details: { ...doc.details, ready: true } }));
    const { after } = await store.update(
      id,
      (doc) => {
        if (doc.details.ready !== true) throw new DomainError("conflict", "not ready");
        return { ...doc, details: { ...doc.details, done: true } };
      },
      copy,
    );
    expect(after.details).toMatchObject({ ready: true, done: true });
  });
});
