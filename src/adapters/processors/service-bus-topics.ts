import type { ServiceBusClient, ServiceBusSender } from "@azure/service-bus";
import type { ProcessorMessage } from "../../ports/processor-channels";
import type { TopicPublisher } from "./channels";

/**
 * A partner's Service Bus topic: one sender per topic, opened on first use and kept (senders are meant to
 * be long-lived: @azure/service-bus `ServiceBusClient.createSender(queueOrTopicName)`). messageId is the
 * task's message id, so the topic's duplicate detection drops a resend.
 */
export class ServiceBusTopics implements TopicPublisher {
  private readonly senders = new Map<string, Pick<ServiceBusSender, "sendMessages">>();

  constructor(private readonly client: Pick<ServiceBusClient, "createSender">) {}

  async publish(topic: string, message: ProcessorMessage): Promise<void> {
    let sender = this.senders.get(topic);
    if (!sender) {
      sender = this.client.createSender(topic);
      this.senders.set(topic, sender);
    }
    await sender.sendMessages({
      messageId: message.id,
      contentType: "application/json",
      body: JSON.parse(message.body) as unknown,
    });
  }
}
