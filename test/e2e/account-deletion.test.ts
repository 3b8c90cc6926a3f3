import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestHost, type TestHost } from "../support/host";
import { patchPort, wrapCollection } from "../support/ports";

/**
 * The Account Deletion Policy end to end (§2–§6): immediate deactivation, the 30-day window, reactivation,
 * the purge, legal holds, reconciliation, the certificate; with races and faults injected through ports.
 */
let host: TestHost;
let support: string;
let officer: string;

type Doc = { id: string } & Record<string, unknown>;

const SMALL = { conversations: 3, messagesPerConversation: 3, audioPerConversation: 1, usageRecords: 4 };

async function seed(options: Record<string, unknown> = SMALL) {
  const res = await host.call("POST", "/_dev/seed", { body: options });
  expect(res.status).toBe(201);
  return res.body as { tenantId: string; ownerToken: string; counts: Record<string, number> };
}

async function inventory(tenantId: string): Promise<Record<string, number>> {
  const res = await host.call("GET", `/v1/subjects/inventory?tenantId=${tenantId}`, { token: officer });
  expect(res.status).toBe(200);
  return Object.fromEntries(
    (res.body.categories as { category: string; records: number }[]).map((c) => [c.category, c.records]),
  );
}

const platformDocs = async (container: string, tenantId: string) =>
  (
    await host.runtime.app.ports.documents
      .collection("platform", container)
      .query<Doc>({ partitionKey: tenantId, limit: 1000 })
  ).items;

async function askForDeletion(t: { tenantId: string; ownerToken: string }) {
  return host.call("POST", "/v1/requests", {
    token: t.ownerToken,
    body: { kind: "erasure", scope: { type: "account", tenantId: t.tenantId } },
  });
}

const advance = (duration: string) => host.call("POST", "/_dev/clock", { body: { advance: duration } });
const getRequest = async (id: string) =>
  (await host.call("GET", `/v1/requests/${id}`, { token: officer })).body;

beforeAll(async () => {
  host = await startTestHost();
  support = await host.token("support");
  officer = await host.token("privacy_officer");
});
afterAll(async () => {
  await host?.stop();
});

describe("deactivation and the 30-day window", () => {
  it("the owner's request deactivates at once: account disabled, keys revoked, bots stopped, access removed", async () => {
    const t = await seed();
    const before = await inventory(t.tenantId);
    const res = await askForDeletion(t);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: "deactivated", daysLeft: 30, onHold: false });
    expect(Date.parse(res.body.purgeDueAt) - Date.parse(res.body.deactivatedAt)).toBe(30 * 86_400_000);
    expect((await platformDocs("accounts", t.tenantId))[0]).toMatchObject({ status: "deactivated" });
    for (const k of await platformDocs("apiKeys", t.tenantId)) expect(k.status).toBe("revoked");
    for (const b of await platformDocs("bots", t.tenantId)) expect(b.status).toBe("stopped");
    for (const m of await platformDocs("members", t.tenantId)) expect(m.access).toBe("removed");
    // Nothing is deleted during the window.
    expect(await inventory(t.tenantId)).toEqual(before);
    // A second request returns the open one; asking again does not restart the window.
    const again = await askForDeletion(t);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(res.body.id);
    expect(again.body.purgeDueAt).toBe(res.body.purgeDueAt);
  });

  it("day 29: everything is still there and reactivation restores all but the API keys", async () => {
    const t = await seed();
    const before = await inventory(t.tenantId);
    const botsBefore = await platformDocs("bots", t.tenantId);
    const created = await askForDeletion(t);
    await advance("P29D");
    expect(await inventory(t.tenantId)).toEqual(before);
    expect((await getRequest(created.body.id)).daysLeft).toBe(1);
    expect(
      (
        await host.call("POST", `/v1/accounts/${t.tenantId}/reactivate`, {
          token: t.ownerToken,
          body: { reason: "x" },
        })
      ).status,
    ).toBe(403);
    const res = await host.call("POST", `/v1/accounts/${t.tenantId}/reactivate`, {
      token: support,
      body: { reason: "Owner changed their mind (ticket 4411)" },
    });
    expect(res.status).toBe(200);
    expect(res.body.request.status).toBe("cancelled");
    expect(res.body.apiKeys).toMatchObject({ mustRegenerate: true });
    expect(res.body.apiKeys.revoked).toBe(before.api_keys);
    expect((await platformDocs("accounts", t.tenantId))[0]?.status).toBe("active");
    expect((await platformDocs("bots", t.tenantId)).map((b) => b.status)).toEqual(
      botsBefore.map((b) => b.status),
    );
    for (const m of await platformDocs("members", t.tenantId)) expect(m.access).toBe("active");
    for (const k of await platformDocs("apiKeys", t.tenantId)) expect(k.status).toBe("revoked");
    // The cancelled purge never runs.
    await advance("P3D");
    expect(await inventory(t.tenantId)).toEqual(before);
    const trail = await host.call("GET", `/v1/requests/${created.body.id}/audit`, { token: officer });
    expect(trail.body.chain.valid).toBe(true);
    expect(trail.body.events.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining(["create", "deactivate", "purge_scheduled", "cancel", "purge_unscheduled"]),
    );
  });

  it("day 31: purged; only anonymised payments and retained security logs remain; the certificate is issued", async () => {
    const t = await seed();
    const other = await seed();
    const otherBefore = await inventory(other.tenantId);
    const before = await inventory(t.tenantId);
    const created = await askForDeletion(t);
    expect(
      (await host.call("GET", `/v1/requests/${created.body.id}/certificate`, { token: t.ownerToken })).status,
    ).toBe(409);
    await advance("P31D");
    const after = await inventory(t.tenantId);
    for (const [category, n] of Object.entries(after)) {
      if (category === "payments" || category === "security_logs") expect(n, category).toBe(before[category]);
      else expect(n, category).toBe(0);
    }
    for (const p of await platformDocs("payments", t.tenantId)) {
      expect(p).not.toHaveProperty("billingName");
      expect(p).not.toHaveProperty("billingEmail");
      expect(p).not.toHaveProperty("billingPhone");
      expect(p).toMatchObject({ currency: "INR", gst: expect.any(Object), amountPaise: expect.any(Number) });
      expect(Date.parse(p.retainUntil as string) - Date.parse(p.anonymisedAt as string)).toBeGreaterThan(
        7 * 365 * 86_400_000,
      );
    }
    expect(await inventory(other.tenantId)).toEqual(otherBefore);
    const request = await getRequest(created.body.id);
    expect(request.status).toBe("completed");
    expect(request.purgedAt).toBeDefined();
    const cert = await host.call("GET", `/v1/requests/${created.body.id}/certificate`, {
      token: t.ownerToken,
    });
    expect(cert.status).toBe(200);
    const line = (c: string) => cert.body.categories.find((x: { category: string }) => x.category === c);
    expect(line("messages")).toMatchObject({ action: "deleted", count: before.messages, remaining: 0 });
    expect(line("audio_recordings")).toMatchObject({ action: "deleted", count: before.audio_recordings });
    expect(line("payments")).toMatchObject({ action: "anonymised", count: before.payments });
    expect(line("payments")).not.toHaveProperty("remaining");
    expect(line("payments").retention.basis).toMatch(/GST|tax|Income/i);
    expect(line("security_logs")).toMatchObject({ action: "retained" });
    expect(line("credit_balance")).toMatchObject({ action: "forfeited", forfeitedAmount: 1250 });
    const trail = await host.call("GET", `/v1/requests/${created.body.id}/audit`, { token: officer });
    expect(cert.body.auditHeadHash).toBe(
      trail.body.events.find((e: { action: string }) => e.action === "certificate_issued")?.prevHash,
    );
    expect(trail.body.chain.valid).toBe(true);
    const purged = trail.body.events.find((e: { action: string }) => e.action === "finish_purge");
    expect(purged.data.categories.messages.records).toBe(before.messages);
    const tooLate = await host.call("POST", `/v1/accounts/${t.tenantId}/reactivate`, {
      token: support,
      body: { reason: "late" },
    });
    expect(tooLate.status).toBe(409);
  });

  it("after the window reactivation is refused with a clear message, even if the purge has not run yet", async () => {
    const t = await seed({ conversations: 1, messagesPerConversation: 1 });
    const created = await askForDeletion(t);
    // Move the clock to the purge time without delivering anything: the window rule on its own.
    const clock = host.runtime.app.ports.clock as { advanceTo?: (d: Date) => void };
    clock.advanceTo?.(new Date(created.body.purgeDueAt));
    const res = await host.call("POST", `/v1/accounts/${t.tenantId}/reactivate`, {
      token: support,
      body: { reason: "too late" },
    });
    expect(res.status).toBe(409);
    expect(res.body.detail).toMatch(/30-day window ended/);
    expect((await getRequest(created.body.id)).status).toBe("deactivated");
    expect((await platformDocs("accounts", t.tenantId))[0]?.status).toBe("deactivated");
    await host.runtime.dev!.deliverDue();
    expect((await getRequest(created.body.id)).status).toBe("completed");
  });
});

describe("legal hold, duplicates, early delivery", () => {
  it("a held account is never purged; on release a purge already due runs at once", async () => {
    const t = await seed({ conversations: 1, messagesPerConversation: 2 });
    const created = await askForDeletion(t);
    const held = await host.call("POST", `/v1/requests/${created.body.id}/hold`, {
      token: officer,
      body: { reason: "Court order CS/118/2026" },
    });
    expect(held.status).toBe(200);
    expect(held.body).toMatchObject({ status: "on_hold", onHold: true });
    await advance("P40D");
    expect((await getRequest(created.body.id)).status).toBe("on_hold");
    expect((await inventory(t.tenantId)).messages).toBe(2);
    const released = await host.call("POST", `/v1/requests/${created.body.id}/release`, {
      token: officer,
      body: { reason: "Order vacated" },
    });
    expect(released.status).toBe(200);
    expect(released.body.status).toBe("completed");
    expect((await inventory(t.tenantId)).messages).toBe(0);
  });

  it("a hold released before the purge time keeps the original time", async () => {
    const t = await seed({ conversations: 1, messagesPerConversation: 2 });
    const created = await askForDeletion(t);
    await host.call("POST", `/v1/requests/${created.body.id}/hold`, {
      token: officer,
      body: { reason: "Inquiry" },
    });
    await advance("P10D");
    const released = await host.call("POST", `/v1/requests/${created.body.id}/release`, {
      token: officer,
      body: { reason: "Closed" },
    });
    expect(released.body).toMatchObject({ status: "deactivated", purgeDueAt: created.body.purgeDueAt });
    await advance("P19D");
    expect((await inventory(t.tenantId)).messages).toBe(2);
    await advance("P2D");
    expect((await getRequest(created.body.id)).status).toBe("completed");
  });

  it("the purge message delivered twice, and early: one purge, nothing early", async () => {
    const t = await seed({ conversations: 2, messagesPerConversation: 2 });
    const created = await askForDeletion(t);
    const handler = (await import("../../src/function-table"))
      .functionTable({ includeDev: true })
      .find((f) => f.trigger === "queue" && f.queue === "account-purge");
    if (!handler || handler.trigger !== "queue") throw new Error("no account-purge handler");
    const body = { requestId: created.body.id, dueAt: created.body.purgeDueAt };
    await handler.handle(host.runtime, body, { messageId: "early", deliveryCount: 1 });
    expect((await inventory(t.tenantId)).messages).toBe(4);
    expect((await getRequest(created.body.id)).status).toBe("deactivated");
    await host.runtime.dev!.advanceClock(new Date(Date.parse(created.body.purgeDueAt) - 1000));
    expect((await getRequest(created.body.id)).status).toBe("deactivated");
    // Move past the due time without delivering, then hand the message over twice at once.
    const clock = host.runtime.app.ports.clock as { advanceTo?: (d: Date) => void };
    clock.advanceTo?.(new Date(Date.parse(created.body.purgeDueAt) + 1000));
    await Promise.all([
      handler.handle(host.runtime, body, { messageId: "dup", deliveryCount: 1 }),
      handler.handle(host.runtime, body, { messageId: "dup", deliveryCount: 1 }),
    ]);
    await host.runtime.dev!.deliverDue();
    const request = await getRequest(created.body.id);
    expect(request.status).toBe("completed");
    const trail = await host.call("GET", `/v1/requests/${created.body.id}/audit`, { token: officer });
    const actions = trail.body.events.map((e: { action: string }) => e.action);
    expect(actions.filter((a: string) => a === "purge")).toHaveLength(1);
    expect(actions.filter((a: string) => a === "finish_purge")).toHaveLength(1);
    expect(actions.filter((a: string) => a === "certificate_issued")).toHaveLength(1);
    expect((await inventory(t.tenantId)).messages).toBe(0);
  });
});

describe("races and faults", () => {
  /** Holds the next write of a request document until released, to interleave two actors. */
  function gateRequestWrites() {
    let gate: Promise<void> | undefined;
    let open = () => {};
    let arrived = () => {};
    const waiting = new Promise<void>((r) => (arrived = r));
    const undo = patchPort(
      host,
      "documents",
      wrapCollection(host.runtime.app.ports.documents, "requests", (c) => ({
        async replace(doc, etag) {
          if (gate) {
            const g = gate;
            gate = undefined;
            arrived();
            await g;
          }
          return c.replace(doc, etag);
        },
      })),
    );
    return {
      arm() {
        gate = new Promise<void>((r) => (open = r));
      },
      waiting,
      release: () => open(),
      undo,
    };
  }

  it("reactivation racing the purge: the purge took the request first, so reactivation is refused", async () => {
    const t = await seed({ conversations: 1, messagesPerConversation: 2 });
    const created = await askForDeletion(t);
    const dev = host.runtime.dev!;
    const gate = gateRequestWrites();
    try {
      gate.arm();
      // Reactivation reads the request inside the window and is held just before its write…
      const reactivation = host.call("POST", `/v1/accounts/${t.tenantId}/reactivate`, {
        token: support,
        body: { reason: "race" },
      });
      await gate.waiting;
      // …meanwhile the window ends and the purge runs to completion.
      await dev.advanceClock(new Date(Date.parse(created.body.purgeDueAt) + 1000));
      gate.release();
      const res = await reactivation;
      expect(res.status).toBe(409);
    } finally {
      gate.undo();
    }
    expect((await getRequest(created.body.id)).status).toBe("completed");
    expect((await inventory(t.tenantId)).messages).toBe(0);
  });

  it("reactivation racing the purge: reactivation wrote first, so the purge does nothing", async () => {
    const t = await seed({ conversations: 1, messagesPerConversation: 2 });
    const before = await inventory(t.tenantId);
    const created = await askForDeletion(t);
    const { purgeAccount } = await import("../../src/app/account/purge");
    const clock = host.runtime.app.ports.clock as { advanceTo?: (d: Date) => void };
    const gate = gateRequestWrites();
    let purge: Promise<string> | undefined;
    try {
      // The purge reads the request when due and is held before its write…
      clock.advanceTo?.(new Date(Date.parse(created.body.purgeDueAt) + 1000));
      gate.arm();
      purge = purgeAccount(host.runtime.app, created.body.id);
      await gate.waiting;
    } finally {
      gate.undo();
    }
    // …while (its clock seeing the window still open) a reactivation commits first.
    const { applyAction } = await import("../../src/app/requests/transition");
    await applyAction(
      host.runtime.app,
      created.body.id,
      "cancel",
      { kind: "support" },
      { reason: "Reactivated: race" },
    );
    gate.release();
    expect(await purge).toBe("moved_on");
    expect(await inventory(t.tenantId)).toEqual(before);
    expect((await getRequest(created.body.id)).status).toBe("cancelled");
  });

  it("a purge stopped mid-chunk resumes, converges and counts each record once; no other tenant is touched", async () => {
    const t = await seed({
      conversations: 30,
      messagesPerConversation: 8,
      audioPerConversation: 1,
      usageRecords: 150,
    });
    const other = await seed({ conversations: 2, messagesPerConversation: 2 });
    const otherBefore = await inventory(other.tenantId);
    const created = await askForDeletion(t);
    let deletes = 0;
    let crashes = 0;
    const undo = patchPort(
      host,
      "documents",
      wrapCollection(host.runtime.app.ports.documents, "messages", (c) => ({
        async delete(id, pk, etag) {
          if (++deletes % 150 === 0) {
            crashes++;
            throw new Error("injected crash between chunks");
          }
          return c.delete(id, pk, etag);
        },
      })),
    );
    try {
      await advance("P31D");
      // A delivery crashed part-way (the local host's real-time loop may already be retrying it).
      expect(crashes).toBeGreaterThan(0);
    } finally {
      undo();
    }
    // Redelivery (the scheduler retries) or reconciliation resumes from the checkpoint.
    await advance("PT2H");
    expect((await getRequest(created.body.id)).status).toBe("completed");
    const after = await inventory(t.tenantId);
    for (const [category, n] of Object.entries(after))
      if (category !== "payments" && category !== "security_logs") expect(n, category).toBe(0);
    expect(await inventory(other.tenantId)).toEqual(otherBefore);
    const cert = await host.call("GET", `/v1/requests/${created.body.id}/certificate`, { token: officer });
    expect(cert.body.categories.find((c: { category: string }) => c.category === "messages").count).toBe(240);
    // It resumed from its checkpoint rather than starting a second job.
    const { readPurgeJob } = await import("../../src/app/account/purge-job");
    const job = await readPurgeJob(host.runtime.app, created.body.id, t.tenantId);
    expect(job?.runs).toBeGreaterThanOrEqual(2);
    // Counted as it went, each message once though a chunk was cut short and done again.
    expect(job?.categories.messages).toMatchObject({ processed: 240, done: true });
    expect(job?.categories.messages).not.toHaveProperty("pending");
  });

  it("scheduling fails after deactivation committed: reconciliation purges on time", async () => {
    const t = await seed({ conversations: 1, messagesPerConversation: 2 });
    const undo = patchPort(host, "scheduler", {
      ...host.runtime.app.ports.scheduler,
      schedule: async () => {
        throw new Error("Service Bus unavailable");
      },
    });
    let created;
    try {
      created = await askForDeletion(t);
    } finally {
      undo();
    }
    expect(created.status).toBe(201);
    expect(created.body.status).toBe("deactivated");
    expect(created.body.failure).toMatchObject({ step: "schedule_purge" });
    await advance("P30DT1H");
    expect((await getRequest(created.body.id)).status).toBe("completed");
    const runs = await host.runtime.app.ports.documents
      .collection("service", "jobs")
      .query<{ id: string; counts: { purged: number } }>({
        partitionKey: "runs",
        where: [
          { field: "kind", op: "=", value: "reconcileAccountPurges" },
          { field: "counts.purged", op: ">", value: 0 },
        ],
      });
    expect(runs.items.length).toBeGreaterThan(0);
  });

  it("a poison purge dead-letters after the configured deliveries and reconciliation still finishes", async () => {
    const t = await seed({ conversations: 1, messagesPerConversation: 2 });
    const created = await askForDeletion(t);
    const undo = patchPort(
      host,
      "documents",
      wrapCollection(host.runtime.app.ports.documents, "messages", () => ({
        async delete() {
          throw new Error("store refuses");
        },
      })),
    );
    try {
      // Past due: the message is tried on each pass until it dead-letters.
      await advance("P31D");
      for (let i = 0; i < 12; i++) await host.runtime.dev!.deliverDue();
    } finally {
      undo();
    }
    expect((await getRequest(created.body.id)).status).toBe("purging");
    const scheduler = host.runtime.dev!.scheduler;
    expect(scheduler.deadLettered().map((j) => j.messageId)).toContain(
      `account-purge:${created.body.id}:${created.body.purgeDueAt}`,
    );
    await advance("PT1H");
    expect((await getRequest(created.body.id)).status).toBe("completed");
    expect((await inventory(t.tenantId)).messages).toBe(0);
  });
});
