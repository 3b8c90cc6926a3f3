import type { ServiceBusClient, ServiceBusReceiver, ServiceBusSender } from "@azure/service-bus";
import { Notification, type NotificationDeadLetters, type Notifier } from "../../ports/notifier";
import type { NoticeTimeToLive } from "../../domain/notices/time-to-live";

export type SendOnly = Pick<ServiceBusSender, "sendMessages">;
/** What the dead-letter sweep uses of a receiver (the SDK's `ServiceBusReceiver`). */
export type DeadLetterReceiver = Pick<ServiceBusReceiver, "receiveMessages" | "completeMessage" | "close">;

const QUEUE = "notifications";
/** Messages asked for per receive, and how long an empty dead-letter queue is waited on. */
const BATCH = 50;
const WAIT_MS = 2_000;

/**
 * The `notifications` queue's dead-letter sub-queue, emptied by completing what it holds. A peek-lock
 * receive then `completeMessage` removes each message only once received whole; a sweep that stops half-
 * way leaves the rest for the next (the lock lapses and they become receivable again).
 * SDK: `ServiceBusClient.createReceiver(queue, { subQueueType: "deadLetter", receiveMode: "peekLock" })`,
 * `receiveMessages(maxMessageCount, { maxWaitTimeInMs })` resolves to `[]` when nothing arrives in time,
 * `completeMessage(message)` "removes the message from the queue" (@azure/service-bus 7.x,
 * learn.microsoft.com/javascript/api/@azure/service-bus/servicebusreceiver).
 */
export class ServiceBusDeadLetters implements NotificationDeadLetters {
  constructor(private readonly openReceiver: () => DeadLetterReceiver) {}

  async drop(max: number): Promise<number> {
    const receiver = this.openReceiver();
    let dropped = 0;
    try {
      while (dropped < max) {
        const batch = await receiver.receiveMessages(Math.min(BATCH, max - dropped), {
          maxWaitTimeInMs: WAIT_MS,
        });
        if (batch.length === 0) break;
        for (const message of batch) {
          await receiver.completeMessage(message);
          dropped++;
        }
      }
    } finally {
      await receiver.close();
    }
    return dropped;
  }
}

/**
 * Notices go to the `notifications` queue, one JSON message each (schema: ports/notifier.ts); the
 * mailer and the WhatsApp sender consume it. messageId = notice id, so a retried send is deduplicated.
 * Each message carries its `timeToLive` (src/domain/notices/time-to-live.ts: a code's notice expires
 * before the code; the queue's own default in Bicep is the longest, and expired messages are dropped,
 * not dead-lettered).
 */
export class ServiceBusNotifier implements Notifier {
  constructor(
    private readonly sender: SendOnly,
    private readonly timeToLive: NoticeTimeToLive,
    readonly deadLetters?: NotificationDeadLetters,
  ) {}

  static fromClient(client: ServiceBusClient, timeToLive: NoticeTimeToLive): ServiceBusNotifier {
    return new ServiceBusNotifier(
      client.createSender(QUEUE),
      timeToLive,
      new ServiceBusDeadLetters(() =>
        client.createReceiver(QUEUE, { subQueueType: "deadLetter", receiveMode: "peekLock" }),
      ),
    );
  }

  async send(notification: Notification): Promise<void> {
    const body = Notification.parse(notification);
    await this.sender.sendMessages({
      messageId: body.id,
      body,
      contentType: "application/json",
      timeToLive: this.timeToLive(body),
    });
  }
}
