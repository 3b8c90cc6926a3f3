import { signWebhook } from "../../domain/processors/signature";
import type { Clock } from "../../ports/clock";
import {
  type ProcessorChannels,
  ProcessorDeliveryError,
  type ProcessorMessage,
  type ProcessorTarget,
} from "../../ports/processor-channels";

/** Publishes one message to a named Service Bus topic (Azure: ./service-bus-topics.ts; locally ./outbox-topics.ts). */
export interface TopicPublisher {
  publish(topic: string, message: ProcessorMessage): Promise<void>;
}

/** How long a partner's webhook has to answer before the attempt counts as failed (the timer retries it). */
const WEBHOOK_TIMEOUT_MS = 10_000;

/**
 * The partner channels: a webhook gets the body signed with the partner's own secret (Standard Webhooks
 * headers), a topic gets the body as one message with the task's message id (Service Bus duplicate
 * detection drops a resend within its window). A partner without a secret gets no webhook: an unsigned
 * notice would teach it to accept unsigned ones.
 */
export class PartnerChannels implements ProcessorChannels {
  constructor(
    private readonly options: {
      clock: Clock;
      /** The partner's signing secret (./secrets.ts). */
      secretOf: (processorId: string) => Buffer | undefined;
      topics: TopicPublisher;
      /** Plain http to a loopback address (the local profile's tests and stubs); https only otherwise. */
      allowLoopbackHttp: boolean;
      fetch?: typeof fetch;
    },
  ) {}

  secretOf(processorId: string): Buffer | undefined {
    return this.options.secretOf(processorId);
  }

  async send(target: ProcessorTarget, message: ProcessorMessage): Promise<void> {
    if (target.type === "service_bus_topic") return this.options.topics.publish(target.topic, message);
    const secret = this.secretOf(target.processorId);
    if (!secret) throw new ProcessorDeliveryError("no_secret");
    const url = new URL(target.url);
    const loopback = ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
    if (url.protocol !== "https:" && !(this.options.allowLoopbackHttp && loopback))
      throw new ProcessorDeliveryError("not_https");
    const headers = signWebhook(secret, message.id, this.options.clock.now(), message.body);
    let res: Response;
    try {
      res = await (this.options.fetch ?? fetch)(url, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: message.body,
        redirect: "error",
        signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      });
    } catch {
      throw new ProcessorDeliveryError("unreachable");
    }
    // The body is not read beyond this: a partner's answer carries nothing we keep.
    await res.body?.cancel().catch(() => undefined);
    if (res.status < 200 || res.status > 299) throw new ProcessorDeliveryError(`status_${res.status}`);
  }
}
