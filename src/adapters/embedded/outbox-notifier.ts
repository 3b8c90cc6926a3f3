import { Notification, type Notifier } from "../../ports/notifier";

/** Local stand-in for the notifications queue: what would have been sent, readable at /api/_dev/outbox. */
export class OutboxNotifier implements Notifier {
  private readonly messages: Notification[] = [];

  constructor(private readonly limit = 10_000) {}

  async send(notification: Notification): Promise<void> {
    this.messages.push(Notification.parse(notification));
    if (this.messages.length > this.limit) this.messages.splice(0, this.messages.length - this.limit);
  }

  list(to?: string): Notification[] {
    return to ? this.messages.filter((m) => m.to === to) : [...this.messages];
  }
}
