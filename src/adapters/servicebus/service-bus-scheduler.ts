import { createHash } from "node:crypto";
import type { ServiceBusClient, ServiceBusMessage, ServiceBusSender } from "@azure/service-bus";
import Long from "long";
import type { QueueName, ScheduledMessage, Scheduler } from "../../ports/scheduler";

/** Service Bus refuses a MessageId over 128 characters (@azure/core-amqp `Constants.maxMessageIdLength`). */
export const MAX_MESSAGE_ID_LENGTH = 128;

/**
 * Our message ids name what they are for (`export-expiry:<request id>:<run>:<time>`) and can pass the
 * limit: a longer one keeps a readable head and ends with the SHA-256 of the whole, so it stays
 * deterministic (duplicate detection still drops a repeated send) and distinct.
 */
export function serviceBusMessageId(id: string): string {
  if (id.length <= MAX_MESSAGE_ID_LENGTH) return id;
  const digest = createHash("sha256").update(id, "utf8").digest("base64url");
  return `${id.slice(0, MAX_MESSAGE_ID_LENGTH - digest.length - 1)}#${digest}`;
}

/** The sending half of ServiceBusSender this adapter uses: a recording fake in tests implements it. */
export type ScheduleSender = Pick<ServiceBusSender, "scheduleMessages" | "cancelScheduledMessages">;

/**
 * Timers as Service Bus scheduled messages. The sequence number is kept as a decimal string (it is a
 * Long). Cancel is best-effort: once the message fired it fails, and the handler's re-read of state
 * is what really guards the work.
 */
export class ServiceBusScheduler implements Scheduler {
  private readonly senders = new Map<QueueName, ScheduleSender>();

  constructor(private readonly senderFor: (queue: QueueName) => ScheduleSender) {}

  static fromClient(client: ServiceBusClient): ServiceBusScheduler {
    return new ServiceBusScheduler((queue) => client.createSender(queue));
  }

  private sender(queue: QueueName): ScheduleSender {
    let s = this.senders.get(queue);
    if (!s) {
      s = this.senderFor(queue);
      this.senders.set(queue, s);
    }
    return s;
  }

  async schedule(message: ScheduledMessage): Promise<string> {
    const sbMessage: ServiceBusMessage = {
      messageId: serviceBusMessageId(message.messageId),
      body: message.body,
      contentType: "application/json",
    };
    const [sequenceNumber] = await this.sender(message.queue).scheduleMessages(sbMessage, message.deliverAt);
    if (!sequenceNumber) throw new Error(`Service Bus returned no sequence number for ${message.messageId}`);
    return sequenceNumber.toString();
  }

  async cancel(queue: QueueName, ticket: string): Promise<"cancelled" | "not_found"> {
    // Long.fromString is lax ("12abc" is 12, "abc" is 0, 20 digits wrap around): a damaged ticket
    // would cancel some other message. Only a ticket that round-trips exactly is sent.
    const sequenceNumber = /^\d{1,19}$/.test(ticket) ? Long.fromString(ticket) : undefined;
    if (!sequenceNumber || sequenceNumber.toString() !== ticket) {
      throw new Error(`not a Service Bus sequence number: ${JSON.stringify(ticket.slice(0, 40))}`);
    }
    try {
      await this.sender(queue).cancelScheduledMessages(sequenceNumber);
      return "cancelled";
    } catch (e) {
      // MessageNotFound: it already fired (or never existed). Anything else is a real fault.
      if (e instanceof Error && "code" in e && (e as { code?: string }).code === "MessageNotFound") {
        return "not_found";
      }
      throw e;
    }
  }
}
