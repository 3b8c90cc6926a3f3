import type { ProcessorMessage } from "../../ports/processor-channels";
import type { TopicPublisher } from "./channels";

/** Local stand-in for partners' Service Bus topics: what would have been published, for tests and the dev tools. */
export class OutboxTopics implements TopicPublisher {
  private readonly published: { topic: string; id: string; body: string }[] = [];

  async publish(topic: string, message: ProcessorMessage): Promise<void> {
    this.published.push({ topic, id: message.id, body: message.body });
    if (this.published.length > 10_000) this.published.shift();
  }

  list(topic?: string): { topic: string; id: string; body: string }[] {
    return topic ? this.published.filter((m) => m.topic === topic) : [...this.published];
  }
}
