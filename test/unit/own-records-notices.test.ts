import {
  ServiceBusClient,
  type ServiceBusReceivedMessage,
  type ServiceBusReceiverOptions,
} from "@azure/service-bus";
import { describe, expect, it, vi } from "vitest";
import { OutboxNotifier } from "../../src/adapters/embedded/outbox-notifier";
import {
  type DeadLetterReceiver,
  ServiceBusDeadLetters,
  ServiceBusNotifier,
} from "../../src/adapters/servicebus/service-bus-notifier";
import type { AppContext } from "../../src/app/context";
import { dropDeadLetteredNotices } from "../../src/app/retention/notice-dead-letters";
import { noticeTimeToLive } from "../../src/domain/notices/time-to-live";
import { createPolicy, defaultPolicy } from "../../src/domain/policy/periods";
import type { Notification } from "../../src/ports/notifier";

/**
 * The notifications queue keeps no address or code past its use: every message carries the notices'
 * time-to-live, the local outbox drops a message at its expiry, and dead letters are dropped.
 *
 * No Service Bus runs here, so the dead-letter sweep is tested against a fake of the SDK's receiver as
 * @azure/service-bus 7.x documents it (learn.microsoft.com/javascript/api/@azure/service-bus/
 * servicebusreceiver): `receiveMessages(maxMessageCount, { maxWaitTimeInMs })` resolves with at most
 * `maxMessageCount` messages, `[]` when none arrive in time; in peekLock mode `completeMessage(message)`
 * removes a received message, and one not completed becomes receivable again once its lock lapses;
 * `close()` ends the receiver, after which receiving throws.
 */
class FakeDeadLetterQueue {
  readonly held: { id: string; locked: boolean }[] = [];
  receivers = 0;
  closed = 0;
  completeFailsAt?: number;
  private completed = 0;

  constructor(count: number) {
    for (let i = 0; i < count; i++) this.held.push({ id: `dl-${i}`, locked: false });
  }

  receiver(): DeadLetterReceiver {
    this.receivers++;
    let open = true;
    return {
      receiveMessages: async (max: number, options?: { maxWaitTimeInMs?: number }) => {
        if (!open) throw new Error("The receiver has been closed and can no longer be used.");
        expect(options?.maxWaitTimeInMs).toBeGreaterThan(0);
        const batch = this.held.filter((m) => !m.locked).slice(0, max);
        for (const m of batch) m.locked = true;
        return batch.map((m) => ({ messageId: m.id, body: {} }) as unknown as ServiceBusReceivedMessage);
      },
      completeMessage: async (message: ServiceBusReceivedMessage) => {
        if (this.completeFailsAt !== undefined && this.completed === this.completeFailsAt)
          throw new Error("lock lost");
        this.completed++;
        const at = this.held.findIndex((m) => m.id === message.messageId);
        this.held.splice(at, 1);
      },
      close: async () => {
        open = false;
        this.closed++;
        // Locks of messages received but not completed lapse: they can be received again.
        for (const m of this.held) m.locked = false;
      },
    };
  }
}

const notice = (id: string, to = "+919812345678"): Notification => ({
  id,
  channel: "whatsapp",
  to,
  language: "en",
  template: "verification_code",
  text: "Your code is 123456.",
  createdAt: "2026-01-01T00:00:00.000Z",
});

describe("the notices' time-to-live", () => {
  it("is shorter than a code's validity for a code's notice, and an override that is not is refused", () => {
    const ttl = noticeTimeToLive(defaultPolicy);
    const code = ttl({ template: "verification_code" });
    expect(code).toBe(600_000);
    expect(code).toBeLessThan(defaultPolicy.periodMs(new Date(0), "verificationCodeValidity"));
    // Any other notice: a day, the queue's own default (Service Bus cuts a longer one to it).
    expect(ttl({ template: "request_completed" })).toBe(86_400_000);
    expect(() => createPolicy({ codeNoticeTimeToLive: "PT15M" })).toThrow(
      /codeNoticeTimeToLive.*expire before the code/,
    );
    expect(() => createPolicy({ verificationCodeValidity: "PT5M" })).toThrow(/codeNoticeTimeToLive/);
    expect(() => createPolicy({ noticeTimeToLive: "PT5M" })).toThrow(/noticeTimeToLive.*may not be shorter/);
  });

  it("the local outbox drops a message at its expiry, as the queue does (not dead-lettered)", async () => {
    let now = 1_000_000;
    const outbox = new OutboxNotifier({ clock: { now: () => new Date(now) }, timeToLive: () => 600_000 });
    await outbox.send(notice("a"));
    now += 300_000;
    await outbox.send(notice("b"));
    now = 1_000_000 + 600_000 - 1;
    expect(outbox.list().map((n) => n.id)).toEqual(["a", "b"]);
    now += 1;
    expect(outbox.list().map((n) => n.id)).toEqual(["b"]);
    expect(outbox.deadLetterCount).toBe(0);
  });
});

describe("dead-lettered notices are dropped", () => {
  it("the Service Bus sweep completes every dead letter, in batches, then closes the receiver", async () => {
    const queue = new FakeDeadLetterQueue(120);
    const dead = new ServiceBusDeadLetters(() => queue.receiver());
    expect(await dead.drop(1_000)).toBe(120);
    expect(queue.held).toEqual([]);
    expect(queue.closed).toBe(queue.receivers);
    // An empty queue: nothing to drop, the receiver is still closed.
    expect(await dead.drop(1_000)).toBe(0);
    expect(queue.closed).toBe(2);
  });

  it("stops at its maximum and leaves the rest for the next run", async () => {
    const queue = new FakeDeadLetterQueue(30);
    const dead = new ServiceBusDeadLetters(() => queue.receiver());
    expect(await dead.drop(25)).toBe(25);
    expect(queue.held).toHaveLength(5);
    expect(await dead.drop(25)).toBe(5);
  });

  it("a failure part-way closes the receiver; what was not completed is received again next time", async () => {
    const queue = new FakeDeadLetterQueue(10);
    queue.completeFailsAt = 4;
    const dead = new ServiceBusDeadLetters(() => queue.receiver());
    await expect(dead.drop(100)).rejects.toThrow("lock lost");
    expect(queue.closed).toBe(1);
    expect(queue.held).toHaveLength(6);
    queue.completeFailsAt = undefined;
    expect(await dead.drop(100)).toBe(6);
  });

  it("fromClient reads the notifications dead-letter sub-queue in peek-lock mode, only when sweeping", async () => {
    const client = new ServiceBusClient(
      "Endpoint=sb://127.0.0.1/;SharedAccessKeyName=t;SharedAccessKey=dA==",
    );
    const queue = new FakeDeadLetterQueue(2);
    const opened: { name: string; options?: ServiceBusReceiverOptions }[] = [];
    vi.spyOn(client, "createSender").mockImplementation(
      () => ({ sendMessages: async () => undefined }) as never,
    );
    vi.spyOn(client, "createReceiver").mockImplementation(((
      name: string,
      options?: ServiceBusReceiverOptions,
    ) => {
      opened.push({ name, ...(options ? { options } : {}) });
      return queue.receiver();
    }) as never);
    const notifier = ServiceBusNotifier.fromClient(client, () => 600_000);
    expect(opened).toEqual([]);
    expect(await notifier.deadLetters!.drop(10)).toBe(2);
    expect(opened).toEqual([
      { name: "notifications", options: { subQueueType: "deadLetter", receiveMode: "peekLock" } },
    ]);
    await client.close();
  });

  it("the use case drops the local outbox's dead letters, and does nothing where there are none", async () => {
    const outbox = new OutboxNotifier({ clock: { now: () => new Date(0) }, timeToLive: () => 600_000 });
    await outbox.send(notice("a"));
    await outbox.send(notice("b"));
    expect(outbox.deadLetter("a")).toBe(true);
    expect(outbox.deadLetter("missing")).toBe(false);
    const app = (notifier: unknown) => ({ ports: { notifier } }) as unknown as AppContext;
    expect(await dropDeadLetteredNotices(app(outbox))).toEqual({ dropped: 1 });
    expect(outbox.deadLetterCount).toBe(0);
    expect(outbox.list().map((n) => n.id)).toEqual(["b"]);
    expect(await dropDeadLetteredNotices(app({ send: async () => undefined }))).toEqual({ dropped: 0 });
  });
});
