import type { NoticeTimeToLive } from "../../domain/notices/time-to-live";
import type { Clock } from "../../ports/clock";
import { Notification, type NotificationDeadLetters, type Notifier } from "../../ports/notifier";

interface Queued {
  notification: Notification;
  expiresAt: number;
}

/**
 * Local stand-in for the notifications queue: what would have been sent, readable at /api/_dev/outbox.
 * It keeps Service Bus's time-to-live: a message older than its `timeToLive` by the clock is gone (dropped,
 * as the queue drops expired messages without dead-lettering them). `deadLetter` plays a consumer giving
 * up on a message; `deadLetters.drop` is the sweep's side of it.
 */
export class OutboxNotifier implements Notifier {
  private readonly messages: Queued[] = [];
  private readonly dead: Notification[] = [];
  readonly deadLetters: NotificationDeadLetters = {
    drop: async (max) => this.dead.splice(0, Math.max(0, max)).length,
  };

  constructor(private readonly options: { clock: Clock; timeToLive: NoticeTimeToLive; limit?: number }) {}

  async send(notification: Notification): Promise<void> {
    this.expire();
    const parsed = Notification.parse(notification);
    this.messages.push({
      notification: parsed,
      expiresAt: this.options.clock.now().getTime() + this.options.timeToLive(parsed),
    });
    const limit = this.options.limit ?? 10_000;
    if (this.messages.length > limit) this.messages.splice(0, this.messages.length - limit);
  }

  list(to?: string): Notification[] {
    this.expire();
    const live = this.messages.map((m) => m.notification);
    return to ? live.filter((m) => m.to === to) : live;
  }

  /** A consumer gave up on the message: it moves to the dead letters. False when it is not queued. */
  deadLetter(id: string): boolean {
    const at = this.messages.findIndex((m) => m.notification.id === id);
    if (at < 0) return false;
    this.dead.push(this.messages.splice(at, 1)[0]!.notification);
    return true;
  }

  /** How many dead letters wait (for tests and the dev tools; no content). */
  get deadLetterCount(): number {
    return this.dead.length;
  }

  private expire(): void {
    const now = this.options.clock.now().getTime();
    for (let i = this.messages.length - 1; i >= 0; i--)
      if (this.messages[i]!.expiresAt <= now) this.messages.splice(i, 1);
  }
}
