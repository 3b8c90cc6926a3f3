import type { ServiceBusClient, ServiceBusSender } from "@azure/service-bus";
import { Notification, type Notifier } from "../../ports/notifier";

export type SendOnly = Pick<ServiceBusSender, "sendMessages">;

/**
 * Notices go to the `notifications` queue, one JSON message each (schema: ports/notifier.ts); the
 * mailer and the WhatsApp sender consume it. messageId = notice id, so a retried send is deduplicated.
 */
export class ServiceBusNotifier implements Notifier {
  constructor(private readonly sender: SendOnly) {}

  static fromClient(client: ServiceBusClient): ServiceBusNotifier {
    return new ServiceBusNotifier(client.createSender("notifications"));
  }

  async send(notification: Notification): Promise<void> {
    const body = Notification.parse(notification);
    await this.sender.sendMessages({ messageId: body.id, body, contentType: "application/json" });
  }
}
