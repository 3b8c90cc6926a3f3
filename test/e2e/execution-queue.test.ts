import { readFileSync } from "node:fs";
import { join } from "node:path";
import { newRequestId } from "../../src/domain/requests/request-id";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { Executor } from "../../src/app/context";
import { runExecutionMessage } from "../../src/app/requests/execution";
import {
  ExecutionMessage,
  HANDLER_LEASE_MS,
  readExecutionLedger,
} from "../../src/app/requests/execution-queue";
import { applyAction } from "../../src/app/requests/transition";
import { functionTable } from "../../src/function-table";
import type { DocumentStore } from "../../src/ports/document-store";
import type { ScheduledMessage, Scheduler } from "../../src/ports/scheduler";
import { startTestHost, type TestHost } from "../support/host";
import { latestCode } from "../support/outbox";
import { patchPort, wrapCollection } from "../support/ports";

/**
 * Request execution runs from the `request-execution` queue, never inside the HTTP call (the front end
 * cuts a response at 230 s): the Azure-shaped path answers before the executor runs; duplicate
 * deliveries (sequential and concurrent) run it once; a delivery while another still runs (its lock
 * lost) leaves the work to it; a handler that died mid-run is taken over when its claim runs out and
 * the executor resumes from the step it reached.
 */
let host: TestHost;
let undo: (() => void)[] = [];
let phoneSeq = 0;

beforeAll(async () => {
  host = await startTestHost();
});
afterEach(() => {
  for (const u of undo.reverse()) u();
  undo = [];
});
afterAll(async () => {
  await host?.stop();
});

const app = () => host.runtime.app;

/** A scheduler shaped like Service Bus from the sender's side: it records and never delivers. */
function recordingScheduler() {
  const sent: ScheduledMessage[] = [];
  const scheduler: Scheduler = {
    async schedule(message) {
      sent.push(message);
      return String(sent.length);
    },
    async cancel() {
      return "not_found";
    },
  };
  return { sent, scheduler, work: () => sent.filter((m) => m.queue === "request-execution") };
}

/**
 * Nomination's executor replaced by one that counts its runs: start (once, from `verified`), then
 * `work` (which may wait on a gate or fail), then complete.
 */
function countingExecutor(hooks: { work?: (attempt: number) => Promise<void> } = {}) {
  const steps: string[] = [];
  let started = 0;
  const executor: Executor = async (a, request, step) => {
    started++;
    if (request.status === "verified") {
      step("start");
      steps.push("start");
      await applyAction(a, request.id, "start", { kind: "system" }, { notify: false });
    }
    step("work");
    steps.push("work");
    await hooks.work?.(steps.filter((s) => s === "work").length);
    await applyAction(a, request.id, "complete", { kind: "system" }, { notify: false });
  };
  const kinds = app().kinds;
  const previous = kinds.nomination;
  kinds.nomination = { ...previous, execute: executor };
  undo.push(() => {
    kinds.nomination = previous;
  });
  return { steps, runs: () => started };
}

/** Files a nomination for a fresh number and verifies it over HTTP; returns the verification answer. */
async function fileAndVerify() {
  const phone = `+9198000${String(10_000 + phoneSeq++).padStart(5, "0")}`;
  const created = await host.call("POST", "/v1/requests", {
    body: {
      kind: "nomination",
      scope: { type: "whatsapp_number", phone },
      nominee: { name: "Meera Iyer", relation: "sister", email: "meera@example.in" },
    },
    headers: { "x-forwarded-for": `10.88.0.${phoneSeq}` },
  });
  expect(created.status).toBe(201);
  const verified = await host.call("POST", `/v1/requests/${created.body.id}/verification`, {
    headers: { "x-request-token": created.body.requestToken },
    body: { code: await latestCode(host, phone) },
  });
  expect(verified.status).toBe(200);
  return { id: created.body.id as string, verified };
}

const status = async (id: string) => (await app().stores.requests.get(id)).status;

const queueHandler = () => {
  const fn = functionTable({ includeDev: false }).find(
    (f) => f.trigger === "queue" && f.queue === "request-execution",
  );
  if (!fn || fn.trigger !== "queue") throw new Error("no function listens on request-execution");
  return fn;
};

describe("configuration", () => {
  it("the lock is renewed for as long as a handler may run, and a claim outlasts both", () => {
    const hostJson = JSON.parse(readFileSync(join(__dirname, "..", "..", "host.json"), "utf8")) as {
      functionTimeout: string;
      extensions: { serviceBus: { maxAutoLockRenewalDuration: string } };
    };
    const ms = (hms: string) => {
      const [h, m, s] = hms.split(":").map(Number);
      return ((h! * 60 + m!) * 60 + s!) * 1000;
    };
    const timeout = ms(hostJson.functionTimeout);
    expect(ms(hostJson.extensions.serviceBus.maxAutoLockRenewalDuration)).toBeGreaterThanOrEqual(timeout);
    expect(HANDLER_LEASE_MS).toBeGreaterThan(timeout);
  });
});

describe("the Azure-shaped path (a scheduler that records and does not deliver)", () => {
  it("verification answers `verified` before the executor runs; the queued message runs it, once", async () => {
    const counted = countingExecutor();
    const sb = recordingScheduler();
    undo.push(patchPort(host, "scheduler", sb.scheduler));
    const { id, verified } = await fileAndVerify();
    // The HTTP answer came back with the request as it stood: verified, nothing executed yet.
    expect(verified.body.status).toBe("verified");
    expect(verified.body.failure).toBeUndefined();
    expect(counted.runs()).toBe(0);
    expect(await status(id)).toBe("verified");
    const [message] = sb.work();
    expect(sb.work()).toHaveLength(1);
    expect(message).toMatchObject({
      queue: "request-execution",
      messageId: `request-execution:${id}:1`,
      body: { requestId: id, generation: 1 },
    });
    expect(ExecutionMessage.parse(message!.body)).toEqual({ requestId: id, generation: 1 });
    expect(message!.deliverAt.getTime()).toBeLessThanOrEqual(host.runtime.app.ports.clock.now().getTime());
    const ledger = await readExecutionLedger(app(), id);
    expect(ledger).toMatchObject({ queued: 1, done: 0, runs: 0 });
    expect(JSON.stringify(message!.body)).not.toMatch(/\+91|meera/i);

    // Service Bus delivers it to the registered queue function: the executor runs.
    const fn = queueHandler();
    await fn.handle(host.runtime, message!.body, { messageId: message!.messageId, deliveryCount: 1 });
    expect(counted.runs()).toBe(1);
    expect(await status(id)).toBe("completed");
    expect(await readExecutionLedger(app(), id)).toMatchObject({ queued: 1, done: 1, runs: 1 });
    expect((await readExecutionLedger(app(), id))?.lease).toBeUndefined();

    // The same message again (at least once), sequentially: nothing runs.
    await fn.handle(host.runtime, message!.body, { messageId: message!.messageId, deliveryCount: 2 });
    expect(await runExecutionMessage(app(), message!.body)).toMatchObject({ outcome: "already_executed" });
    expect(counted.runs()).toBe(1);
    expect(counted.steps).toEqual(["start", "work"]);
    const trail = await host.call("GET", `/v1/requests/${id}/audit`, { token: await host.token("support") });
    expect(trail.body.events.filter((e: { action: string }) => e.action === "complete")).toHaveLength(1);
  });

  it("two deliveries of one message at the same time run the executor once", async () => {
    const counted = countingExecutor();
    const sb = recordingScheduler();
    undo.push(patchPort(host, "scheduler", sb.scheduler));
    const { id } = await fileAndVerify();
    const body = sb.work()[0]!.body;
    const outcomes = await Promise.all([runExecutionMessage(app(), body), runExecutionMessage(app(), body)]);
    expect(outcomes.filter((o) => o.outcome === "executed")).toHaveLength(1);
    for (const o of outcomes)
      expect(["executed", "claimed_elsewhere", "already_executed"]).toContain(o.outcome);
    expect(counted.runs()).toBe(1);
    expect(await status(id)).toBe("completed");
    expect((await app().stores.requests.get(id)).failure).toBeUndefined();
    // A recheck left behind by the one that found the claim held does nothing when it comes.
    for (const m of sb.work().slice(1)) {
      expect(m.messageId).toMatch(/:after:/);
      expect((await runExecutionMessage(app(), m.body)).outcome).toBe("already_executed");
    }
    expect(counted.runs()).toBe(1);
  });

  it("a second delivery while the first still runs (lock lost) leaves the work to it and comes back later", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let inWork = false;
    const counted = countingExecutor({
      work: async () => {
        inWork = true;
        await gate;
      },
    });
    const sb = recordingScheduler();
    undo.push(patchPort(host, "scheduler", sb.scheduler));
    const { id } = await fileAndVerify();
    const body = sb.work()[0]!.body;
    const first = runExecutionMessage(app(), body);
    await vi.waitFor(() => expect(inWork).toBe(true));
    const ledger = await readExecutionLedger(app(), id);
    expect(ledger?.lease).toBeDefined();
    const second = await runExecutionMessage(app(), body);
    expect(second.outcome).toBe("claimed_elsewhere");
    expect(counted.runs()).toBe(1);
    // It comes back when the first's claim runs out, in case the first died.
    const recheck = sb.work().at(-1)!;
    expect(recheck.messageId).toMatch(/:after:/);
    expect(recheck.deliverAt.getTime()).toBeGreaterThan(Date.parse(ledger!.lease!.until));
    release();
    expect((await first).outcome).toBe("executed");
    expect(await status(id)).toBe("completed");
    expect((await runExecutionMessage(app(), recheck.body)).outcome).toBe("already_executed");
    expect(counted.runs()).toBe(1);
    expect(counted.steps).toEqual(["start", "work"]);
  });
});

describe("the local path", () => {
  it("delivers at once: verification answers with the request after its run, as when it ran inline", async () => {
    const counted = countingExecutor();
    const { id, verified } = await fileAndVerify();
    expect(verified.body.status).toBe("completed");
    expect(counted.runs()).toBe(1);
    expect(await readExecutionLedger(app(), id)).toMatchObject({ queued: 1, done: 1 });
    expect(host.runtime.dev).toBeDefined();
    expect(await host.runtime.dev!.deliverDue()).toBe(0);
  });

  it("a handler that died mid-run (nothing recorded, claim left) is redelivered and resumes from its step", async () => {
    // The executor gets past `start`, then the process "dies": the store goes away for the two writes
    // that would follow (the failure on the request, the release of the claim), so neither is written,
    // exactly as when the process is gone.
    let failNext = 0;
    const faulty = ["requests", "jobs"].reduce<DocumentStore>(
      (store, name) =>
        wrapCollection(store, name, (c) => ({
          replace: async (doc, etag) => {
            if (failNext > 0) {
              failNext--;
              throw new Error("injected: the process died");
            }
            return c.replace(doc, etag);
          },
        })),
      app().ports.documents,
    );
    undo.push(patchPort(host, "documents", faulty));
    const counted = countingExecutor({
      work: async (attempt) => {
        if (attempt === 1) {
          failNext = 2;
          throw new Error("injected: killed mid-work");
        }
      },
    });
    const { id, verified } = await fileAndVerify();
    expect(failNext).toBe(0);
    // The answer shows the request as the dead run left it: started, no failure recorded, claim left.
    expect(verified.body.status).toBe("in_progress");
    expect(verified.body.failure).toBeUndefined();
    const ledger = await readExecutionLedger(app(), id);
    expect(ledger).toMatchObject({ done: 0, runs: 1 });
    expect(ledger?.lease).toBeDefined();
    // The failed delivery is handed out again: the claim it left is its own process's and no handler
    // runs it, so it is taken over at once, and the executor resumes at `work` (`start` ran once).
    expect(await host.runtime.dev!.deliverDue()).toBe(1);
    expect(await status(id)).toBe("completed");
    expect(counted.steps).toEqual(["start", "work", "work"]);
    expect(await readExecutionLedger(app(), id)).toMatchObject({ done: 1, runs: 2 });
    expect((await readExecutionLedger(app(), id))?.lease).toBeUndefined();
    expect((await app().stores.requests.get(id)).failure).toBeUndefined();
  });

  it("a claim left by another instance that died holds until it runs out; then the recheck resumes", async () => {
    const counted = countingExecutor();
    const sb = recordingScheduler();
    const restore = patchPort(host, "scheduler", sb.scheduler);
    const { id } = await fileAndVerify();
    restore();
    const message = sb.work()[0]!;
    // Another instance claimed it and died (its claim names another holder, and runs out in 35 min).
    const now = host.runtime.app.ports.clock.now();
    const jobs = app().ports.documents.collection("service", "jobs");
    const pk = (await readExecutionLedger(app(), id))!.pk;
    const found = await jobs.read<{ id: string; pk: string }>(`execution:${id}`, pk);
    await jobs.replace(
      {
        ...found!.doc,
        runs: 1,
        lease: {
          id: "claim-of-a-dead-instance",
          holder: "another-instance",
          at: now.toISOString(),
          until: new Date(now.getTime() + HANDLER_LEASE_MS).toISOString(),
          generation: 1,
        },
      },
      found!.etag,
    );
    // Service Bus redelivers (through the real local scheduler now): the claim holds, nothing runs.
    await host.runtime.app.ports.scheduler.schedule({ ...message, deliverAt: now });
    expect(counted.runs()).toBe(0);
    expect(await status(id)).toBe("verified");
    // Once the claim has run out, the recheck it scheduled takes over.
    await host.call("POST", "/_dev/clock", { body: { advance: "PT36M" } });
    expect(await status(id)).toBe("completed");
    expect(counted.runs()).toBe(1);
    expect(await readExecutionLedger(app(), id)).toMatchObject({ done: 1 });
    expect((await readExecutionLedger(app(), id))?.lease).toBeUndefined();
  });

  it("an ask that arrives while a run is going is covered by running once more, not lost", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let inWork = false;
    const seen: string[] = [];
    const executor: Executor = async (a, request) => {
      seen.push(request.status);
      if (seen.length === 1) {
        inWork = true;
        await gate;
      }
    };
    const kinds = app().kinds;
    const previous = kinds.nomination;
    undo.push(() => {
      kinds.nomination = previous;
    });
    const sb = recordingScheduler();
    undo.push(patchPort(host, "scheduler", sb.scheduler));
    kinds.nomination = { ...previous, execute: executor };
    const { id } = await fileAndVerify();
    const first = runExecutionMessage(app(), sb.work()[0]!.body);
    await vi.waitFor(() => expect(inWork).toBe(true));
    // A second ask (staff, a reconciliation): its own message finds the run claimed…
    const { runExecution } = await import("../../src/app/requests/execution");
    await runExecution(app(), id);
    const second = sb.work().find((m) => m.messageId === `request-execution:${id}:2`)!;
    expect((await runExecutionMessage(app(), second.body)).outcome).toBe("claimed_elsewhere");
    release();
    // …and the running delivery runs once more for it before it lets go.
    expect((await first).outcome).toBe("executed");
    expect(seen).toHaveLength(2);
    expect(await readExecutionLedger(app(), id)).toMatchObject({ queued: 2, done: 2 });
    for (const m of sb.work().filter((w) => w.messageId.includes(":after:")))
      expect((await runExecutionMessage(app(), m.body)).outcome).toBe("already_executed");
    expect(seen).toHaveLength(2);
  });

  it("a malformed or unknown message is dropped without running anything", async () => {
    expect((await runExecutionMessage(app(), { requestId: "nope" })).outcome).toBe(
      "malformed_message_dropped",
    );
    expect((await runExecutionMessage(app(), { requestId: "r-x", generation: 1 })).outcome).toBe(
      "malformed_message_dropped",
    );
    const unknown = newRequestId("tenant:t-nobody");
    expect((await runExecutionMessage(app(), { requestId: unknown, generation: 1 })).outcome).toBe(
      "request_not_found",
    );
  });
});
