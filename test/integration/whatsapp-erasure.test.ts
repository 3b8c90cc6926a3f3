import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runExecution } from "../../src/app/requests/execution";
import { queryAll } from "../../src/app/util/paging";
import { readWhatsAppCertificate } from "../../src/app/whatsapp-erasure/certificate";
import { erasurePlan } from "../../src/app/whatsapp-erasure/plan";
import { reconcileWhatsAppErasures } from "../../src/app/whatsapp-erasure/reconcile";
import { principalErasureRecords } from "../../src/app/whatsapp-erasure/tenant-record";
import { parseInventory } from "../../src/domain/inventory/schema";
import { platformInventory } from "../../src/domain/inventory/platform-inventory";
import { hashWhatsAppNumber } from "../../src/domain/subject";
import type { Database, DocumentCollection, DocumentStore } from "../../src/ports/document-store";
import { startTestHost, type TestHost } from "../support/host";
import { latestCode as latestCodeFor } from "../support/outbox";

/**
 * The WhatsApp-number erasure job against the real adapters on the embedded emulators, driven at the
 * use-case level: a crash after every possible number of writes (of any store: platform records,
 * checkpoints, audit, request) resumes to exactly the same end state; two runs at once converge; a
 * backup that still holds the number keeps the request purged until it rotates out.
 */

let host: TestHost;
let numberSeq = 0;
let clientSeq = 0;

const WRITES = new Set(["create", "replace", "upsert", "patch", "delete"]);

/** A document store that dies (every call fails from then on) at its n-th write, like a killed process. */
function dyingStore(inner: DocumentStore, dieAtWrite: number) {
  let writes = 0;
  let dead = false;
  const store: DocumentStore = {
    ping: () => inner.ping(),
    collection(database: Database, name: string): DocumentCollection {
      const c = inner.collection(database, name);
      return new Proxy(c, {
        get(target, prop, receiver) {
          const value: unknown = Reflect.get(target, prop, receiver);
          if (typeof value !== "function") return value;
          return (...args: unknown[]) => {
            if (!dead && WRITES.has(String(prop)) && ++writes >= dieAtWrite) dead = true;
            if (dead) return Promise.reject(new Error("injected crash"));
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
    },
  };
  return { store, died: () => dead, writes: () => writes };
}

const latestCode = (to: string) => latestCodeFor(host, to);

const SMALL = { members: 0, apiKeys: 0, bots: 0, knowledgeBaseFiles: 0, payments: 0, usageRecords: 0 };

/**
 * Two tenants that talk to a fresh number (2 conversations × 3 messages each, one of them the number's,
 * with audio), and a verified erasure request for it that has not run yet.
 */
async function verifiedRequest() {
  const phone = `+9193${String(10_000_000 + numberSeq++).padStart(8, "0")}`;
  const tenants = await Promise.all(
    [0, 1].map(async () => {
      const res = await host.call("POST", "/_dev/seed", {
        body: {
          ...SMALL,
          conversations: 2,
          messagesPerConversation: 3,
          audioPerConversation: 1,
          contacts: [phone],
        },
      });
      return res.body.tenantId as string;
    }),
  );
  const app = host.runtime.app;
  // Without its executor the request stays verified: the test runs the erasure itself.
  const handler = app.kinds["erasure:whatsapp_number"];
  const { execute: _executor, ...withoutExecutor } = handler;
  app.kinds["erasure:whatsapp_number"] = withoutExecutor;
  try {
    const created = await host.call("POST", "/v1/requests", {
      body: { kind: "erasure", scope: { type: "whatsapp_number", phone } },
      headers: { "x-forwarded-for": `10.77.${Math.floor(clientSeq / 250)}.${clientSeq++ % 250}` },
    });
    const verified = await host.call("POST", `/v1/requests/${created.body.id}/verification`, {
      headers: { "x-request-token": created.body.requestToken },
      body: { code: await latestCode(phone) },
    });
    expect(verified.body.status).toBe("verified");
    return { id: created.body.id as string, phone, tenants };
  } finally {
    app.kinds["erasure:whatsapp_number"] = handler;
  }
}

/** The exact end state every run must reach, whatever happened on the way. */
async function expectErased(id: string, phone: string, tenants: string[]) {
  const app = host.runtime.app;
  const request = await app.stores.requests.get(id);
  expect(request.status).toBe("completed");
  const cert = await readWhatsAppCertificate(app, request);
  expect(cert?.tenantsAffected).toBe(2);
  expect(Object.fromEntries(cert!.categories.map((c) => [c.category, c.count]))).toEqual({
    conversations: 2,
    messages: 6,
    audio_recordings: 2,
    transcripts: 2,
    whatsapp_identifiers: 0,
    consent_records: 2,
  });
  const numberHash = hashWhatsAppNumber(host.runtime.app.keys.hash, phone);
  for (const tenantId of tenants) {
    const records = await principalErasureRecords(app, tenantId);
    expect(records).toHaveLength(1);
    expect(records[0]!.subject.numberHash).toBe(numberHash);
    expect(records[0]!.categories).toEqual({
      conversations: { action: "anonymised", count: 1 },
      messages: { action: "deleted", count: 3 },
      audio_recordings: { action: "deleted", count: 1 },
      transcripts: { action: "deleted", count: 1 },
      consent_records: { action: "deleted", count: 1 },
    });
    // The tenant's other contact: conversation, 3 messages, audio and consent untouched.
    const messages = app.ports.documents.collection("platform", "messages");
    expect(await messages.count({ partitionKey: tenantId })).toBe(3);
    const other = await app.ports.documents
      .collection("platform", "conversations")
      .read(`c-${tenantId}-1`, tenantId);
    expect(other?.doc).toHaveProperty("contactHash");
  }
  for (const container of ["messages", "consents", "conversations"]) {
    expect(
      await app.ports.documents.collection("platform", container).count({
        where: [
          { field: container === "consents" ? "subjectHash" : "contactHash", op: "=", value: numberHash },
        ],
      }),
    ).toBe(0);
  }
  const trail = await host.call("GET", `/v1/requests/${id}/audit`, {
    token: await host.token("privacy_officer"),
  });
  expect(trail.body.chain.valid).toBe(true);
  const actions = (trail.body.events as { action: string }[]).map((e) => e.action);
  expect(actions.filter((x) => x === "certificate_issued")).toHaveLength(1);
  // A status change and its audit event are two writes (src/app/requests/transition.ts): a crash
  // between them loses the event. Never two, though.
  for (const a of ["purge", "finish_purge", "complete"]) {
    expect(actions.filter((x) => x === a).length, a).toBeLessThanOrEqual(1);
  }
  return actions;
}

beforeAll(async () => {
  host = await startTestHost();
}, 120_000);

afterAll(async () => {
  await host?.stop();
});

describe("erasure plan from the inventory", () => {
  it("erases blobs through the records that name them and refuses a plan that would lose them", () => {
    const plan = erasurePlan(platformInventory);
    expect(plan.targets.map((t) => [t.category, t.action.type])).toEqual([
      ["conversations", "anonymise"],
      ["messages", "delete"],
      ["whatsapp_identifiers", "route_to_account_flow"],
      ["consent_records", "delete"],
    ]);
    expect(plan.targets[0]!.blobs.map((b) => [b.category, b.field])).toEqual([
      ["audio_recordings", "audioBlobs"],
      ["transcripts", "transcriptBlobs"],
    ]);
    // Audio linked from a category the erasure leaves alone would never be found: refused up front.
    const broken = parseInventory(
      platformInventory.map((e) =>
        e.category === "conversations" ? { ...e, onWhatsAppErasure: { type: "route_to_account_flow" } } : e,
      ),
    );
    expect(() => erasurePlan(broken)).toThrow(/linked from conversations/);
  });
});

describe("a dotted field path", () => {
  it("is anonymised by the erasure as by the purge and the sweep: the nested field goes, its siblings stay", async () => {
    const app = host.runtime.app;
    const r = await verifiedRequest();
    const numberHash = hashWhatsAppNumber(host.runtime.app.keys.hash, r.phone);
    const conversations = app.ports.documents.collection("platform", "conversations");
    const tenantId = r.tenants[0]!;
    const [mine] = await queryAll<{ id: string } & Record<string, unknown>>(conversations, {
      partitionKey: tenantId,
      where: [{ field: "contactHash", op: "=", value: numberHash }],
    });
    await conversations.upsert({
      ...mine!,
      contact: { phone: r.phone, profile: { name: "Ravi Kumar", locale: "hi-IN" }, channel: "whatsapp" },
    });
    const inventory = parseInventory(
      platformInventory.map((e) =>
        e.category === "conversations" && e.onWhatsAppErasure?.type === "anonymise"
          ? {
              ...e,
              onWhatsAppErasure: {
                ...e.onWhatsAppErasure,
                fields: [...e.onWhatsAppErasure.fields, "contact.phone", "contact.profile.name"],
              },
            }
          : e,
      ),
    );
    const original = app.inventory;
    app.inventory = inventory;
    try {
      await runExecution(app, r.id);
    } finally {
      app.inventory = original;
    }
    await expectErased(r.id, r.phone, r.tenants);
    const erased = (await conversations.read<{ id: string } & Record<string, unknown>>(mine!.id, tenantId))!
      .doc;
    expect(erased).toMatchObject({
      contact: { profile: { locale: "hi-IN" }, channel: "whatsapp" },
      anonymisedFor: "whatsapp_number_erasure",
      audioBlobs: [],
    });
    expect(erased.contact).not.toHaveProperty("phone");
    expect((erased.contact as { profile: object }).profile).not.toHaveProperty("name");
    expect(JSON.stringify(erased)).not.toContain(r.phone);
  });
});

describe("crash at every write, then resume", () => {
  it("reaches the same end state whichever write the process died at", async () => {
    const app = host.runtime.app;
    const original = app.ports.documents;
    // Count the writes of one clean run first, then die at each of them in turn (and one past the end).
    const clean = await verifiedRequest();
    const counter = dyingStore(original, Number.POSITIVE_INFINITY);
    app.ports.documents = counter.store;
    try {
      await runExecution(app, clean.id);
    } finally {
      app.ports.documents = original;
    }
    await expectErased(clean.id, clean.phone, clean.tenants);
    const total = counter.writes();
    expect(total).toBeGreaterThan(20);

    let beyondTheEnd = false;
    let lostTransitionEvents = 0;
    for (let dieAt = 1; dieAt <= total + 1; dieAt++) {
      const r = await verifiedRequest();
      const { store, died } = dyingStore(original, dieAt);
      app.ports.documents = store;
      try {
        await runExecution(app, r.id).catch(() => undefined);
      } finally {
        app.ports.documents = original;
      }
      if (!died()) beyondTheEnd = true;
      // The restarted process: a retry (or reconciliation) runs the executor again until it completes.
      for (let attempt = 0; attempt < 3; attempt++) {
        const doc = await app.stores.requests.get(r.id);
        if (doc.status === "completed") break;
        await runExecution(app, r.id);
      }
      const actions = await expectErased(r.id, r.phone, r.tenants);
      lostTransitionEvents += ["purge", "finish_purge", "complete"].filter(
        (a) => !actions.includes(a),
      ).length;
    }
    // Only the crash points between a status write and its audit event lose one (the three of them).
    expect(lostTransitionEvents).toBeLessThanOrEqual(3);
    expect(beyondTheEnd).toBe(true);
  }, 240_000);
});

describe("two runs at once", () => {
  it("converge: one may lose the checkpoint race and record a conflict, the counts stay exact", async () => {
    const app = host.runtime.app;
    const r = await verifiedRequest();
    await Promise.all([runExecution(app, r.id), runExecution(app, r.id)]);
    for (let attempt = 0; attempt < 3; attempt++) {
      const doc = await app.stores.requests.get(r.id);
      if (doc.status === "completed") break;
      await runExecution(app, r.id);
    }
    await expectErased(r.id, r.phone, r.tenants);
  });
});

describe("backups", () => {
  it("a backup set that still holds the number keeps the request purged until it rotates out", async () => {
    const app = host.runtime.app;
    const r = await verifiedRequest();
    const pk = `wa:${hashWhatsAppNumber(host.runtime.app.keys.hash, r.phone)}`;
    const backups = app.ports.documents.collection("service", "backups");
    const holding = {
      id: `holding:set-1:${pk}`,
      pk,
      docType: "backup-holding",
      setId: "set-1",
      subject: pk,
      status: "active",
      expiresAt: new Date(app.ports.clock.now().getTime() + 90 * 86_400_000).toISOString(),
    };
    await backups.upsert(holding);
    const purged = await runExecution(app, r.id);
    expect(purged.status).toBe("purged");
    const cert = await readWhatsAppCertificate(app, purged);
    expect(cert?.backups.held).toBe(1);
    expect(cert?.completedAt).toBeUndefined();
    await backups.upsert({ ...holding, status: "rotated" });
    expect((await runExecution(app, r.id)).status).toBe("completed");
    const done = await readWhatsAppCertificate(app, purged);
    expect(done?.backups.held).toBe(0);
    expect(done?.completedAt).toBeDefined();
    await expectErased(r.id, r.phone, r.tenants);
  });
});

describe("reconciliation", () => {
  it("a process that died mid-erasure (nothing recorded, retry refused) is resumed once it went quiet", async () => {
    const app = host.runtime.app;
    const original = app.ports.documents;
    const r = await verifiedRequest();
    const { store } = dyingStore(original, 12);
    app.ports.documents = store;
    try {
      await runExecution(app, r.id).catch(() => undefined);
    } finally {
      app.ports.documents = original;
    }
    const stuck = await app.stores.requests.get(r.id);
    expect(stuck.status).toBe("purging");
    expect(stuck.failure).toBeUndefined();
    const support = await host.token("support");
    expect((await host.call("POST", `/v1/requests/${r.id}/retry`, { token: support })).status).toBe(409);
    // Still fresh: left alone (it may be running elsewhere).
    await reconcileWhatsAppErasures(app);
    expect((await app.stores.requests.get(r.id)).status).toBe("purging");
    // Moving the dev clock runs every timer: the registered hourly reconciliation resumes it.
    await host.call("POST", "/_dev/clock", { body: { advance: "PT16M" } });
    await expectErased(r.id, r.phone, r.tenants);
    const again = await reconcileWhatsAppErasures(app);
    expect(again.found.purging).toBe(0);
    expect(again.failed).toBe(0);
  });
});
