import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type OperationOptionsBase,
  ServiceBusClient,
  ServiceBusError,
  type ServiceBusMessage,
  type ServiceBusSender,
} from "@azure/service-bus";
import Long from "long";
import { describe, expect, it, vi } from "vitest";
import { DevClock } from "../../src/adapters/embedded/dev-clock";
import { type Delivery, LocalScheduler } from "../../src/adapters/embedded/local-scheduler";
import { OutboxNotifier } from "../../src/adapters/embedded/outbox-notifier";
import { ServiceBusNotifier } from "../../src/adapters/servicebus/service-bus-notifier";
import {
  MAX_MESSAGE_ID_LENGTH,
  ServiceBusScheduler,
  serviceBusMessageId,
} from "../../src/adapters/servicebus/service-bus-scheduler";
import { defaultPolicy } from "../../src/domain/policy/periods";
import { noticeTimeToLive } from "../../src/domain/notices/time-to-live";
import { newRequestId } from "../../src/domain/requests/request-id";
import { Notification } from "../../src/ports/notifier";
import { QueueName, type ScheduledMessage } from "../../src/ports/scheduler";

const HOUR = 3600_000;
const tempFile = () => join(mkdtempSync(join(tmpdir(), "dpdp-sched-")), "scheduler.json");

type Delivered = { queue: QueueName; body: unknown; messageId: string; deliveryCount: number };

/** A delivery handler that records what it got; `fail` decides per call whether it throws. */
function recorder(fail: (d: Delivered) => boolean = () => false) {
  const delivered: Delivered[] = [];
  const deliver: Delivery = async (queue, body, meta) => {
    const d = { queue, body, ...meta };
    delivered.push(d);
    if (fail(d)) throw new Error("handler failed");
  };
  return { delivered, deliver };
}

const message = (clock: DevClock, overrides: Partial<ScheduledMessage> = {}): ScheduledMessage => ({
  queue: "account-purge",
  messageId: "purge:r-1:v3",
  body: { requestId: "r-1", version: 3 },
  deliverAt: new Date(clock.now().getTime() + HOUR),
  ...overrides,
});

describe("DevClock", () => {
  it("follows real time plus an offset that only moves forward", async () => {
    const clock = new DevClock();
    const before = Date.now();
    expect(Math.abs(clock.now().getTime() - before)).toBeLessThan(1000);
    const target = new Date(before + 31 * 24 * HOUR);
    expect(clock.advanceTo(target).getTime()).toBeGreaterThanOrEqual(target.getTime());
    expect(clock.now().getTime()).toBeGreaterThanOrEqual(target.getTime());
    const now = clock.now().getTime();
    clock.advanceTo(new Date(before)); // never back
    expect(clock.now().getTime()).toBeGreaterThanOrEqual(now);
  });
});

describe("LocalScheduler", () => {
  it("delivers a message only when the clock reaches it, with its body and messageId", async () => {
    const clock = new DevClock();
    const scheduler = new LocalScheduler(clock, tempFile());
    const { delivered, deliver } = recorder();
    scheduler.onDeliver(deliver);
    const msg = message(clock);
    const ticket = await scheduler.schedule(msg);
    expect(ticket).toMatch(/^\d+$/);

    expect(await scheduler.deliverDue()).toBe(0);
    clock.advanceTo(new Date(msg.deliverAt.getTime() - 60_000));
    expect(await scheduler.deliverDue()).toBe(0);
    expect(delivered).toEqual([]);
    expect(scheduler.pending()).toHaveLength(1);

    clock.advanceTo(msg.deliverAt);
    expect(await scheduler.deliverDue()).toBe(1);
    expect(delivered).toEqual([
      {
        queue: "account-purge",
        body: { requestId: "r-1", version: 3 },
        messageId: "purge:r-1:v3",
        deliveryCount: 1,
      },
    ]);
    expect(scheduler.pending()).toEqual([]);
    // Delivered once: a later pass does not deliver it again.
    clock.advanceTo(new Date(clock.now().getTime() + 24 * HOUR));
    expect(await scheduler.deliverDue()).toBe(0);
    expect(delivered).toHaveLength(1);
  });

  it("delivers due messages in time order and leaves the later ones waiting", async () => {
    const clock = new DevClock();
    const scheduler = new LocalScheduler(clock);
    const { delivered, deliver } = recorder();
    scheduler.onDeliver(deliver);
    const t0 = clock.now().getTime();
    await scheduler.schedule(message(clock, { messageId: "c", deliverAt: new Date(t0 + 3 * HOUR) }));
    await scheduler.schedule(message(clock, { messageId: "a", deliverAt: new Date(t0 + 1 * HOUR) }));
    await scheduler.schedule(message(clock, { messageId: "late", deliverAt: new Date(t0 + 10 * HOUR) }));
    await scheduler.schedule(
      message(clock, { messageId: "b", queue: "backup-rotation", deliverAt: new Date(t0 + 2 * HOUR) }),
    );
    clock.advanceTo(new Date(t0 + 5 * HOUR));
    expect(await scheduler.deliverDue()).toBe(3);
    expect(delivered.map((d) => [d.messageId, d.queue])).toEqual([
      ["a", "account-purge"],
      ["b", "backup-rotation"],
      ["c", "account-purge"],
    ]);
    expect(scheduler.pending().map((j) => j.messageId)).toEqual(["late"]);
  });

  it("keeps due messages until a handler is wired", async () => {
    const clock = new DevClock();
    const scheduler = new LocalScheduler(clock);
    await scheduler.schedule(message(clock, { deliverAt: new Date(clock.now().getTime() - 1000) }));
    expect(await scheduler.deliverDue()).toBe(0);
    const { delivered, deliver } = recorder();
    scheduler.onDeliver(deliver);
    expect(await scheduler.deliverDue()).toBe(1);
    expect(delivered).toHaveLength(1);
  });

  describe("cancel", () => {
    it("cancels a waiting message by ticket: it is never delivered", async () => {
      const clock = new DevClock();
      const scheduler = new LocalScheduler(clock, tempFile());
      const { delivered, deliver } = recorder();
      scheduler.onDeliver(deliver);
      const keep = await scheduler.schedule(message(clock, { messageId: "keep" }));
      const drop = await scheduler.schedule(message(clock, { messageId: "drop" }));
      expect(keep).not.toBe(drop);
      expect(await scheduler.cancel("account-purge", drop)).toBe("cancelled");
      expect(await scheduler.cancel("account-purge", drop)).toBe("not_found");
      clock.advanceTo(new Date(clock.now().getTime() + 2 * HOUR));
      await scheduler.deliverDue();
      expect(delivered.map((d) => d.messageId)).toEqual(["keep"]);
    });

    it("is not_found for a delivered ticket, an unknown ticket, or the wrong queue", async () => {
      const clock = new DevClock();
      const scheduler = new LocalScheduler(clock);
      const { deliver } = recorder();
      scheduler.onDeliver(deliver);
      const ticket = await scheduler.schedule(message(clock));
      expect(await scheduler.cancel("backup-rotation", ticket)).toBe("not_found");
      expect(await scheduler.cancel("account-purge", "999999")).toBe("not_found");
      expect(await scheduler.cancel("account-purge", "not-a-number")).toBe("not_found");
      clock.advanceTo(new Date(clock.now().getTime() + 2 * HOUR));
      expect(await scheduler.deliverDue()).toBe(1);
      expect(await scheduler.cancel("account-purge", ticket)).toBe("not_found");
    });

    it("is not_found once the message fired, even while it waits for a retry (as on Service Bus)", async () => {
      const clock = new DevClock();
      const scheduler = new LocalScheduler(clock);
      const { delivered, deliver } = recorder((d) => d.deliveryCount === 1);
      scheduler.onDeliver(deliver);
      const ticket = await scheduler.schedule(message(clock));
      clock.advanceTo(new Date(clock.now().getTime() + 2 * HOUR));
      expect(await scheduler.deliverDue()).toBe(0); // fired, handler threw
      expect(await scheduler.cancel("account-purge", ticket)).toBe("not_found");
      // The fired message is still redelivered; the handler's re-read of state is the real guard.
      expect(await scheduler.deliverDue()).toBe(1);
      expect(delivered.map((d) => d.deliveryCount)).toEqual([1, 2]);
    });

    it("is not_found while the handler is running, and the delivery completes", async () => {
      const clock = new DevClock();
      const scheduler = new LocalScheduler(clock);
      let release!: () => void;
      const started = vi.fn();
      scheduler.onDeliver(async () => {
        started();
        await new Promise<void>((r) => (release = r));
      });
      const ticket = await scheduler.schedule(message(clock, { deliverAt: clock.now() }));
      const pass = scheduler.deliverDue();
      await vi.waitFor(() => expect(started).toHaveBeenCalled());
      expect(await scheduler.cancel("account-purge", ticket)).toBe("not_found");
      release();
      expect(await pass).toBe(1);
      expect(scheduler.pending()).toEqual([]);
    });
  });

  describe("persistence", () => {
    it("a new instance on the same file keeps waiting messages, their tickets and the sequence", async () => {
      const file = tempFile();
      const clock = new DevClock();
      const first = new LocalScheduler(clock, file);
      const t1 = await first.schedule(message(clock, { messageId: "one" }));
      const t2 = await first.schedule(message(clock, { messageId: "two" }));
      await first.schedule(message(clock, { messageId: "three", queue: "backup-rotation" }));
      expect(await first.cancel("account-purge", t2)).toBe("cancelled");

      const second = new LocalScheduler(clock, file);
      expect(second.pending().map((j) => [j.ticket, j.messageId])).toEqual([
        [t1, "one"],
        [String(Number(t2) + 1), "three"],
      ]);
      // Tickets are never reused after a restart, so an old ticket cannot cancel a new message.
      const t4 = await second.schedule(message(clock, { messageId: "four" }));
      expect(Number(t4)).toBeGreaterThan(Number(t2) + 1);
      expect(await second.cancel("account-purge", t2)).toBe("not_found");

      const { delivered, deliver } = recorder();
      second.onDeliver(deliver);
      expect(await second.deliverDue()).toBe(0);
      clock.advanceTo(new Date(clock.now().getTime() + 2 * HOUR));
      expect(await second.deliverDue()).toBe(3);
      expect(delivered.map((d) => d.messageId).sort()).toEqual(["four", "one", "three"]);
      expect(delivered.find((d) => d.messageId === "one")?.body).toEqual({ requestId: "r-1", version: 3 });

      // What was delivered is gone from the file too.
      expect(new LocalScheduler(clock, file).pending()).toEqual([]);
    });

    it("a delivery is counted before the handler runs, so a crash mid-handler still counts", async () => {
      const file = tempFile();
      const clock = new DevClock();
      const first = new LocalScheduler(clock, file, 2);
      first.onDeliver(() => new Promise<void>(() => {})); // never returns: the process "dies" here
      await first.schedule(message(clock, { deliverAt: clock.now() }));
      void first.deliverDue();
      // On disk before the handler returns (read back by a new instance, as after a crash).
      await vi.waitFor(() => expect(new LocalScheduler(clock, file, 2).pending()[0]?.deliveryCount).toBe(1));

      const second = new LocalScheduler(clock, file, 2);
      expect(second.pending()[0]?.deliveryCount).toBe(1);
      const { delivered, deliver } = recorder(() => true);
      second.onDeliver(deliver);
      await second.deliverDue();
      expect(delivered.map((d) => d.deliveryCount)).toEqual([2]);
      expect(second.pending()).toEqual([]);
      expect(second.deadLettered()).toHaveLength(1);
    });

    it("refuses an unreadable file with a message naming it, and starts afresh without one", async () => {
      const file = tempFile();
      writeFileSync(file, "{ not json");
      expect(() => new LocalScheduler(new DevClock(), file)).toThrow(file);
      writeFileSync(file, JSON.stringify({ sequence: 1, pending: [{ ticket: 1 }], deadLettered: [] }));
      expect(() => new LocalScheduler(new DevClock(), file)).toThrow(/unreadable/);
      expect(new LocalScheduler(new DevClock(), join(file, "..", "fresh", "s.json")).pending()).toEqual([]);
    });

    it("each change is one line appended to the journal, not a rewrite of everything waiting", async () => {
      const file = tempFile();
      const clock = new DevClock();
      const scheduler = new LocalScheduler(clock, file);
      const lines = () => readFileSync(`${file}.journal`, "utf8").split("\n").filter(Boolean).length;
      for (let i = 0; i < 300; i++) await scheduler.schedule(message(clock, { messageId: `m${i}` }));
      // 300 waiting timers, and the snapshot never written: the cost of a change does not grow with them.
      expect(lines()).toBe(300);
      expect(() => readFileSync(file)).toThrow(/ENOENT/);
      const before = lines();
      expect(await scheduler.cancel("account-purge", "7")).toBe("cancelled");
      expect(lines()).toBe(before + 1);
      const restarted = new LocalScheduler(clock, file);
      expect(restarted.pending()).toHaveLength(299);
      expect(restarted.pending().map((j) => j.ticket)).not.toContain("7");
      // A start writes the snapshot of it all and empties the journal.
      expect(JSON.parse(readFileSync(file, "utf8")).pending).toHaveLength(299);
      expect(lines()).toBe(0);
    });

    it("rewrites the snapshot once the journal outgrows it, and a restart then sees the same state", async () => {
      const file = tempFile();
      const clock = new DevClock();
      const scheduler = new LocalScheduler(clock, file);
      const tickets: string[] = [];
      for (let i = 0; i < 1500; i++)
        tickets.push(await scheduler.schedule(message(clock, { messageId: `m${i}` })));
      for (const t of tickets.slice(0, 1400)) await scheduler.cancel("account-purge", t);
      // Compacted on the way: the journal holds only what came after the last snapshot.
      expect(readFileSync(`${file}.journal`, "utf8").split("\n").filter(Boolean).length).toBeLessThan(1100);
      const restarted = new LocalScheduler(clock, file);
      expect(restarted.pending().map((j) => j.ticket)).toEqual(tickets.slice(1400));
      expect(Number(await restarted.schedule(message(clock)))).toBe(1501);
    });

    it("a crash between writing the snapshot and emptying the journal replays nothing twice", async () => {
      const file = tempFile();
      const clock = new DevClock();
      const first = new LocalScheduler(clock, file);
      const a = await first.schedule(message(clock, { messageId: "a" }));
      await first.schedule(message(clock, { messageId: "b" }));
      expect(await first.cancel("account-purge", a)).toBe("cancelled");
      const journal = readFileSync(`${file}.journal`, "utf8");
      new LocalScheduler(clock, file); // snapshot written, journal emptied
      writeFileSync(`${file}.journal`, journal); // …as if the crash came before the emptying
      const restarted = new LocalScheduler(clock, file);
      expect(restarted.pending().map((j) => j.messageId)).toEqual(["b"]);
    });

    it("ignores a last line cut short by a crash, and refuses a damaged line before it", async () => {
      const file = tempFile();
      const clock = new DevClock();
      const first = new LocalScheduler(clock, file);
      await first.schedule(message(clock, { messageId: "kept" }));
      const journal = readFileSync(`${file}.journal`, "utf8");
      writeFileSync(`${file}.journal`, `${journal}{"n":2,"op":"add","job":{"tick`);
      const restarted = new LocalScheduler(clock, file);
      expect(restarted.pending().map((j) => j.messageId)).toEqual(["kept"]);
      // The cut line is gone from the files, so a later change is never appended to it.
      await restarted.schedule(message(clock, { messageId: "next" }));
      expect(new LocalScheduler(clock, file).pending().map((j) => j.messageId)).toEqual(["kept", "next"]);

      const other = tempFile();
      writeFileSync(`${other}.journal`, `{ damaged\n${journal}`);
      expect(() => new LocalScheduler(clock, other)).toThrow(`${other}.journal`);
    });
  });

  describe("failures", () => {
    it("retries a throwing handler once per pass, then dead-letters it at maxDeliveryCount", async () => {
      const file = tempFile();
      const clock = new DevClock();
      const scheduler = new LocalScheduler(clock, file, 3);
      const { delivered, deliver } = recorder((d) => d.messageId === "bad");
      scheduler.onDeliver(deliver);
      await scheduler.schedule(message(clock, { messageId: "bad", deliverAt: clock.now() }));
      await scheduler.schedule(message(clock, { messageId: "good", deliverAt: clock.now() }));

      // The failing message neither spins nor blocks the one behind it.
      expect(await scheduler.deliverDue()).toBe(1);
      expect(delivered.map((d) => [d.messageId, d.deliveryCount])).toEqual([
        ["bad", 1],
        ["good", 1],
      ]);
      expect(scheduler.pending().map((j) => [j.messageId, j.deliveryCount])).toEqual([["bad", 1]]);

      expect(await scheduler.deliverDue()).toBe(0);
      expect(scheduler.pending()[0]?.deliveryCount).toBe(2);
      expect(scheduler.deadLettered()).toEqual([]);

      expect(await scheduler.deliverDue()).toBe(0);
      expect(scheduler.pending()).toEqual([]);
      expect(scheduler.deadLettered().map((j) => [j.messageId, j.deliveryCount])).toEqual([["bad", 3]]);
      expect(delivered.filter((d) => d.messageId === "bad").map((d) => d.deliveryCount)).toEqual([1, 2, 3]);

      // Dead-lettered is final, and survives a restart for reconciliation to find.
      expect(await scheduler.deliverDue()).toBe(0);
      expect(delivered).toHaveLength(4);
      const restarted = new LocalScheduler(clock, file, 3);
      expect(restarted.deadLettered().map((j) => j.messageId)).toEqual(["bad"]);
      expect(restarted.pending()).toEqual([]);
    });

    it("a handler that recovers on a retry is delivered and not dead-lettered", async () => {
      const clock = new DevClock();
      const scheduler = new LocalScheduler(clock, undefined, 5);
      const { delivered, deliver } = recorder((d) => d.deliveryCount < 3);
      scheduler.onDeliver(deliver);
      await scheduler.schedule(message(clock, { deliverAt: clock.now() }));
      const results = [
        await scheduler.deliverDue(),
        await scheduler.deliverDue(),
        await scheduler.deliverDue(),
      ];
      expect(results).toEqual([0, 0, 1]);
      expect(delivered.map((d) => d.deliveryCount)).toEqual([1, 2, 3]);
      expect(scheduler.deadLettered()).toEqual([]);
      expect(scheduler.pending()).toEqual([]);
    });
  });

  describe("duplicate delivery", () => {
    it("overlapping passes (the 1 s timer and a clock move) deliver each message once", async () => {
      const clock = new DevClock();
      const scheduler = new LocalScheduler(clock, tempFile());
      const counts = new Map<string, number>();
      scheduler.onDeliver(async (_queue, _body, meta) => {
        counts.set(meta.messageId, (counts.get(meta.messageId) ?? 0) + 1);
        await new Promise((r) => setTimeout(r, 5));
      });
      for (let i = 0; i < 5; i++) {
        await scheduler.schedule(message(clock, { messageId: `m${i}`, deliverAt: clock.now() }));
      }
      const passes = await Promise.all([
        scheduler.deliverDue(),
        scheduler.deliverDue(),
        scheduler.deliverDue(),
      ]);
      expect(passes.reduce((a, b) => a + b, 0)).toBe(5);
      expect([...counts.values()]).toEqual([1, 1, 1, 1, 1]);
    });

    it("the same messageId scheduled twice is two messages, each with its own ticket", async () => {
      // Like Service Bus beyond its duplicate-detection window: handlers must be idempotent.
      const clock = new DevClock();
      const scheduler = new LocalScheduler(clock);
      const { delivered, deliver } = recorder();
      scheduler.onDeliver(deliver);
      const a = await scheduler.schedule(message(clock, { deliverAt: clock.now() }));
      const b = await scheduler.schedule(message(clock, { deliverAt: clock.now() }));
      expect(a).not.toBe(b);
      expect(await scheduler.deliverDue()).toBe(2);
      expect(delivered.map((d) => d.messageId)).toEqual(["purge:r-1:v3", "purge:r-1:v3"]);
    });

    it("a handler may schedule follow-up work; one due now goes out in the same pass", async () => {
      const clock = new DevClock();
      const scheduler = new LocalScheduler(clock);
      const seen: string[] = [];
      scheduler.onDeliver(async (_queue, _body, meta) => {
        seen.push(meta.messageId);
        if (meta.messageId === "first")
          await scheduler.schedule(message(clock, { messageId: "follow-up", deliverAt: clock.now() }));
      });
      await scheduler.schedule(message(clock, { messageId: "first", deliverAt: clock.now() }));
      expect(await scheduler.deliverDue()).toBe(2);
      expect(seen).toEqual(["first", "follow-up"]);
    });
  });
});

/**
 * A recording stand-in for the SDK's ServiceBusSender: the methods the adapters use, with the SDK's
 * own signatures (a change in the SDK's types breaks this file at compile time).
 */
class RecordingSender implements Pick<
  ServiceBusSender,
  "scheduleMessages" | "cancelScheduledMessages" | "sendMessages"
> {
  readonly scheduled: { messages: ServiceBusMessage[]; at: Date }[] = [];
  readonly cancelled: Long[][] = [];
  readonly sent: ServiceBusMessage[] = [];
  next: Long[] = [];
  cancelError?: Error;

  constructor(readonly queue: string) {}

  async scheduleMessages(
    messages: Parameters<ServiceBusSender["scheduleMessages"]>[0],
    scheduledEnqueueTimeUtc: Date,
    _options?: OperationOptionsBase,
  ): Promise<Long[]> {
    const list = (Array.isArray(messages) ? messages : [messages]) as ServiceBusMessage[];
    this.scheduled.push({ messages: list, at: scheduledEnqueueTimeUtc });
    return list.map(() => this.next.shift() ?? Long.fromNumber(this.scheduled.length));
  }

  async cancelScheduledMessages(
    sequenceNumbers: Long | Long[],
    _options?: OperationOptionsBase,
  ): Promise<void> {
    this.cancelled.push(Array.isArray(sequenceNumbers) ? sequenceNumbers : [sequenceNumbers]);
    if (this.cancelError) throw this.cancelError;
  }

  async sendMessages(
    messages: Parameters<ServiceBusSender["sendMessages"]>[0],
    _options?: OperationOptionsBase,
  ): Promise<void> {
    this.sent.push(...((Array.isArray(messages) ? messages : [messages]) as ServiceBusMessage[]));
  }
}

/** The adapter over recording senders; `sequenceNumbers` are what Service Bus "returns", in order. */
function recordingScheduler(sequenceNumbers: Long[] = []) {
  const senders = new Map<string, RecordingSender>();
  const senderFor = vi.fn((queue: QueueName) => {
    const s = new RecordingSender(queue);
    s.next = sequenceNumbers;
    senders.set(queue, s);
    return s;
  });
  return { scheduler: new ServiceBusScheduler(senderFor), senders, senderFor };
}

describe("ServiceBusScheduler (recording sender)", () => {
  const deliverAt = new Date("2026-03-01T10:30:00.000Z");

  it("keeps every message id within Service Bus's 128 characters, deterministic and distinct", async () => {
    const { scheduler, senders } = recordingScheduler();
    // An export-expiry id as the service writes it, with a request id that carries its partition.
    const long = `export-expiry:${newRequestId(`wa:${"A".repeat(43)}`)}:${"b".repeat(36)}:2026-03-08T10:30:00.000Z`;
    expect(long.length).toBeGreaterThan(MAX_MESSAGE_ID_LENGTH);
    for (const messageId of [long, long, `${long}x`, "short:r-1"])
      await scheduler.schedule({ queue: "request-timers", messageId, body: {}, deliverAt });
    const sent = senders.get("request-timers")!.scheduled.map((s) => s.messages[0]!.messageId as string);
    for (const id of sent) expect(id.length).toBeLessThanOrEqual(MAX_MESSAGE_ID_LENGTH);
    expect(sent[0]).toBe(sent[1]);
    expect(sent[2]).not.toBe(sent[0]);
    expect(sent[0]!.startsWith("export-expiry:r-")).toBe(true);
    expect(sent[3]).toBe("short:r-1");
    expect(serviceBusMessageId(long)).toBe(sent[0]);
  });

  it("schedules on the message's queue with its body, messageId and enqueue time", async () => {
    const { scheduler, senders, senderFor } = recordingScheduler();
    await scheduler.schedule({
      queue: "account-purge",
      messageId: "purge:r-1:v3",
      body: { requestId: "r-1", version: 3 },
      deliverAt,
    });
    await scheduler.schedule({
      queue: "backup-rotation",
      messageId: "rotate:b-1",
      body: { backupId: "b-1" },
      deliverAt,
    });
    await scheduler.schedule({
      queue: "account-purge",
      messageId: "purge:r-2:v1",
      body: { requestId: "r-2" },
      deliverAt,
    });
    // One sender per queue, reused.
    expect(senderFor.mock.calls.map(([q]) => q)).toEqual(["account-purge", "backup-rotation"]);
    const purge = senders.get("account-purge")!;
    expect(purge.scheduled).toHaveLength(2);
    expect(purge.scheduled[0]).toEqual({
      messages: [
        {
          messageId: "purge:r-1:v3",
          body: { requestId: "r-1", version: 3 },
          contentType: "application/json",
        },
      ],
      at: deliverAt,
    });
    expect(purge.scheduled[0]!.at.toISOString()).toBe("2026-03-01T10:30:00.000Z");
    expect(senders.get("backup-rotation")!.scheduled[0]!.messages[0]).toMatchObject({
      messageId: "rotate:b-1",
      body: { backupId: "b-1" },
    });
  });

  it("keeps the Long sequence number as a decimal string without precision loss", async () => {
    const above2to53 = "9007199254740993"; // 2^53 + 1
    expect(String(Number(above2to53))).toBe("9007199254740992"); // what a JS number makes of it
    const { scheduler } = recordingScheduler([Long.fromString(above2to53), Long.MAX_VALUE]);
    const schedule = (messageId: string) =>
      scheduler.schedule({ queue: "account-purge", messageId, body: {}, deliverAt });
    expect(await schedule("m1")).toBe(above2to53);
    expect(await schedule("m2")).toBe("9223372036854775807");
  });

  it("cancels with the parsed Long on the right queue", async () => {
    const { scheduler, senders } = recordingScheduler();
    expect(await scheduler.cancel("account-purge", "9007199254740993")).toBe("cancelled");
    expect(senders.get("account-purge")!.cancelled).toHaveLength(1);
    const [seq] = senders.get("account-purge")!.cancelled[0]!;
    expect(Long.isLong(seq)).toBe(true);
    expect(seq!.toString()).toBe("9007199254740993");
    expect(seq!.high).toBe(0x200000);
    expect(seq!.low).toBe(1);
    expect(senders.has("backup-rotation")).toBe(false);
  });

  it("round-trips a ticket: the Long it cancels is the Long Service Bus returned", async () => {
    const seq = Long.fromString("72043423689408512");
    const { scheduler, senders } = recordingScheduler([seq]);
    const ticket = await scheduler.schedule({
      queue: "backup-rotation",
      messageId: "x",
      body: {},
      deliverAt,
    });
    expect(await scheduler.cancel("backup-rotation", ticket)).toBe("cancelled");
    expect(senders.get("backup-rotation")!.cancelled[0]![0]!.equals(seq)).toBe(true);
  });

  it("maps Service Bus's MessageNotFound (already fired, or never existed) to not_found", async () => {
    const { scheduler, senders } = recordingScheduler();
    await scheduler.schedule({ queue: "account-purge", messageId: "m", body: {}, deliverAt });
    senders.get("account-purge")!.cancelError = new ServiceBusError(
      "Messages not found. Missing sequence numbers: 1",
      "MessageNotFound",
    );
    expect(await scheduler.cancel("account-purge", "1")).toBe("not_found");
  });

  it("rethrows any other failure: it is a real fault, not a fired message", async () => {
    const { scheduler, senders } = recordingScheduler();
    await scheduler.schedule({ queue: "account-purge", messageId: "m", body: {}, deliverAt });
    const busy = new ServiceBusError("The service is busy", "ServiceBusy");
    senders.get("account-purge")!.cancelError = busy;
    await expect(scheduler.cancel("account-purge", "1")).rejects.toBe(busy);
    senders.get("account-purge")!.cancelError = new Error("socket closed");
    await expect(scheduler.cancel("account-purge", "1")).rejects.toThrow("socket closed");
  });

  it("refuses a damaged ticket instead of cancelling some other message", async () => {
    const { scheduler, senders } = recordingScheduler();
    await scheduler.schedule({ queue: "account-purge", messageId: "m", body: {}, deliverAt });
    // Long.fromString would read these as 0, 12, -1 and wrapped-around numbers.
    for (const bad of [
      "abc",
      "12abc",
      "",
      "-1",
      " 12",
      "012",
      "9223372036854775808",
      "99999999999999999999",
    ]) {
      await expect(scheduler.cancel("account-purge", bad), bad).rejects.toThrow(
        /not a Service Bus sequence number/,
      );
    }
    expect(senders.get("account-purge")!.cancelled).toEqual([]);
    expect(await scheduler.cancel("account-purge", "0")).toBe("cancelled");
  });

  it("fails when Service Bus returns no sequence number", async () => {
    const scheduler = new ServiceBusScheduler(() => ({
      scheduleMessages: async () => [],
      cancelScheduledMessages: async () => {},
    }));
    await expect(
      scheduler.schedule({ queue: "account-purge", messageId: "lost", body: {}, deliverAt }),
    ).rejects.toThrow(/no sequence number for lost/);
  });

  it("fromClient creates one sender per queue from the client, lazily", async () => {
    // A client never connects before its first operation; the sender is replaced by the recording one.
    const client = new ServiceBusClient(
      "Endpoint=sb://127.0.0.1/;SharedAccessKeyName=test;SharedAccessKey=dGVzdA==",
    );
    const created: string[] = [];
    const recording = new RecordingSender("any");
    vi.spyOn(client, "createSender").mockImplementation((queue: string) => {
      created.push(queue);
      return recording as unknown as ServiceBusSender;
    });
    const scheduler = ServiceBusScheduler.fromClient(client);
    expect(created).toEqual([]);
    await scheduler.schedule({ queue: "account-purge", messageId: "a", body: {}, deliverAt });
    await scheduler.schedule({ queue: "account-purge", messageId: "b", body: {}, deliverAt });
    await scheduler.cancel("backup-rotation", "5");
    expect(created).toEqual(["account-purge", "backup-rotation"]);
    const notifier = ServiceBusNotifier.fromClient(client, TTL);
    await notifier.send(notice());
    expect(created).toEqual(["account-purge", "backup-rotation", "notifications"]);
    await client.close();
  });
});

/** The notices' time-to-live in use by default: a code's notice, and any other. */
const TTL = noticeTimeToLive(defaultPolicy);
const CODE_TTL_MS = defaultPolicy.periodMs(new Date(0), "codeNoticeTimeToLive");
const OTHER_TTL_MS = defaultPolicy.periodMs(new Date(0), "noticeTimeToLive");

function notice(overrides: Partial<Notification> = {}): Notification {
  return {
    id: "n-1",
    channel: "whatsapp",
    to: "+919812345678",
    language: "en",
    template: "verification_code",
    text: "Your code is 123456. Grievance Officer: karan@callmissed.com",
    requestId: "r-1",
    createdAt: "2026-01-01T00:00:00.000Z",
    ...overrides,
  };
}

describe("ServiceBusNotifier (recording sender)", () => {
  it("sends one JSON message per notice whose body validates against the Notification schema", async () => {
    const sender = new RecordingSender("notifications");
    const notifier = new ServiceBusNotifier(sender, TTL);
    await notifier.send(notice());
    await notifier.send(notice({ id: "n-2", channel: "email", to: "a@b.in", subject: "Your request" }));
    expect(sender.sent).toHaveLength(2);
    for (const m of sender.sent.slice(0, 2)) {
      expect(m.contentType).toBe("application/json");
      const parsed = Notification.safeParse(m.body);
      expect(parsed.success).toBe(true);
      // messageId = notice id, so Service Bus deduplicates a retried send.
      expect(m.messageId).toBe((m.body as Notification).id);
      // A code's notice expires before the code (codeNoticeTimeToLive < verificationCodeValidity).
      expect(m.timeToLive).toBe(CODE_TTL_MS);
    }
    await notifier.send(notice({ id: "n-3", template: "request_completed", text: "Done." }));
    // Any other notice waits at most noticeTimeToLive, the queue's own default.
    expect(sender.sent[2]!.timeToLive).toBe(OTHER_TTL_MS);
    expect(CODE_TTL_MS).toBeLessThan(defaultPolicy.periodMs(new Date(0), "verificationCodeValidity"));
    expect(sender.sent[0]!.body).toEqual(notice());
    // The body survives the JSON round trip the consumer does.
    expect(Notification.parse(JSON.parse(JSON.stringify(sender.sent[1]!.body)))).toMatchObject({
      id: "n-2",
      channel: "email",
      subject: "Your request",
    });
  });

  it("fills the schema's defaults (language en)", async () => {
    const sender = new RecordingSender("notifications");
    const { language: _language, ...withoutLanguage } = notice();
    await new ServiceBusNotifier(sender, TTL).send(withoutLanguage as Notification);
    expect((sender.sent[0]!.body as Notification).language).toBe("en");
  });

  it("refuses an invalid notice before anything is sent", async () => {
    const sender = new RecordingSender("notifications");
    const notifier = new ServiceBusNotifier(sender, TTL);
    await expect(notifier.send(notice({ channel: "sms" as never }))).rejects.toThrow();
    await expect(notifier.send(notice({ text: "" }))).rejects.toThrow();
    await expect(notifier.send({ ...notice(), extra: "field" } as Notification)).rejects.toThrow();
    expect(sender.sent).toEqual([]);
  });

  it("the local outbox applies the same schema", async () => {
    const outbox = new OutboxNotifier({ clock: { now: () => new Date(0) }, timeToLive: TTL, limit: 2 });
    await outbox.send(notice({ id: "a" }));
    await outbox.send(notice({ id: "b", to: "x@y.in", channel: "email" }));
    await outbox.send(notice({ id: "c" }));
    await expect(outbox.send(notice({ to: "" }))).rejects.toThrow();
    // Bounded: the oldest goes first.
    expect(outbox.list().map((n) => n.id)).toEqual(["b", "c"]);
    expect(outbox.list("+919812345678").map((n) => n.id)).toEqual(["c"]);
  });
});

describe.skipIf(!process.env.SERVICEBUS_CONNECTION)("ServiceBusScheduler against a real namespace", () => {
  it("schedules, cancels, and reports a second cancel as not_found", async () => {
    const client = new ServiceBusClient(process.env.SERVICEBUS_CONNECTION!);
    try {
      const scheduler = ServiceBusScheduler.fromClient(client);
      const ticket = await scheduler.schedule({
        queue: "account-purge",
        messageId: `it-${Date.now()}`,
        body: { test: true },
        deliverAt: new Date(Date.now() + 24 * HOUR),
      });
      expect(ticket).toMatch(/^\d+$/);
      expect(await scheduler.cancel("account-purge", ticket)).toBe("cancelled");
      expect(await scheduler.cancel("account-purge", ticket)).toBe("not_found");
    } finally {
      await client.close();
    }
  });
});

it("every queue name the scheduler port knows is a valid Service Bus queue name", () => {
  for (const q of QueueName.options) expect(q).toMatch(/^[a-z0-9][a-z0-9.-]{0,258}[a-z0-9]$/);
});
