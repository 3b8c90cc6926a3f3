import type { AnchorStore } from "./anchor-store";
import type { BlobStore } from "./blob-store";
import type { Clock } from "./clock";
import type { DocumentStore } from "./document-store";
import type { KeyWrapper } from "./key-wrapper";
import type { Notifier } from "./notifier";
import type { ProcessorChannels } from "./processor-channels";
import type { Scheduler } from "./scheduler";

export type {
  AnchorStore,
  BlobStore,
  Clock,
  DocumentStore,
  KeyWrapper,
  Notifier,
  ProcessorChannels,
  Scheduler,
};

/** Everything the use cases may touch. */
export interface Ports {
  clock: Clock;
  documents: DocumentStore;
  blobs: BlobStore;
  scheduler: Scheduler;
  notifier: Notifier;
  /** Wraps the per-tenant backup data keys with the key-encryption key (src/app/backups/keys.ts). */
  keys: KeyWrapper;
  /** The append-only record of audit-chain anchors (src/app/audit). */
  anchors: AnchorStore;
  /** Notices to service partners (webhook, Service Bus topic) and their signing secrets (src/app/processors). */
  processors: ProcessorChannels;
}
