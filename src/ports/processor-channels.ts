/**
 * How notices reach service partners (the processor register's webhook and Service Bus topic channels;
 * an email channel goes through the {@link Notifier}), and the per-partner secrets their signatures use.
 * The secrets live in Key Vault (PROCESSOR_WEBHOOK_SECRETS); the use cases never see one in the clear
 * beyond signing and checking, and never log one.
 */
export type ProcessorTarget =
  { type: "webhook"; url: string; processorId: string } | { type: "service_bus_topic"; topic: string };

export interface ProcessorMessage {
  /** Stable per message (a task's notice, its reminder): the partner deduplicates retries by it. */
  id: string;
  /** The JSON body, exactly as signed and sent. */
  body: string;
}

/** The partner's endpoint refused or could not be reached: the timer tries again, nothing is lost. */
export class ProcessorDeliveryError extends Error {
  constructor(readonly reason: string) {
    super(`processor delivery failed: ${reason}`);
    this.name = "ProcessorDeliveryError";
  }
}

export interface ProcessorChannels {
  /** Throws (e.g. {@link ProcessorDeliveryError}) when the message was not accepted. */
  send(target: ProcessorTarget, message: ProcessorMessage): Promise<void>;
  /** The partner's signing secret, or undefined when none is configured (its confirmations are refused). */
  secretOf(processorId: string): Buffer | undefined;
}
